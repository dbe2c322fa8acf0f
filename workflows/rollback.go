package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
)

// rollback compensates per the run's policy after failedStage stopped the
// run: `stage` undoes what that stage applied, `run` undoes everything
// the run applied, newest first. Compensation runs on a disconnected
// context so it also happens when the run is cancelled.
func (w *orgSync) rollback(ctx workflow.Context, failedStage string) bool {
	policy := w.settings.Rollback
	if policy != "stage" && policy != "run" {
		return false
	}
	if ctx.Err() != nil {
		dctx, cancel := workflow.NewDisconnectedContext(ctx)
		defer cancel()
		ctx = dctx
	}
	var applied []plan.Range // in the order they were applied
	for _, st := range w.plans {
		applied = append(applied, st.Upserts...)
	}
	for _, st := range reversed(w.plans) {
		applied = append(applied, st.Removals...)
	}
	var undo []plan.Range
	for i := len(applied) - 1; i >= 0; i-- {
		if policy == "run" || applied[i].Kind == model.Kind(failedStage) {
			undo = append(undo, applied[i])
		}
	}
	w.setStage(ctx, "rollback", plan.RunRunning)
	workflow.GetLogger(ctx).Info("rolling back", "policy", policy, "failedStage", failedStage)
	w.applyRanges(ctx, undo, true, true)
	return true
}
