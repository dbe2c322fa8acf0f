package activities

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/internal/target"
)

// ApplyItem writes one plan item to the target and records the outcome.
// It is idempotent: a create of a key the target already has becomes an
// update, a delete of a missing key counts as done, and an item already
// closed is not written again. So a worker killed between the remote call
// and the database write repeats a harmless call. It heartbeats only while
// an item waits (keepAlive), so a dead worker is noticed within the
// heartbeat timeout.
//
// Failures the target will repeat (invalid data, auth, sync switch OFF)
// close the item and return a result, not an error, so Temporal does not
// retry them; 5xx return an error until the last attempt. Throttling
// hardly reaches here (the transport waits it out) and never closes an
// item: it returns an error on every attempt, and the workflow starts an
// item whose attempts all ended throttled afresh.
func (a *Activities) ApplyItem(ctx context.Context, in ApplyInput) (ApplyResult, error) {
	defer keepAlive(ctx, time.Second)()
	info := activity.GetInfo(ctx)
	last := info.RetryPolicy != nil && info.RetryPolicy.MaximumAttempts > 0 && info.Attempt >= info.RetryPolicy.MaximumAttempts
	r, err := a.applyOne(ctx, in, last)
	a.countItem(ctx, plan.KindOfSeq(in.Seq), r.Status, err)
	return r, err
}

// countItem counts an item's outcome, or a retry when err is set.
func (a *Activities) countItem(ctx context.Context, kind model.Kind, status string, err error) {
	if err != nil {
		status = "retry"
	}
	if a.Meter != nil && status != "" {
		a.Meter.Item(ctx, kind, status)
	}
}

// applyOne applies or compensates one item; last says whether a
// retryable failure is final.
func (a *Activities) applyOne(ctx context.Context, in ApplyInput, last bool) (ApplyResult, error) {
	it, err := a.Store.GetItem(ctx, in.RunID, in.Seq)
	if err != nil {
		return ApplyResult{}, err
	}
	if err := a.owns(it.RunID, it.Target, it.Company); err != nil {
		return ApplyResult{}, err
	}
	ctx, throttles := a.countThrottles(ctx, in.RunID)
	defer throttles(it.Kind)
	if in.Undo {
		return a.undo(ctx, it, last)
	}
	return a.apply(ctx, it, last, a.Store.Applied)
}

// recordFunc records that the target holds what an item asked for.
type recordFunc func(ctx context.Context, it store.Item, status string) error

// apply writes an item read from the plan, unless it is closed already or
// refers to a record the target lacks.
func (a *Activities) apply(ctx context.Context, it store.Item, last bool, applied recordFunc) (ApplyResult, error) {
	if it.Status != plan.StatusPending {
		return ApplyResult{Status: it.Status}, nil
	}
	if it.Op != plan.OpDelete && it.MissingKey != "" {
		msg := fmt.Sprintf("not sent: %s %s is not in the target (its own write failed or was skipped)", it.MissingField, it.MissingKey)
		a.logger(ctx, "runId", it.RunID, "stage", it.Kind, "key", it.Key, "op", it.Op).Info("item skipped", "reason", msg)
		return ApplyResult{Status: plan.StatusSkipped}, a.Store.Failed(ctx, it, plan.StatusSkipped, true, it.MissingField, "dependency", msg)
	}
	err := a.put(ctx, &it)
	return a.record(ctx, it, err, plan.StatusApplied, plan.StatusFailed, last, applied)
}

// undo compensates one applied item by what it did (compensation):
// what the run created is deleted, what it changed or deleted is put back
// from an exact pre-image, and anything else is left and reported.
func (a *Activities) undo(ctx context.Context, it store.Item, last bool) (ApplyResult, error) {
	if it.Status != plan.StatusApplied && it.Status != plan.StatusUndoFailed {
		// Never applied, or compensated before (a second undo): nothing
		// to do, and nothing to count.
		return ApplyResult{}, nil
	}
	op, e, why := compensation(it)
	if why != "" {
		a.logger(ctx, "runId", it.RunID, "stage", it.Kind, "key", it.Key, "op", it.Op).Info("item not undoable", "effect", it.Effect)
		return ApplyResult{Status: plan.StatusNotUndoable}, a.Store.Failed(ctx, it, plan.StatusNotUndoable, true, "", "not_undoable", why)
	}
	var err error
	if op != "" {
		err = a.write(ctx, op, e, it.Kind, it.Key)
	}
	return a.record(ctx, it, err, plan.StatusUndone, plan.StatusUndoFailed, last, a.Store.Applied)
}

// write performs op, absorbing what a repeated or racing call produces.
// Compensation uses it; applying a plan item goes through put, which also
// records what the write did.
func (a *Activities) write(ctx context.Context, op string, e model.Entity, kind model.Kind, key string) error {
	switch op {
	case plan.OpCreate:
		err := a.Target.Create(ctx, e)
		if target.ClassOf(err) == target.Exists {
			err = a.Target.Update(ctx, e)
		}
		return err
	case plan.OpUpdate:
		err := a.Target.Update(ctx, e)
		if target.ClassOf(err) == target.NotFound { // removed by hand in the target
			err = a.Target.Create(ctx, e)
		}
		return err
	case plan.OpDelete:
		err := a.Target.Delete(ctx, kind, key)
		if target.ClassOf(err) == target.NotFound {
			err = nil
		}
		return err
	}
	return fmt.Errorf("unknown plan operation %q", op)
}

// record stores the outcome of a write and decides between a result and a
// retryable error.
func (a *Activities) record(ctx context.Context, it store.Item, err error, okStatus, failStatus string, last bool, applied recordFunc) (ApplyResult, error) {
	if note := target.NoteOf(err); err == nil || note != "" {
		if err := applied(ctx, it, okStatus); err != nil {
			return ApplyResult{}, err
		}
		if note != "" { // done, on an answer the report must show
			if err := a.Store.Note(ctx, it.RunID, it.Seq, note); err != nil {
				return ApplyResult{}, err
			}
		}
		return ApplyResult{Status: okStatus}, nil
	}
	log := a.logger(ctx, "runId", it.RunID, "stage", it.Kind, "key", it.Key, "op", it.Op)
	class := target.ClassOf(err)
	// The target's own words (target.Text) may repeat the data sent: they
	// go to Postgres with the item; the error returned to Temporal and the
	// log carry the kind, key, class, status and code only.
	code, msg := "", target.Text(err)
	var te *target.Error
	if errors.As(err, &te) {
		code = te.Code
	}
	// Throttling is waiting, not failure: it never closes an item, even
	// on the last attempt (the workflow then starts the item afresh).
	if class == target.Throttled || (class.Retryable() && !last) {
		log.Warn("item attempt failed, will retry", "class", class, "code", code)
		if err := a.Store.Failed(ctx, it, failStatus, false, "", code, msg); err != nil {
			return ApplyResult{}, err
		}
		return ApplyResult{}, retryLater(ctx, err)
	}
	log.Warn("item failed", "class", class, "code", code, "error", err.Error())
	if err := a.Store.Failed(ctx, it, failStatus, true, "", code, msg); err != nil {
		return ApplyResult{}, err
	}
	return ApplyResult{Status: failStatus, Class: class}, nil
}

// keepAlive heartbeats every interval until the returned stop is called,
// so that the workflow's short heartbeat timeout tells a dead worker from
// an item that is only waiting (for the rate limiter, a slow answer).
// Items that finish within the interval never heartbeat.
func keepAlive(ctx context.Context, every time.Duration) (stop func()) {
	if !activity.IsActivity(ctx) {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return func() { close(done) }
}

// retryLater asks Temporal to retry after a jittered, growing delay:
// items throttled together must not come back together (the retry policy
// itself has no jitter), or a rate-limited target throttles them again.
func retryLater(ctx context.Context, err error) error {
	if !activity.IsActivity(ctx) {
		return err // called outside an activity (tests)
	}
	attempt := max(1, int(activity.GetInfo(ctx).Attempt))
	base := min(time.Second<<(attempt-1), 20*time.Second)
	delay := base/2 + time.Duration(rand.Int64N(int64(base)))
	return temporal.NewApplicationErrorWithOptions(err.Error(), string(target.ClassOf(err)),
		temporal.ApplicationErrorOptions{NextRetryDelay: delay, Cause: err})
}
