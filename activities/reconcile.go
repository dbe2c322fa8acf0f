package activities

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"go.temporal.io/sdk/activity"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/target"
)

// normalizer is implemented by targets whose stored form differs from
// what orgsync maps (WORKPLACE fills in the login id and hire date): both
// sides of the drift comparison pass through it.
type normalizer interface {
	Normalize(model.Entity) model.Entity
}

// Drift is what a drift check of one kind found.
type Drift struct {
	Changed []string       // in the mappings and the target, but different there
	Removed []string       // in the mappings, missing from the target
	Unknown []model.Entity // in the target, neither mapped nor in the source
}

// planReconciled plans one stage. With {"reconcile":true} it first
// compares the target's list with the mappings (reconcileBefore), so the
// diff also repairs drift; the objects the target holds under keys the
// source lacks are planned as deletes, or with {"unmatched":"report"}
// only reported.
func (a *Activities) planReconciled(ctx context.Context, log *slog.Logger, in PlanInput) (plan.Stage, error) {
	runID, kind := in.RunID, in.Kind
	r := a.run(runID)
	if in.Reconcile == nil {
		on, reportOnly, err := a.Store.ReconcileRequested(ctx, runID)
		if err != nil {
			return plan.Stage{}, err
		}
		in.Reconcile = &on
		if reportOnly {
			in.Unmatched = plan.UnmatchedReport
		}
	}
	reportOnly := in.Unmatched == plan.UnmatchedReport
	if !*in.Reconcile {
		return a.Store.Plan(ctx, runID, r.Target, r.Company, kind)
	}
	unknown, err := a.reconcileBefore(ctx, log, runID, kind)
	if err != nil {
		return plan.Stage{}, fmt.Errorf("drift check of %s: %w", kind, err)
	}
	if !reportOnly {
		log.Info("unmatched objects planned for deletion", "count", len(unknown))
		st, err := a.Store.Plan(ctx, runID, r.Target, r.Company, kind, unknown...)
		if err != nil {
			return st, err
		}
		keys := make([]string, len(unknown))
		for i, e := range unknown {
			keys[i] = e.Key
		}
		where := strings.ToUpper(a.Config.Target)
		return st, a.Store.NoteKeys(ctx, runID, kind, plan.OpDelete, keys, where+" holds "+string(kind)+" ",
			", which the source lacks and orgsync did not write: planned for deletion by this reconcile (input \"unmatched\":\"report\" keeps such objects)")
	}
	st, err := a.Store.Plan(ctx, runID, r.Target, r.Company, kind)
	if err != nil {
		return plan.Stage{}, err
	}
	_, err = a.Store.AddUnknown(ctx, runID, kind, unknown, a.Config.Target)
	return st, err
}

// reconcileBefore reads the target's list of kind and compares it with the
// mappings; it marks what was changed or removed by hand, so the SQL diff
// that follows plans the repair, and returns the objects orgsync does not
// know (to be recorded after the diff). It does nothing, and says so in
// the log, when the target cannot list.
func (a *Activities) reconcileBefore(ctx context.Context, log *slog.Logger, runID string, kind model.Kind) ([]model.Entity, error) {
	lister, ok := a.Target.(target.Lister)
	if !ok {
		log.Warn("reconcile asked for, but target " + a.Config.Target + " cannot list what it holds: drift check skipped")
		return nil, nil
	}
	r := a.run(runID)
	norm := func(e model.Entity) model.Entity { return e }
	if n, ok := a.Target.(normalizer); ok {
		norm = n.Normalize
	}
	// What orgsync believes the target holds: key -> normalised hash.
	want := map[string][]byte{}
	if err := a.Store.Mappings(ctx, r.Target, r.Company, kind, func(e model.Entity) error {
		want[e.Key] = norm(e).Hash()
		return nil
	}); err != nil {
		return nil, err
	}
	var d Drift
	n := 0
	err := lister.List(ctx, kind, func(e model.Entity) error {
		if n++; n%500 == 0 {
			activity.RecordHeartbeat(ctx, n)
		}
		h, known := want[e.Key]
		if !known {
			d.Unknown = append(d.Unknown, e)
			return nil
		}
		delete(want, e.Key)
		if !bytes.Equal(h, norm(e).Hash()) {
			d.Changed = append(d.Changed, e.Key)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for k := range want {
		d.Removed = append(d.Removed, k)
	}
	sort.Strings(d.Changed)
	sort.Strings(d.Removed)
	if err := a.Store.MarkDrift(ctx, r.Target, r.Company, kind, d.Changed, d.Removed); err != nil {
		return nil, err
	}
	// Objects the source has but no mapping names are adopted by the diff
	// (create, then update on "exists"): they are not unknown.
	keys := make([]string, len(d.Unknown))
	for i, e := range d.Unknown {
		keys[i] = e.Key
	}
	inSource, err := a.Store.InSnapshot(ctx, runID, kind, keys)
	if err != nil {
		return nil, err
	}
	unknown := d.Unknown[:0]
	for _, e := range d.Unknown {
		if !inSource[e.Key] {
			unknown = append(unknown, e)
		}
	}
	sort.Slice(unknown, func(i, j int) bool { return unknown[i].Key < unknown[j].Key })
	log.Info("drift check", "listed", n, "changed", len(d.Changed), "removed", len(d.Removed), "unknown", len(unknown))
	return unknown, nil
}
