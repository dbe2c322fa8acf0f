package main

// Reading what a run did: its counts, its phases and history sizes from
// Temporal, and the two halves of planning timed on their own.

import (
	"context"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
)

func total(rep plan.Report, changedOnly bool) int {
	n := 0
	for _, s := range rep.Stages {
		n += s.Created + s.Updated + s.Deleted
		if !changedOnly {
			n += s.Unchanged
		}
	}
	return n
}

// phases reads, from the run's history, the time spent planning (first
// event to the last PlanStage completion) and applying (from there to the
// FinishRun schedule).
func phases(ctx context.Context, e *env, run client.WorkflowRun) (planning, apply time.Duration, err error) {
	it := e.c.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var start, planned, finish time.Time
	names := map[int64]string{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return 0, 0, err
		}
		t := ev.EventTime.AsTime()
		if start.IsZero() {
			start = t
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
			names[ev.EventId] = a.ActivityType.Name
			if a.ActivityType.Name == "FinishRun" && finish.IsZero() {
				finish = t
			}
		}
		if a := ev.GetActivityTaskCompletedEventAttributes(); a != nil && names[a.ScheduledEventId] == "PlanStage" {
			planned = t
		}
	}
	return planned.Sub(start), finish.Sub(planned), nil
}

func historySizes(ctx context.Context, e *env, run client.WorkflowRun) (maxEvents, parent int64, children int, err error) {
	d, err := e.c.DescribeWorkflowExecution(ctx, run.GetID(), run.GetRunID())
	if err != nil {
		return 0, 0, 0, err
	}
	parent = d.WorkflowExecutionInfo.HistoryLength
	maxEvents = parent
	it := e.c.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return 0, 0, 0, err
		}
		if a := ev.GetChildWorkflowExecutionStartedEventAttributes(); a != nil {
			children++
			cd, err := e.c.DescribeWorkflowExecution(ctx, a.WorkflowExecution.WorkflowId, a.WorkflowExecution.RunId)
			if err != nil {
				return 0, 0, 0, err
			}
			maxEvents = max(maxEvents, cd.WorkflowExecutionInfo.HistoryLength)
		}
	}
	return maxEvents, parent, children, nil
}

// split times the two halves of planning on their own, on the same data:
// reading the source into the snapshot, and the SQL checks and diff.
func split(ctx context.Context, e *env) (fetch, diff time.Duration, err error) {
	src, err := newSource(e)
	if err != nil {
		return 0, 0, err
	}
	const run = "bench-split"
	if err := e.st.BeginRun(ctx, store.Run{RunID: run, WorkflowID: run, Target: e.cfg.Target, Company: e.cfg.CompanyID}); err != nil {
		return 0, 0, err
	}
	for _, k := range []model.Kind{model.Grade, model.Department, model.Employee} {
		t0 := time.Now()
		if _, err := e.st.LoadSnapshot(ctx, run, src.Loads(k), func(emit model.Emit) error {
			return src.Fetch(ctx, k, emit)
		}); err != nil {
			return 0, 0, err
		}
		fetch += time.Since(t0)
	}
	for _, k := range model.Kinds {
		t0 := time.Now()
		if err := e.st.CheckSnapshot(ctx, run, e.cfg.Target, e.cfg.CompanyID, k); err != nil {
			return 0, 0, err
		}
		if _, err := e.st.Plan(ctx, run, e.cfg.Target, e.cfg.CompanyID, k); err != nil {
			return 0, 0, err
		}
		diff += time.Since(t0)
	}
	return fetch, diff, e.st.DropSnapshot(ctx, run)
}
