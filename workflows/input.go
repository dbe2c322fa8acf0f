package workflows

import (
	"fmt"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
)

// applyInput resolves the run's settings once: the worker's, which
// BeginRun read and start-up validated, overridden by the input's. The
// override stays here rather than in BeginRun: recorded BeginRun results
// hold the worker's values, and their runs must replay the same.
func (w *orgSync) applyInput() {
	if w.in.ApproveDeletes {
		w.approved = true
	}
	if w.in.Rollback != "" {
		w.settings.Rollback = w.in.Rollback
	}
	if w.in.DeleteLimit != nil {
		w.settings.DeleteLimit = plan.DeleteLimit{Set: true, Count: *w.in.DeleteLimit}
	}
}

func validateInput(in Input) error {
	if in.Rollback != "" {
		if err := plan.CheckRollback(in.Rollback); err != nil {
			return fmt.Errorf("input rollback: %v", err)
		}
	}
	if in.Batch < 0 || in.Batch > 1000 {
		return fmt.Errorf("input batch: must be between 0 and 1000, got %d", in.Batch)
	}
	if in.DeleteLimit != nil && *in.DeleteLimit < 0 {
		return fmt.Errorf("input deleteLimit: must not be negative, got %d", *in.DeleteLimit)
	}
	if in.Undo != "" && (len(in.Stages) > 0 || in.Reconcile || in.Batch > 0 || in.ApplyPlan != "") {
		return fmt.Errorf("input undo: undoes a whole run; stages, reconcile, batch and applyPlan do not apply to it")
	}
	switch in.Unmatched {
	case "", plan.UnmatchedDelete, plan.UnmatchedReport:
	default:
		return fmt.Errorf("input unmatched: %q is not one of delete, report", in.Unmatched)
	}
	return nil
}

// selectStages returns the requested stages in the fixed order, all of
// them when none are named.
func selectStages(names []string) ([]model.Kind, error) {
	if len(names) == 0 {
		return model.Kinds, nil
	}
	want := map[model.Kind]bool{}
	for _, n := range names {
		k, ok := model.ParseKind(n)
		if !ok {
			return nil, fmt.Errorf("input stages: %q is not one of grade, position, department, employee", n)
		}
		want[k] = true
	}
	var out []model.Kind
	for _, k := range model.Kinds {
		if want[k] {
			out = append(out, k)
		}
	}
	return out, nil
}
