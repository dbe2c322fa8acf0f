package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/internal/target"
)

// put writes one plan item and records in it what the write did to the
// target (it.Effect) and, where it can know it exactly, what the target
// held before (it.PreImage, it.PreExact), so that undo touches only what
// this run did and restores only what it knows.
//
// A create answered "exists" adopts the item: it was the administrator's
// (mapped in the console) or, on a retry, maybe ours from a try whose
// reply was lost; either way undo never deletes it. Before changing an
// adopted item, or one whose mapping is not orgsync's own full write (key
// sheet, drift), a target that can read (target.Reader) is asked what it
// holds.
func (a *Activities) put(ctx context.Context, it *store.Item) error {
	switch it.Op {
	case plan.OpCreate:
		err := a.Target.Create(ctx, it.Entity)
		if target.ClassOf(err) != target.Exists {
			it.Effect = plan.EffectCreated
			return err
		}
		it.Effect, it.PreImage, it.PreExact = plan.EffectAdopted, nil, false
		if !earlierTry(ctx, *it) {
			// First try: nobody but the target's owner made this item,
			// so what it holds now is what undo puts back.
			if err := a.readPre(ctx, it); err != nil {
				return err
			}
		}
		return a.Target.Update(ctx, it.Entity)
	case plan.OpUpdate:
		if !it.PreExact {
			if err := a.readPre(ctx, it); err != nil {
				return err
			}
		}
		it.Effect = plan.EffectUpdated
		err := a.Target.Update(ctx, it.Entity)
		if target.ClassOf(err) == target.NotFound { // removed by hand in the target: nothing to restore
			it.Effect, it.PreImage, it.PreExact = plan.EffectCreated, nil, false
			err = a.Target.Create(ctx, it.Entity)
		}
		return err
	case plan.OpDelete:
		// Read first where the target can: a delete of a missing item may
		// answer success, and undo must not re-create what was not there.
		if _, reads := a.Target.(target.Reader); reads {
			it.PreImage, it.PreExact = nil, false
			if err := a.readPre(ctx, it); err != nil {
				return err
			}
			if it.PreImage == nil {
				it.Effect = plan.EffectNone
				return nil
			}
		}
		it.Effect = plan.EffectDeleted
		err := a.Target.Delete(ctx, it.Kind, it.Key)
		if target.ClassOf(err) == target.NotFound {
			it.Effect, err = plan.EffectNone, nil // already gone: undo has nothing to put back
		}
		return err
	}
	return fmt.Errorf("unknown plan operation %q", it.Op)
}

// readPre reads the item from the target, when the target can read, as
// its exact pre-image. A missing item leaves the pre-image as it was; the
// write that follows finds it missing too.
func (a *Activities) readPre(ctx context.Context, it *store.Item) error {
	r, ok := a.Target.(target.Reader)
	if !ok {
		return nil
	}
	e, err := r.Get(ctx, it.Kind, it.Key)
	switch target.ClassOf(err) {
	case target.OK:
		e.Kind, e.Key = it.Kind, it.Key
		it.PreImage, it.PreExact = &e, true
		return nil
	case target.NotFound:
		return nil
	}
	return err
}

// earlierTry reports whether an earlier try of the item may have written
// it: a retried activity (the worker may have died after the call), or a
// failed attempt recorded in Postgres.
func earlierTry(ctx context.Context, it store.Item) bool {
	return it.Attempts > 0 || activity.IsActivity(ctx) && activity.GetInfo(ctx).Attempt > 1
}

// compensation is how to undo an applied item: the operation and body to
// send ("" when there is nothing to send), or why it cannot be undone.
// Undo never deletes what the run did not create, and puts back only a
// pre-image known to be exact.
func compensation(it store.Item) (op string, e model.Entity, whyNot string) {
	exact := it.PreExact && it.PreImage != nil
	switch it.Effect {
	case plan.EffectCreated:
		return plan.OpDelete, model.Entity{}, ""
	case plan.EffectNone:
		return "", model.Entity{}, ""
	case plan.EffectAdopted, plan.EffectUpdated:
		if exact {
			return plan.OpUpdate, *it.PreImage, ""
		}
		if it.Effect == plan.EffectAdopted {
			return "", model.Entity{}, "adopted: the target already held this key and orgsync does not know exactly what it held (it cannot read this target, or an earlier try may have written it); left as the run wrote it, never deleted"
		}
		return "", model.Entity{}, "updated: orgsync does not know exactly what the target held before (the mapping came from the key sheet or the target was changed by hand); left as the run wrote it"
	case plan.EffectDeleted:
		if exact {
			return plan.OpCreate, *it.PreImage, ""
		}
		return "", model.Entity{}, "deleted: orgsync does not know exactly what the target held, so it cannot re-create it"
	}
	return "", model.Entity{}, "applied before orgsync recorded what its writes did; left as the run wrote it"
}
