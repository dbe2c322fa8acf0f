package workflows_test

import (
	"context"
	"fmt"
	"testing"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/workflows"
)

// The golden histories in testdata were recorded from real runs. Any
// change to the workflows that would break a run in flight fails here;
// such a change needs workflow.GetVersion, not a new golden file. Set
// ORGSYNC_UPDATE_GOLDEN=1 to record them again after an intended,
// compatible change.
var golden = []string{
	// Before "inline-small-ranges": every range in a child.
	"testdata/orgsync_history.json", "testdata/apply_range_history.json",
	// Version 1: small ranges in the parent, the employee range in a child.
	"testdata/orgsync_history_v1.json", "testdata/apply_range_history_v1.json",
	// Batch mode (batch 2) before "batch-waves": every range in children.
	"testdata/orgsync_batch_history.json", "testdata/apply_range_batch_history.json",
	// Batch mode, version 1: small waves grouped, the employees in a child.
	"testdata/orgsync_batch_history_v1.json", "testdata/apply_range_batch_history_v1.json",
}

// fresh names the golden files TestReplayFreshHistory writes on request,
// by batch size.
var fresh = map[int][]string{0: golden[2:4], 2: golden[6:8]}

func replayer(t *testing.T) worker.WorkflowReplayer {
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(workflows.OrgSync, workflow.RegisterOptions{Name: workflows.WorkflowName})
	r.RegisterWorkflowWithOptions(workflows.ApplyRange, workflow.RegisterOptions{Name: workflows.ApplyRangeName})
	return r
}

func TestReplayGoldenHistories(t *testing.T) {
	for _, f := range golden {
		if err := replayer(t).ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
			t.Errorf("replay %s: %v", f, err)
		}
	}
}

// A fresh first run (small stages in the parent, 150 employee creates in
// a child), per entity and in batch mode, replays against today's code,
// and becomes the golden file on request.
func TestReplayFreshHistory(t *testing.T) {
	for _, batch := range []int{0, 2} {
		t.Run(fmt.Sprintf("batch %d", batch), func(t *testing.T) {
			s := testenv.NewStack(t, testenv.StackOptions{Employees: 150, Departments: 6})
			s.StartWorker(t)
			freshRun(t, s, batch)
		})
	}
}

func freshRun(t *testing.T, s *testenv.Stack, batch int) {
	run := s.Start(t, fmt.Sprintf("replay-%s-%d", t.Name(), batch), workflows.Input{Batch: batch})
	if err := run.Get(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	parent := fetch(t, s.Client, run.GetID(), run.GetRunID())
	var childID, childRun string
	for _, e := range parent.Events {
		if e.EventType == enums.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED {
			a := e.GetChildWorkflowExecutionStartedEventAttributes()
			childID, childRun = a.WorkflowExecution.WorkflowId, a.WorkflowExecution.RunId
		}
	}
	if childID == "" {
		t.Fatal("the run started no child workflow")
	}
	child := fetch(t, s.Client, childID, childRun)
	for i, h := range []*history.History{parent, child} {
		recordAndReplay(t, h, fresh[batch][i]) // company_replay_test.go
	}
}

func fetch(t *testing.T, c client.Client, id, runID string) *history.History {
	t.Helper()
	it := c.GetWorkflowHistory(context.Background(), id, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &history.History{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	return h
}
