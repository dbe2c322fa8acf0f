package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/source"
	"github.com/orgsync/orgsync/internal/store"
)

func (a *Activities) run(runID string) store.Run {
	return store.Run{RunID: runID, Target: a.Config.Target, Company: a.Config.CompanyID}
}

func (a *Activities) logger(ctx context.Context, args ...any) *slog.Logger {
	l := a.Log
	if l == nil {
		l = slog.Default()
	}
	info := activity.GetInfo(ctx)
	return l.With(append([]any{"workflowId", info.WorkflowExecution.ID, "activity", info.ActivityType.Name, "attempt", info.Attempt}, args...)...)
}

// BeginRun records the run, takes the company's sync lock and returns the
// worker's settings for it.
func (a *Activities) BeginRun(ctx context.Context, in BeginInput) (Settings, error) {
	if err := a.checkInput(in.Input.Company); err != nil {
		return Settings{}, err
	}
	// Validated at start-up (config.Validate); a worker built without it
	// fails here rather than waiting 0 s for an approval.
	limit, err := config.ParseDeleteLimit(a.Config.DeleteLimit)
	if err != nil {
		return Settings{}, temporal.NewNonRetryableApplicationError("ORGSYNC_DELETE_LIMIT: "+err.Error(), "config", nil)
	}
	timeout, err := a.Config.ApproveWait()
	if err != nil {
		return Settings{}, temporal.NewNonRetryableApplicationError("ORGSYNC_APPROVE_TIMEOUT: "+err.Error(), "config", nil)
	}
	info := activity.GetInfo(ctx)
	r := a.run(info.WorkflowExecution.RunID)
	r.WorkflowID = info.WorkflowExecution.ID
	r.Input, _ = json.Marshal(in.Input) // plain struct: cannot fail
	if err := a.Store.BeginRun(ctx, r); err != nil {
		return Settings{}, err
	}
	if err := a.guard(ctx, r.RunID); err != nil { // begun by another company's worker
		return Settings{}, err
	}
	holder, ok, err := a.Store.AcquireLock(ctx, r)
	if err != nil {
		return Settings{}, err
	}
	if !ok {
		alive, err := a.alive(ctx, holder)
		if err != nil {
			return Settings{}, err
		}
		if alive {
			msg := fmt.Sprintf("another sync of %s company %s is running (workflow %s, run %s); this run does nothing",
				r.Target, r.Company, holder.WorkflowID, holder.RunID)
			// Close this run's row too, so it does not read "running" for ever.
			rep := plan.Report{RunID: r.RunID, Status: plan.RunFailed, Message: msg}
			if err := a.Store.FinishRun(ctx, r.RunID, rep.Status, rep); err != nil {
				return Settings{}, err
			}
			return Settings{}, temporal.NewNonRetryableApplicationError(msg, ErrAlreadyRunning, nil)
		}
		if stolen, err := a.Store.StealLock(ctx, r, holder); err != nil || !stolen {
			return Settings{}, fmt.Errorf("take over the sync lock from ended run %s: %v", holder.RunID, err)
		}
		a.logger(ctx).Warn("took over the sync lock from a run that ended without releasing it", "holderRunId", holder.RunID)
	}
	return Settings{
		RunID: r.RunID, Target: r.Target, Company: r.Company, Rollback: a.Config.Rollback,
		DeleteLimit: limit, ApproveTimeout: timeout, Window: a.Config.ApplyWindow, SearchAttributes: a.SearchAttributes,
		Name: a.Config.CompanyName(),
	}, nil
}

// alive asks Temporal whether the holder of a lock is still running. Only
// an answer decides: a failed question (Temporal restarting, a deadline)
// is a retryable error, never "another sync is running".
func (a *Activities) alive(ctx context.Context, h store.Holder) (bool, error) {
	if a.Temporal == nil {
		return true, nil // cannot tell: be safe
	}
	d, err := a.Temporal.DescribeWorkflowExecution(ctx, h.WorkflowID, h.RunID)
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("ask Temporal whether run %s, holder of the sync lock, still runs: %w", h.RunID, err)
	}
	return d.WorkflowExecutionInfo.Status == enums.WORKFLOW_EXECUTION_STATUS_RUNNING, nil
}

// PlanStage reads the source for one stage (unless an earlier stage of
// this run already did), validates it, diffs it against the mappings and
// writes the plan items. It returns counts and ranges only.
func (a *Activities) PlanStage(ctx context.Context, in PlanInput) (plan.Stage, error) {
	defer keepAlive(ctx, 5*time.Second)()
	if err := a.guard(ctx, in.RunID); err != nil {
		return plan.Stage{}, err
	}
	log := a.logger(ctx, "runId", in.RunID, "stage", in.Kind)
	r := a.run(in.RunID)
	loaded, err := a.Store.Loaded(ctx, in.RunID, in.Kind)
	if err != nil {
		return plan.Stage{}, err
	}
	if !loaded {
		n := 0
		counts, err := a.Store.LoadSnapshot(ctx, in.RunID, a.Source.Loads(in.Kind), func(emit model.Emit) error {
			return a.Source.Fetch(ctx, in.Kind, func(e model.Entity, fe *model.FieldError) error {
				if n++; n%500 == 0 {
					activity.RecordHeartbeat(ctx, n)
				}
				return emit(e, fe)
			})
		})
		if err != nil {
			var se *source.Error
			// A source error is final unless our own context ended (a
			// stopping worker): then another attempt reads again.
			if errors.As(err, &se) && ctx.Err() == nil {
				return plan.Stage{}, temporal.NewNonRetryableApplicationError("read the source: "+se.Msg, ErrSource, nil)
			}
			return plan.Stage{}, fmt.Errorf("read the source for %s: %w", in.Kind, err)
		}
		log.Info("source read", "records", counts)
	}
	if err := a.Store.CheckSnapshot(ctx, in.RunID, r.Target, r.Company, in.Kind); err != nil {
		return plan.Stage{}, err
	}
	// The diff; with {"reconcile":true} after comparing the target's list
	// with the mappings, so it also repairs drift (activities/reconcile.go).
	st, err := a.planReconciled(ctx, log, in)
	if err != nil {
		return plan.Stage{}, err
	}
	if err := a.review(ctx, in.RunID, in.Kind); err != nil { // activities/review.go
		return plan.Stage{}, err
	}
	if err := a.Store.SavePlan(ctx, in.RunID, st); err != nil {
		return plan.Stage{}, err
	}
	log.Info("stage planned", "creates", st.Creates, "updates", st.Updates, "deletes", st.Deletes,
		"unchanged", st.Unchanged, "invalid", st.Invalid)
	if a.Meter != nil {
		a.Meter.Planned(ctx, st)
	}
	return st, nil
}

// FinishRun closes what the run left pending (unless it was a dry run),
// counts the outcome per stage, stores the report, frees the lock and
// purges the records of runs past ORGSYNC_RETENTION.
func (a *Activities) FinishRun(ctx context.Context, in FinishInput) (plan.Report, error) {
	rep := in.Report
	if err := a.guard(ctx, rep.RunID); err != nil {
		return rep, err
	}
	r := a.run(rep.RunID)
	if !rep.DryRun {
		reason := "not applied: the run ended with status " + rep.Status
		switch {
		case rep.FailedStage != "":
			reason += " at stage " + rep.FailedStage
		case rep.DeletesHeld && !rep.DeletesApproved:
			reason = "not applied: the deletes were over the limit and not approved in time"
		}
		if err := a.Store.FailPending(ctx, rep.RunID, reason); err != nil {
			return rep, err
		}
	}
	stages, err := a.Store.StageReports(ctx, rep.RunID)
	if err != nil {
		return rep, err
	}
	rep.Stages = stages
	if err := a.Store.FinishRun(ctx, rep.RunID, rep.Status, rep); err != nil {
		return rep, err
	}
	if err := a.Store.DropSnapshot(ctx, rep.RunID); err != nil {
		return rep, err
	}
	if err := a.Store.ReleaseLock(ctx, r); err != nil {
		return rep, err
	}
	a.logger(ctx, "runId", rep.RunID).Info("run finished", "status", rep.Status, "failedStage", rep.FailedStage)
	a.purgeExpired(ctx, rep.RunID)
	return rep, nil
}

// StatusInput records where a run is, for `starter status` and the runs
// table (the progress query answers the same from the workflow).
type StatusInput struct {
	RunID  string `json:"runId"`
	Stage  string `json:"stage"`
	Status string `json:"status"`
}

// SetStatus records a run's stage and status in Postgres.
func (a *Activities) SetStatus(ctx context.Context, in StatusInput) error {
	if err := a.guard(ctx, in.RunID); err != nil {
		return err
	}
	return a.Store.SetStage(ctx, in.RunID, in.Stage, in.Status)
}
