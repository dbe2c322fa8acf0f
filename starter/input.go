package main

// The flags that become a run's workflows.Input (sync, plan, schedule).

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/workflows"
)

// inputFlags mirror workflows.Input.
type inputFlags struct {
	dryRun, approveDeletes, reconcile bool
	stages                            []string
	rollback, unmatched               string
	deleteLimit                       int
}

func (f *inputFlags) add(fs *pflag.FlagSet) {
	fs.BoolVar(&f.dryRun, "dry-run", false, "plan only: show what would change and write nothing")
	fs.StringSliceVar(&f.stages, "stage", nil, "stages to run (grade, position, department, employee; repeat or comma-separate; default all)")
	fs.StringVar(&f.rollback, "rollback", "", "rollback policy for this run: none, stage or run (default ORGSYNC_ROLLBACK)")
	f.addLimit(fs)
	fs.BoolVar(&f.reconcile, "reconcile", false, "also read the target's lists (where it has them) and plan fixes for drift")
	fs.StringVar(&f.unmatched, "unmatched", "", "with --reconcile, objects the target holds under keys the source lacks: delete (default) or report")
}

// addLimit adds the flags of the delete limit alone (undo takes no others).
func (f *inputFlags) addLimit(fs *pflag.FlagSet) {
	fs.IntVar(&f.deleteLimit, "delete-limit", 0, "deletes per kind allowed without approval (default ORGSYNC_DELETE_LIMIT)")
	fs.BoolVar(&f.approveDeletes, "approve-deletes", false, "approve deletes over the limit in advance")
}

// input builds the workflow input; only flags that were given are set, so
// the worker's defaults apply to the rest.
func (f *inputFlags) input(fs *pflag.FlagSet) (workflows.Input, error) {
	in := workflows.Input{DryRun: f.dryRun, Rollback: f.rollback, ApproveDeletes: f.approveDeletes, Reconcile: f.reconcile,
		Unmatched: f.unmatched}
	switch f.unmatched {
	case "", plan.UnmatchedDelete, plan.UnmatchedReport:
	default:
		return in, usageErr(fmt.Errorf("--unmatched: %q is not one of delete, report", f.unmatched))
	}
	for _, s := range f.stages {
		s = strings.TrimSpace(s)
		if _, ok := model.ParseKind(s); !ok {
			return in, usageErr(fmt.Errorf("--stage: %q is not one of grade, position, department, employee", s))
		}
		in.Stages = append(in.Stages, s)
	}
	if f.rollback != "" {
		if err := plan.CheckRollback(f.rollback); err != nil {
			return in, usageErr(fmt.Errorf("--rollback: %w", err))
		}
	}
	var err error
	in.DeleteLimit, err = f.limit(fs)
	return in, err
}

// limit is --delete-limit when it was given (nil: the worker's
// ORGSYNC_DELETE_LIMIT applies), refused when negative.
func (f *inputFlags) limit(fs *pflag.FlagSet) (*int, error) {
	if !fs.Changed("delete-limit") {
		return nil, nil
	}
	n := f.deleteLimit
	if n < 0 {
		return nil, usageErr(fmt.Errorf("--delete-limit: must not be negative, got %d", n))
	}
	return &n, nil
}
