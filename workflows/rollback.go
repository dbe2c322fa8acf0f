package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
)

// fail ends a run whose stage failed (every attempted item failed, or it
// stopped: auth, sync switch OFF, cancel), after compensating per policy.
func (w *orgSync) fail(ctx workflow.Context, rep Report, failedStage, msg string) (Report, error) {
	rep.Undo = w.rollback(ctx, failedStage)
	status := plan.RunFailed
	if u := rep.Undo; u != nil {
		rep.RolledBack = u.Restored
		msg += "; " + undoSummary(u)
		if w.exact {
			// The status says whether the target is back where it was.
			status = plan.RunRollbackIncomplete
			if u.Restored {
				status = plan.RunRolledBack
			}
		}
	}
	return w.finish(ctx, rep, status, failedStage, msg)
}

// rollback compensates per the run's policy after failedStage stopped the
// run: `stage` undoes what that stage applied, `run` undoes everything
// the run applied, newest first. Compensation runs on a disconnected
// context so it also happens, and ends, when the run is cancelled. It
// returns nil when the policy is none.
func (w *orgSync) rollback(ctx workflow.Context, failedStage string) *plan.UndoReport {
	policy := w.settings.Rollback
	if policy != plan.RollbackStage && policy != plan.RollbackRun {
		return nil
	}
	if ctx.Err() != nil || w.exact {
		// exact-compensation: a cancel that arrives during compensation
		// does not stop it half-way either.
		dctx, cancel := workflow.NewDisconnectedContext(ctx)
		defer cancel()
		ctx = dctx
	}
	var undo []plan.Range
	for _, r := range undoOrder(w.plans) {
		if policy == plan.RollbackRun || r.Kind == model.Kind(failedStage) {
			undo = append(undo, r)
		}
	}
	w.setStage(ctx, "rollback", plan.RunRunning)
	workflow.GetLogger(ctx).Info("rolling back", "policy", policy, "failedStage", failedStage)
	return w.compensate(ctx, undo, policy)
}

// compensate undoes the items of ranges in the order given and counts
// the outcome. The target is back where it was when every applied item
// was undone: none failed, none left as not undoable, none unreached.
func (w *orgSync) compensate(ctx workflow.Context, ranges []plan.Range, policy string) *plan.UndoReport {
	c, abort := w.applyRanges(ctx, ranges, true, true)
	return &plan.UndoReport{Policy: policy, Undone: c.Applied, Failed: c.Failed, NotUndoable: c.NotUndoable,
		Restored: abort == "" && c.Failed == 0 && c.NotUndoable == 0}
}

// undoOrder is the ranges of a plan newest write first: the reverse of
// the order in which a run applies them (upserts stage by stage, then
// deletes in reverse stage order). Undoing in this order moves members
// back out of departments before those are deleted, and re-creates
// parents before their children.
func undoOrder(stages []plan.Stage) []plan.Range {
	var applied []plan.Range
	for _, st := range stages {
		applied = append(applied, st.Upserts...)
	}
	for _, st := range reversed(stages) {
		applied = append(applied, st.Removals...)
	}
	out := make([]plan.Range, 0, len(applied))
	for i := len(applied) - 1; i >= 0; i-- {
		out = append(out, applied[i])
	}
	return out
}

// undoSummary says in words whether compensation put the target back.
func undoSummary(u *plan.UndoReport) string {
	if u.Restored && u.Undone == 0 {
		return fmt.Sprintf("rollback (%s): nothing to undo", u.Policy)
	}
	if u.Restored {
		return fmt.Sprintf("rolled back (%s): %d writes undone, the target is back where it was", u.Policy, u.Undone)
	}
	return fmt.Sprintf("rollback (%s) incomplete: %d undone, %d undo failed, %d not undoable: the target is NOT back where it was (see starter report)",
		u.Policy, u.Undone, u.Failed, u.NotUndoable)
}
