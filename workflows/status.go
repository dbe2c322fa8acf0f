package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/orgsync/orgsync/activities"
)

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

// recordStatus writes the run's stage and status to Postgres; a failure to
// do so is logged, not fatal: the table is a convenience.
func (w *orgSync) recordStatus(ctx workflow.Context, stage, status string) {
	err := workflow.ExecuteActivity(withShort(ctx), a.SetStatus, activities.StatusInput{RunID: w.settings.RunID, Stage: stage, Status: status}).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Warn("could not record the run status", "error", err)
	}
}
