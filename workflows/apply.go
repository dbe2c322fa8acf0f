package workflows

import (
	"errors"
	"fmt"
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

// applyRanges applies ranges one after another (a range is a wave that
// must finish before the next starts). A range goes to children of at most
// ChildItems items, ChildParallel at a time, unless it is small enough for
// the parent to apply itself. It stops early when a range reports a
// systematic failure.
func (w *orgSync) applyRanges(ctx workflow.Context, ranges []plan.Range, undo, reverse bool) (plan.Counts, string) {
	var total plan.Counts
	batch := 0
	if w.in.Batch > 1 && !undo {
		batch = w.in.Batch
	}
	// Version 1 applies a small range in the parent: a child's start and
	// end cost more round trips than its few items, and every wave
	// boundary waits for them.
	inline := workflow.GetVersion(ctx, "inline-small-ranges", workflow.DefaultVersion, 1) == 1 && batch == 0
	// Batch mode, version 1: consecutive small waves go to one activity,
	// which applies them in order, and a range of up to InlineBatches
	// batches is applied by the parent, BatchParallelV1 at a time. Every
	// child, activity and wave boundary costs dispatch round trips (up to
	// 50 ms each on a one-shard server), and a first load is mostly small
	// department waves.
	batchV1 := batch > 0 && workflow.GetVersion(ctx, "batch-waves", workflow.DefaultVersion, 1) == 1
	for i := 0; i < len(ranges); i++ {
		r := ranges[i]
		var res activities.SpanResult
		n := r.Count()
		children := false
		switch {
		case batchV1 && n <= batch:
			var waves []plan.Span
			waves, n = smallWaves(ranges[i:], batch)
			i += len(waves) - 1
			res = applyWaves(ctx, w.items, waves)
		case batchV1 && n <= InlineBatches*batch:
			res, _ = applyBatches(ctx, ApplyRangeInput{RunID: w.items, Kind: r.Kind, Span: r.Span,
				Batch: batch, Parallel: BatchParallelV1})
		case inline && n <= InlineItems:
			res = applyItems(ctx, ApplyRangeInput{RunID: w.items, Kind: r.Kind, Span: r.Span,
				Window: w.settings.Window, Undo: undo, Reverse: reverse})
		default:
			children = true // counted as each child ends
			res = w.applyChildren(ctx, r, batch, batchV1, undo, reverse)
		}
		total = total.Add(res.Counts)
		if !children {
			w.count(res, n, undo)
		}
		if res.Abort != "" {
			return total, res.Abort
		}
	}
	return total, ""
}

// smallWaves is the run of consecutive ranges, from the first, that one
// batch activity applies in order: each of at most batch items, together
// at most WaveGroupBatches batches. The first must be that small.
func smallWaves(ranges []plan.Range, batch int) (waves []plan.Span, items int) {
	for _, r := range ranges {
		if r.Count() > batch || items+r.Count() > WaveGroupBatches*batch {
			break
		}
		waves = append(waves, r.Span)
		items += r.Count()
	}
	return waves, items
}

// applyChildren applies one range in children, ChildParallel at a time.
func (w *orgSync) applyChildren(ctx workflow.Context, r plan.Range, batch int, batchV1, undo, reverse bool) activities.SpanResult {
	window := max(1, w.settings.Window/ChildParallel)
	size, parallel := ChildItems, 0
	if batch > 0 {
		size = ChildBatches * batch
		if batchV1 {
			parallel = BatchParallelV1
		}
	}
	var res activities.SpanResult
	running := 0
	sel := workflow.NewSelector(ctx)
	for _, c := range split(r, size, reverse) {
		for running >= ChildParallel {
			sel.Select(ctx)
		}
		if res.Abort != "" {
			break
		}
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID: childID(w.settings.RunID, c, undo),
			// exact-compensation: a cancelled child first finishes the
			// writes it has in flight, so compensation sees them.
			WaitForCancellation: w.exact,
		})
		f := workflow.ExecuteChildWorkflow(cctx, ApplyRange, ApplyRangeInput{
			RunID: w.items, Kind: r.Kind, Span: c.Span, Window: window, Undo: undo, Reverse: reverse,
			Batch: batch, Parallel: parallel, Company: w.company,
		})
		running++
		sel.AddFuture(f, func(f workflow.Future) {
			running--
			var cr activities.SpanResult
			if err := f.Get(ctx, &cr); err != nil {
				cr.Counts.Failed = c.Count()
				cr.Abort = "applying items failed: " + ErrText(err)
			}
			res.Counts = res.Counts.Add(cr.Counts)
			w.count(cr, c.Count(), undo)
			if cr.Abort != "" && res.Abort == "" {
				res.Abort = cr.Abort
			}
		})
	}
	for running > 0 {
		sel.Select(ctx)
	}
	return res
}

// count adds a range's outcome to the progress query's answer.
func (w *orgSync) count(res activities.SpanResult, items int, undo bool) {
	w.progress.Done += res.Counts.Applied + res.Counts.Skipped
	w.progress.Failed += res.Counts.Failed
	if !undo || w.in.Undo != "" { // an undo run counts down what it compensates
		w.progress.Remaining -= items
	}
}

// split cuts a range into chunks of at most n items, last chunk first
// when reverse.
func split(r plan.Range, n int, reverse bool) []plan.Range {
	var out []plan.Range
	for lo := r.Lo; lo <= r.Hi; lo += n {
		c := r
		c.Lo, c.Hi = lo, min(lo+n-1, r.Hi)
		out = append(out, c)
	}
	if reverse {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

func childID(runID string, c plan.Range, undo bool) string {
	id := fmt.Sprintf("%s/apply/%s/%d-%d", runID, c.Kind, c.Lo, c.Hi)
	if undo {
		id += "/undo"
	}
	return id
}

// ApplyRange applies plan items Lo..Hi with at most Window activities in
// flight, one activity per item.
func ApplyRange(ctx workflow.Context, in ApplyRangeInput) (activities.SpanResult, error) {
	ctx = routeTo(ctx, in.Company)
	if in.Batch > 1 && !in.Undo {
		return applyBatches(ctx, in)
	}
	return applyItems(ctx, in), nil
}

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
