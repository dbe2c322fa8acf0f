package activities

import (
	"context"
	"sync/atomic"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/throttle"
)

// countThrottles returns a ctx under which the target's throttled answers
// are counted, and the function that adds them to the run's report (the
// 429 count of each stage) when the work under ctx is done.
func (a *Activities) countThrottles(ctx context.Context, runID string) (context.Context, func(kind model.Kind)) {
	cctx, n := throttle.Counting(ctx)
	return cctx, func(kind model.Kind) { a.addThrottles(ctx, runID, kind, n) }
}

func (a *Activities) addThrottles(ctx context.Context, runID string, kind model.Kind, n *atomic.Int64) {
	if c := n.Load(); c > 0 {
		if err := a.Store.AddThrottled(context.WithoutCancel(ctx), runID, string(kind), c); err != nil {
			a.logger(ctx, "runId", runID, "stage", kind).Warn("cannot count throttled answers", "error", err)
		}
	}
}
