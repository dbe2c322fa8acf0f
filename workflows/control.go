package workflows

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/orgsync/orgsync/activities"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
)

// handlers registers the progress query and the approve-deletes update
// and signal (the signal is for clients that cannot send updates).
func (w *orgSync) handlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (Progress, error) { return w.progress, nil }); err != nil {
		return err
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateApproveDeletes,
		func(ctx workflow.Context, in ApproveInput) (string, error) {
			w.approve(in)
			return "deletes approved", nil
		},
		workflow.UpdateHandlerOptions{Validator: func(in ApproveInput) error {
			if w.in.DryRun {
				return errors.New("a dry run deletes nothing: there is nothing to approve")
			}
			if w.exact && !w.waiting {
				// Approval covers a plan someone could see: the one this
				// run holds while it waits, not one still to be made.
				return fmt.Errorf("the run is not waiting for approval (stage %s, status %s): there is nothing to approve", w.progress.Stage, w.progress.Status)
			}
			return nil
		}})
	if err != nil {
		return err
	}
	ch := workflow.GetSignalChannel(ctx, SignalApproveDeletes)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var in ApproveInput
			ch.Receive(ctx, &in)
			if !w.exact || w.waiting {
				w.approve(in)
			} else {
				workflow.GetLogger(ctx).Warn("approve-deletes signal ignored: the run is not waiting for approval")
			}
		}
	})
	return nil
}

// awaitApproval holds the deletes until someone approves them or the
// timeout passes. Approval covers exactly the plan already stored.
func (w *orgSync) awaitApproval(ctx workflow.Context) bool {
	if w.approved {
		return true
	}
	w.setStage(ctx, "approval", plan.RunWaitingApproval)
	w.waiting = true
	defer func() { w.waiting = false }()
	// Version 1 also shows the wait in the runs table, for operators who
	// look there rather than at the progress query.
	recorded := workflow.GetVersion(ctx, "runs-table-approval-status", workflow.DefaultVersion, 1) == 1
	if recorded {
		w.recordStatus(ctx, "approval", plan.RunWaitingApproval)
	}
	workflow.GetLogger(ctx).Info("deletes over the limit: waiting for approve-deletes", "timeout", w.settings.ApproveTimeout)
	ok, err := workflow.AwaitWithTimeout(ctx, w.settings.ApproveTimeout, func() bool { return w.approved })
	w.progress.Status = plan.RunRunning
	if recorded {
		w.recordStatus(ctx, "approval", plan.RunRunning)
	}
	return err == nil && ok
}

// approve takes an approval; the first approver is the one recorded.
func (w *orgSync) approve(in ApproveInput) {
	if !w.approved {
		w.approver = in.By
	}
	w.approved = true
}

// recordApproval stores who approved the held deletes and which plan
// (counts and a digest of its items), for `starter report`.
func (w *orgSync) recordApproval(ctx workflow.Context) *plan.Approval {
	by := w.approver
	if by == "" {
		by = "unnamed"
		if w.in.ApproveDeletes {
			by = "the run's input (approveDeletes)"
		}
	}
	var out plan.Approval
	in := activities.ApprovalInput{RunID: w.settings.RunID, Items: w.items, By: by}
	for _, st := range w.plans {
		in.Creates, in.Updates, in.Deletes = in.Creates+st.Creates, in.Updates+st.Updates, in.Deletes+st.Deletes
	}
	err := workflow.ExecuteActivity(withShort(ctx), a.RecordApproval, in).Get(ctx, &out)
	if err != nil {
		workflow.GetLogger(ctx).Warn("could not record the approval", "error", err)
		return &plan.Approval{By: by}
	}
	return &out
}

// deletesOverLimit reports whether any kind would delete more than its
// limit allows: a source that suddenly returns nothing is held here.
func (w *orgSync) deletesOverLimit() bool {
	for _, st := range w.plans {
		if st.Deletes > w.settings.DeleteLimit.Allowed(st.Current) {
			return true
		}
	}
	return false
}

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

func (w *orgSync) setStage(ctx workflow.Context, stage, status string) {
	w.progress.Stage, w.progress.Status = stage, status
	if !w.settings.SearchAttributes {
		return
	}
	_ = workflow.UpsertTypedSearchAttributes(ctx,
		stageKey.ValueSet(stage), statusKey.ValueSet(status))
}

var (
	stageKey   = temporal.NewSearchAttributeKeyKeyword("OrgSyncStage")
	statusKey  = temporal.NewSearchAttributeKeyKeyword("OrgSyncStatus")
	changedKey = temporal.NewSearchAttributeKeyInt64("OrgSyncChanged")
	failedKey  = temporal.NewSearchAttributeKeyInt64("OrgSyncFailed")
)

func (w *orgSync) upsertSearchAttributes(ctx workflow.Context, rep Report) {
	if !w.settings.SearchAttributes {
		return
	}
	var changed, failed int64
	for _, s := range rep.Stages {
		changed += int64(s.Created + s.Updated + s.Deleted)
		failed += int64(s.Failed)
	}
	_ = workflow.UpsertTypedSearchAttributes(ctx, statusKey.ValueSet(rep.Status),
		changedKey.ValueSet(changed), failedKey.ValueSet(failed))
}

// ErrText is the innermost message of an activity, child or workflow
// failure: the one a person needs (the starter prints it too).
func ErrText(err error) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Message()
	}
	var we *temporal.WorkflowExecutionError
	if errors.As(err, &we) && errors.Unwrap(we) != nil {
		return errors.Unwrap(we).Error()
	}
	return err.Error()
}

// recordStatus writes the run's stage and status to Postgres; a failure to
// do so is logged, not fatal: the table is a convenience.
func (w *orgSync) recordStatus(ctx workflow.Context, stage, status string) {
	err := workflow.ExecuteActivity(withShort(ctx), a.SetStatus, activities.StatusInput{RunID: w.settings.RunID, Stage: stage, Status: status}).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Warn("could not record the run status", "error", err)
	}
}
