package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/orgsync/orgsync/activities"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/target"
)

// ApplyMaxAttempts bounds the tries of one item against the target.
const ApplyMaxAttempts = 6

// ApplyHeartbeatTimeout is how soon an item held by a dead worker is
// tried again.
const ApplyHeartbeatTimeout = 5 * time.Second

// applyItems runs one ApplyItem per item of in, at most in.Window at a
// time, in a child or, for a small range, in the parent itself.
func applyItems(ctx workflow.Context, in ApplyRangeInput) activities.SpanResult {
	actx := withOptions(ctx, workflow.ActivityOptions{
		// Seconds, not minutes: a killed worker's items are retried soon.
		// ApplyItem heartbeats while it runs longer than a second (a
		// rate-limited wait), so the heartbeat timeout, not the 30 s
		// bound, is what notices a dead worker.
		StartToCloseTimeout: 30 * time.Second,
		HeartbeatTimeout:    ApplyHeartbeatTimeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 20 * time.Second,
			MaximumAttempts: ApplyMaxAttempts,
		},
		// exact-compensation: on cancel, wait for the items in flight to
		// end, so that what they applied is recorded before compensation
		// reads it.
		WaitForCancellation: workflow.GetVersion(ctx, "exact-compensation", workflow.DefaultVersion, 1) == 1,
	})
	var res activities.SpanResult
	pending := 0
	sel := workflow.NewSelector(ctx)
	var start func(seq int)
	start = func(seq int) {
		f := workflow.ExecuteActivity(actx, a.ApplyItem, activities.ApplyInput{RunID: in.RunID, Seq: seq, Undo: in.Undo})
		pending++
		sel.AddFuture(f, func(f workflow.Future) {
			pending--
			var r activities.ApplyResult
			if err := f.Get(ctx, &r); err != nil {
				// An item whose every attempt only waited for the quota
				// starts afresh: throttling is waiting, never failure.
				if isThrottled(err) && ctx.Err() == nil &&
					workflow.GetVersion(ctx, "throttle-waits", workflow.DefaultVersion, 1) == 1 {
					start(seq)
					return
				}
				// Retries exhausted with an error: FinishRun closes the
				// item with its last recorded error.
				res.Counts.Failed++
				return
			}
			count(&res, r, in.Undo)
		})
	}
	window := max(1, in.Window)
	for i := 0; i <= in.Hi-in.Lo; i++ {
		seq := in.Lo + i
		if in.Reverse {
			seq = in.Hi - i
		}
		for pending >= window {
			sel.Select(ctx)
		}
		if res.Abort != "" || ctx.Err() != nil {
			break
		}
		start(seq)
	}
	for pending > 0 {
		sel.Select(ctx)
	}
	return res
}

// isThrottled reports whether an activity ended with the target's
// throttling as its last error (activities.retryLater names the class).
func isThrottled(err error) bool {
	var ae *temporal.ApplicationError
	return errors.As(err, &ae) && ae.Type() == string(target.Throttled)
}

// count adds one item's outcome. A failure that every other item would
// repeat stops the range instead of sending thousands of doomed calls.
func count(res *activities.SpanResult, r activities.ApplyResult, undo bool) {
	switch r.Status {
	case plan.StatusApplied, plan.StatusUndone:
		if undo == (r.Status == plan.StatusUndone) {
			res.Counts.Applied++
		}
	case plan.StatusFailed, plan.StatusUndoFailed:
		if undo == (r.Status == plan.StatusUndoFailed) {
			res.Counts.Failed++
		}
	case plan.StatusSkipped:
		if !undo {
			res.Counts.Skipped++
		}
	case plan.StatusNotUndoable:
		res.Counts.NotUndoable++
	}
	if msg := abortFor(r.Class); msg != "" {
		res.Abort = msg
	}
}

// abortFor names the failures that stop a stage at once.
func abortFor(c target.Class) string {
	switch c {
	case target.Auth:
		return "the target refused orgsync's requests with 401: check the access, secret and API keys, ORGSYNC_COMPANY_ID and the machine clock (the gateway rejects timestamps 5 minutes or more off); see the failed item's message"
	case target.Forbidden:
		return "the target's sync switch for this item is OFF in the console (403, 180001)"
	}
	return ""
}
