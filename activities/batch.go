package activities

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/internal/target"
)

// BatchInput applies plan items Lo..Hi, or the Waves in order, in one
// activity: the opt-in batch mode for first loads, where one activity per
// entity is mostly overhead.
type BatchInput struct {
	RunID string `json:"runId"`
	plan.Span
	// Waves, when set, replaces Lo..Hi: each span is a wave whose items
	// refer to earlier waves' items, so it starts when the one before it
	// has ended.
	Waves []plan.Span `json:"waves,omitempty"`
}

// Inside a batch: items written at once, and tries of one item.
const (
	batchParallel = 16
	batchAttempts = 6
)

// ApplyBatch applies each item exactly as ApplyItem does (same idempotent
// write, same per-item outcome in Postgres), several at a time, retrying
// throttling and 5xx in place. If the worker dies, Temporal retries the
// batch and the items already closed are not written again.
func (a *Activities) ApplyBatch(ctx context.Context, in BatchInput) (SpanResult, error) {
	defer keepAlive(ctx, time.Second)()
	waves := in.Waves
	if len(waves) == 0 {
		waves = []plan.Span{in.Span}
	}
	var res SpanResult
	for _, w := range waves {
		if err := a.applyWave(ctx, in.RunID, w, &res); err != nil || res.Class != "" {
			return res, err
		}
	}
	return res, nil
}

// applyWave applies the items of one wave, batchParallel at a time, and
// adds their outcomes to res.
func (a *Activities) applyWave(ctx context.Context, runID string, w plan.Span, res *SpanResult) error {
	refs := make([]store.ItemRef, 0, w.Count())
	for seq := w.Lo; seq <= w.Hi; seq++ {
		refs = append(refs, store.ItemRef{RunID: runID, Seq: seq})
	}
	// One read for the wave: the items it refers to are in earlier waves,
	// which have ended.
	items, err := a.Store.GetItems(ctx, refs)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return nil
	}
	ctx, throttles := a.countThrottles(ctx, runID)
	defer throttles(items[0].Kind) // a wave is one kind's
	for _, it := range items {
		if err := a.owns(it.RunID, it.Target, it.Company); err != nil {
			return err
		}
	}
	var mu sync.Mutex
	out := &outcomes{store: a.Store}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(batchParallel)
	for _, it := range items {
		g.Go(func() error {
			r, err := a.applyRetrying(gctx, it, out.add)
			if err != nil {
				return err
			}
			a.countItem(ctx, it.Kind, r.Status, nil)
			mu.Lock()
			defer mu.Unlock()
			switch r.Status {
			case plan.StatusApplied:
				res.Counts.Applied++
			case plan.StatusFailed:
				res.Counts.Failed++
			case plan.StatusSkipped:
				res.Counts.Skipped++
			}
			if r.Class == target.Auth || r.Class == target.Forbidden {
				res.Class = r.Class
			}
			return nil
		})
	}
	// What was written is recorded even when the batch stops (a cancel,
	// a dead database connection): compensation reads it from Postgres.
	err = g.Wait()
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if ferr := out.flush(fctx); err == nil {
		err = ferr
	}
	return err
}

// outcomes gathers a wave's applied items and records them outcomesAtOnce
// at a time, so that the target's writes never wait for Postgres. If the
// worker dies, the items not yet recorded are written again when the
// batch is retried, which is safe (ApplyItem).
type outcomes struct {
	store *store.Store
	mu    sync.Mutex
	items []store.Outcome
}

const outcomesAtOnce = 32

func (o *outcomes) add(ctx context.Context, it store.Item, status string) error {
	o.mu.Lock()
	o.items = append(o.items, store.Outcome{Item: it, Status: status})
	full := len(o.items) >= outcomesAtOnce
	o.mu.Unlock()
	if !full {
		return nil
	}
	return o.flush(ctx)
}

// flush records what has gathered.
func (o *outcomes) flush(ctx context.Context) error {
	o.mu.Lock()
	items := o.items
	o.items = nil
	o.mu.Unlock()
	if len(items) == 0 {
		return nil
	}
	return o.store.AppliedAll(ctx, items)
}

// applyRetrying retries an item's retryable target failures with backoff;
// any other error (Postgres unreachable) fails the batch for Temporal to
// retry. Throttling does not use up the item's tries.
func (a *Activities) applyRetrying(ctx context.Context, it store.Item, applied recordFunc) (ApplyResult, error) {
	delay := time.Second
	for failures := 0; ; {
		r, err := a.apply(ctx, it, failures+1 >= batchAttempts, applied)
		var te *target.Error
		if err == nil || !target.ClassOf(err).Retryable() || !asTarget(err, &te) {
			return r, err
		}
		if te.Class != target.Throttled {
			failures++
		}
		a.countItem(ctx, it.Kind, "", err) // a retry, as ApplyItem's would be
		it.Attempts++                      // recorded by the failed try; an earlier try may have written (put)
		select {
		case <-ctx.Done():
			return r, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, 20*time.Second)
	}
}
