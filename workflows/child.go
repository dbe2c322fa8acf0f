package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/orgsync/orgsync/activities"
	"github.com/orgsync/orgsync/internal/plan"
)

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
