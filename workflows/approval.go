package workflows

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/orgsync/orgsync/activities"
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
