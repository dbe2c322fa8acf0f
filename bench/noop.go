package main

import (
	"context"
	"fmt"
	"log/slog"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/orgsync/orgsync/activities"
	"github.com/orgsync/orgsync/internal/app"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/workflows"
)

const noopQueue = "orgsync-bench-noop"

// noopFanout drives the real ApplyRange children over n items exactly as
// OrgSync does (chunks of ChildItems, ChildParallel at a time, the window
// shared), but on a queue whose ApplyItem does nothing: the dev server's
// orchestration rate, the P1 baseline.
func noopFanout(ctx workflow.Context, n, window int) error {
	sel := workflow.NewSelector(ctx)
	running := 0
	for lo := 1; lo <= n; lo += workflows.ChildItems {
		for running >= workflows.ChildParallel {
			sel.Select(ctx)
		}
		hi := min(lo+workflows.ChildItems-1, n)
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID: fmt.Sprintf("%s/noop/%d", workflow.GetInfo(ctx).WorkflowExecution.RunID, lo),
		})
		f := workflow.ExecuteChildWorkflow(cctx, workflows.ApplyRangeName, workflows.ApplyRangeInput{
			RunID: "noop", Kind: model.Employee, Span: plan.Span{Lo: lo, Hi: hi}, Window: max(1, window/workflows.ChildParallel),
		})
		running++
		sel.AddFuture(f, func(workflow.Future) { running-- })
	}
	for running > 0 {
		sel.Select(ctx)
	}
	return nil
}

func noopApply(context.Context, activities.ApplyInput) (activities.ApplyResult, error) {
	return activities.ApplyResult{Status: "applied"}, nil
}

// startNoopWorker runs the baseline with orgsync's own client and worker
// settings, in this process.
func startNoopWorker(e *env) (stop func(), err error) {
	opts, err := app.TemporalClientOptions(e.cfg, slog.New(slog.NewTextHandler(nopWriter{}, nil)))
	if err != nil {
		return nil, err
	}
	c, err := client.Dial(opts)
	if err != nil {
		return nil, err
	}
	w := worker.New(c, noopQueue, app.TemporalWorkerOptions())
	w.RegisterWorkflowWithOptions(noopFanout, workflow.RegisterOptions{Name: "BenchNoopFanout"})
	w.RegisterWorkflowWithOptions(workflows.ApplyRange, workflow.RegisterOptions{Name: workflows.ApplyRangeName})
	w.RegisterActivityWithOptions(noopApply, activity.RegisterOptions{Name: "ApplyItem"})
	return func() { w.Stop(); c.Close() }, w.Start()
}
