package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/orgsync/orgsync/activities"
	"github.com/orgsync/orgsync/internal/plan"
)

// applyBatches is ApplyRange in batch mode: one activity per Batch items,
// BatchParallel at a time; every item's outcome is still in Postgres.
func applyBatches(ctx workflow.Context, in ApplyRangeInput) (activities.SpanResult, error) {
	bctx := batchOptions(ctx)
	parallel := BatchParallel
	if in.Parallel > 0 {
		parallel = in.Parallel
	}
	var res activities.SpanResult
	pending := 0
	sel := workflow.NewSelector(ctx)
	for lo := in.Lo; lo <= in.Hi; lo += in.Batch {
		for pending >= parallel {
			sel.Select(ctx)
		}
		if res.Abort != "" || ctx.Err() != nil {
			break
		}
		hi := min(lo+in.Batch-1, in.Hi)
		f := workflow.ExecuteActivity(bctx, a.ApplyBatch, activities.BatchInput{RunID: in.RunID, Span: plan.Span{Lo: lo, Hi: hi}})
		pending++
		sel.AddFuture(f, func(f workflow.Future) {
			pending--
			var b activities.SpanResult
			if err := f.Get(ctx, &b); err != nil {
				res.Counts.Failed += hi - lo + 1 // FinishRun closes them with their last error
				return
			}
			res.Counts = res.Counts.Add(b.Counts)
			if msg := abortFor(b.Class); msg != "" {
				res.Abort = msg
			}
		})
	}
	for pending > 0 {
		sel.Select(ctx)
	}
	return res, nil
}

// batchOptions are the activity options of ApplyBatch.
func batchOptions(ctx workflow.Context) workflow.Context {
	return withOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		HeartbeatTimeout:    ApplyHeartbeatTimeout,
		// A batch's item failures are results, not errors: its attempts are
		// spent only by lost workers and Postgres. One activity may hold up to
		// WaveGroupBatches batches of small waves, so a rolling restart or a
		// few crashes must not use them all up (the kill test kills 5 times).
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second, MaximumAttempts: 10,
		},
		// exact-compensation: on cancel, wait for the batch to stop and
		// record what it wrote.
		WaitForCancellation: workflow.GetVersion(ctx, "exact-compensation", workflow.DefaultVersion, 1) == 1,
	})
}

// applyWaves applies small consecutive waves in one batch activity, which
// finishes each wave before it starts the next.
func applyWaves(ctx workflow.Context, runID string, waves []plan.Span) activities.SpanResult {
	var res activities.SpanResult
	if err := workflow.ExecuteActivity(batchOptions(ctx), a.ApplyBatch, activities.BatchInput{RunID: runID, Waves: waves}).Get(ctx, &res); err != nil {
		for _, w := range waves {
			res.Counts.Failed += w.Count() // FinishRun closes them with their last error
		}
		return res
	}
	res.Abort = abortFor(res.Class)
	return res
}
