package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/orgsync/orgsync/activities"
	"github.com/orgsync/orgsync/internal/plan"
)

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

// count adds a range's outcome to the progress query's answer.
func (w *orgSync) count(res activities.SpanResult, items int, undo bool) {
	w.progress.Done += res.Counts.Applied + res.Counts.Skipped
	w.progress.Failed += res.Counts.Failed
	if !undo || w.in.Undo != "" { // an undo run counts down what it compensates
		w.progress.Remaining -= items
	}
}
