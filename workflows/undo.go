package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/orgsync/orgsync/activities"
	"github.com/orgsync/orgsync/internal/plan"
)

// undoRun compensates a finished run (input undo: `starter undo RUN`)
// instead of syncing: its writes newest first, each by what it did
// (activities.compensation), leaving what a later run wrote too. Its
// deletes wait for approval over the limit like any run's, and a dry run
// lists what it would do.
func (w *orgSync) undoRun(ctx workflow.Context, rep Report) (Report, error) {
	var up activities.UndoPlan
	err := workflow.ExecuteActivity(withShort(ctx), a.PlanUndo,
		activities.UndoInput{RunID: w.settings.RunID, Of: w.in.Undo, DryRun: w.in.DryRun}).Get(ctx, &up)
	if err != nil {
		return w.finish(ctx, rep, plan.RunFailed, "undo", fmt.Sprintf("undo of run %s refused: %s", w.in.Undo, ErrText(err)))
	}
	w.items, w.plans, rep.Plan = up.Of, up.Stages, up.Stages
	var creates, updates, deletes int
	for _, st := range up.Stages {
		creates, updates, deletes = creates+st.Creates, updates+st.Updates, deletes+st.Deletes
	}
	what := fmt.Sprintf("undo of run %s: re-create %d, restore %d, delete %d; leave %d not undoable and %d that a later run wrote",
		up.Of, creates, updates, deletes, up.NotUndoable, up.Later)
	if w.in.DryRun {
		return w.finish(ctx, rep, plan.RunDryRun, "", "dry run: "+what)
	}
	undo := undoOrder(w.plans)
	for _, r := range undo {
		w.progress.Remaining += r.Count()
	}
	if rep.DeletesHeld = w.deletesOverLimit(); rep.DeletesHeld {
		if rep.DeletesApproved = w.awaitApproval(ctx); !rep.DeletesApproved {
			return w.finish(ctx, rep, plan.RunFailed, "approval", what+": its deletes were over the limit and not approved; nothing was undone")
		}
		rep.Approval = w.recordApproval(ctx)
	}
	w.setStage(ctx, "undo", plan.RunRunning)
	u := w.compensate(ctx, undo, "undo")
	u.Of = up.Of
	u.NotUndoable += up.Later
	u.Restored = u.Restored && up.Later == 0
	rep.Undo, rep.RolledBack = u, u.Restored
	status := plan.RunCompleted
	if !u.Restored {
		status = plan.RunCompletedFailing
	}
	return w.finish(ctx, rep, status, "", undoSummary(u))
}
