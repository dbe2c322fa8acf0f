package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/orgsync/orgsync/activities"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
)

// a is only a method set for ExecuteActivity; the worker registers the
// real one with its dependencies.
var a *activities.Activities

// OrgSync runs one synchronisation: grade, position, department, employee.
func OrgSync(ctx workflow.Context, in Input) (Report, error) {
	w := &orgSync{in: in}
	return w.run(ctx)
}

type orgSync struct {
	in       Input
	settings activities.Settings
	kinds    []model.Kind
	plans    []plan.Stage // in stage order
	progress Progress
	approved bool
	// exact is the "exact-compensation" version: a cancel fails the
	// stage, compensation waits for writes in flight, approval is taken
	// only while the run waits and is recorded, a cancelled run ends
	// Canceled.
	exact    bool
	waiting  bool   // waiting for approve-deletes
	approver string // who approved
	// items is the run whose plan items are applied: this run, or the
	// run an undo run compensates.
	items   string
	company string // the company whose task queue runs the activities; "" = the shared queue
}

func (w *orgSync) run(ctx workflow.Context) (Report, error) {
	kinds, err := selectStages(w.in.Stages)
	if err != nil {
		return Report{}, temporal.NewNonRetryableApplicationError(err.Error(), "BadInput", nil)
	}
	if err := validateInput(w.in); err != nil {
		return Report{}, temporal.NewNonRetryableApplicationError(err.Error(), "BadInput", nil)
	}
	w.kinds = kinds
	w.progress.Status = plan.RunRunning
	w.exact = workflow.GetVersion(ctx, "exact-compensation", workflow.DefaultVersion, 1) == 1
	if err := w.handlers(ctx); err != nil {
		return Report{}, err
	}
	if ctx, err = w.begin(ctx); err != nil { // company.go
		return Report{}, err
	}
	w.applyInput()
	w.items = w.settings.RunID
	rep := Report{RunID: w.settings.RunID, DryRun: w.in.DryRun}
	if w.in.Undo != "" {
		return w.undoRun(ctx, rep)
	}

	if failed, msg := w.planAll(ctx); failed != "" {
		return w.finish(ctx, rep, plan.RunFailed, failed, msg)
	}
	rep.Plan = w.plans
	if w.in.DryRun {
		return w.finish(ctx, rep, plan.RunDryRun, "", "dry run: nothing was written")
	}
	rep.DeletesHeld = w.deletesOverLimit()
	if failed, msg := w.applyStages(ctx, false); failed != "" {
		return w.fail(ctx, rep, failed, msg)
	}
	if w.hasDeletes() {
		if rep.DeletesHeld {
			rep.DeletesApproved = w.awaitApproval(ctx)
			if w.exact && ctx.Err() != nil {
				return w.fail(ctx, rep, "approval", "cancelled while waiting for approval")
			}
			if rep.DeletesApproved && w.exact {
				rep.Approval = w.recordApproval(ctx)
			}
		}
		if !rep.DeletesHeld || rep.DeletesApproved {
			if failed, msg := w.applyStages(ctx, true); failed != "" {
				return w.fail(ctx, rep, failed, msg)
			}
		} else {
			rep.Message = "deletes were over the limit and not approved in time: skipped"
		}
	}
	return w.finish(ctx, rep, plan.RunCompleted, "", rep.Message)
}

// planAll plans every selected stage before anything is written: the run
// works from one consistent read of the source, a dry run shows exactly
// what a real run would do, and approval covers the whole plan. Knox
// positions are derived from employees, which a position plan reads.
func (w *orgSync) planAll(ctx workflow.Context) (failedStage, msg string) {
	actx := withOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		// PlanStage heartbeats every few seconds while it runs, so a killed
		// worker's planning is picked up again within half a minute.
		HeartbeatTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 2 * time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 3,
			NonRetryableErrorTypes: []string{activities.ErrSource},
		},
	})
	for _, k := range w.kinds {
		w.setStage(ctx, string(k), plan.RunRunning)
		var st plan.Stage
		if err := workflow.ExecuteActivity(actx, a.PlanStage, activities.PlanInput{RunID: w.settings.RunID, Kind: k,
			Reconcile: &w.in.Reconcile, Unmatched: w.in.Unmatched}).Get(ctx, &st); err != nil {
			return string(k), fmt.Sprintf("planning %s failed, nothing was written: %v", k, ErrText(err))
		}
		w.plans = append(w.plans, st)
		w.progress.Remaining += st.Creates + st.Updates + st.Deletes
	}
	return "", ""
}

// applyStages applies the upserts stage by stage (deletes=false) or the
// deletes in reverse stage order (deletes=true): employees move off
// departments, positions and grades before those are deleted. It returns
// the stage that failed as a whole, if any.
func (w *orgSync) applyStages(ctx workflow.Context, deletes bool) (failedStage, msg string) {
	order := w.plans
	if deletes {
		order = reversed(w.plans)
	}
	for _, st := range order {
		ranges := st.Upserts
		if deletes {
			ranges = st.Removals
		}
		if len(ranges) == 0 {
			continue
		}
		w.setStage(ctx, string(st.Kind), plan.RunRunning)
		c, abort := w.applyRanges(ctx, ranges, false, false)
		if abort != "" {
			return string(st.Kind), fmt.Sprintf("stage %s stopped: %s", st.Kind, abort)
		}
		if w.exact && ctx.Err() != nil {
			return string(st.Kind), fmt.Sprintf("stage %s stopped: the run was cancelled", st.Kind)
		}
		if stageFailed(c) {
			return string(st.Kind), fmt.Sprintf("every %s write failed (%d of %d); later stages were not run", st.Kind, c.Failed, c.Applied+c.Failed)
		}
	}
	return "", ""
}

// stageFailed is the stage policy of seed 000: some failures are recorded
// and the run goes on; a stage in which every attempted item failed stops
// the run. Skipped items (a dependency failed) were not attempted.
func stageFailed(c plan.Counts) bool { return c.Failed > 0 && c.Applied == 0 }

// finish counts the outcome, stores the report and frees the lock. On a
// cancelled run it does so on a disconnected context, so the lock is not
// left behind.
func (w *orgSync) finish(ctx workflow.Context, rep Report, status, failedStage, msg string) (Report, error) {
	rep.Status, rep.FailedStage, rep.Message = status, failedStage, msg
	cancelled := ctx.Err() != nil
	if !cancelled && w.exact {
		// A cancel that arrives now must not abandon the report and the
		// lock: the run is over.
		dctx, cancel := workflow.NewDisconnectedContext(ctx)
		defer cancel()
		ctx = dctx
	}
	if cancelled {
		dctx, cancel := workflow.NewDisconnectedContext(ctx)
		defer cancel()
		ctx = dctx
		rep.Status, rep.Message = plan.RunFailed, "cancelled: "+msg
		if w.exact {
			rep.Status = plan.RunCanceled
		}
	}
	if status == plan.RunCompleted && (w.progress.Failed > 0 || w.invalid() > 0) {
		// Records that failed validation are failed items too: the run
		// did not bring them over.
		rep.Status = plan.RunCompletedFailing
	}
	w.setStage(ctx, "done", rep.Status)
	var out Report
	if err := workflow.ExecuteActivity(withShort(ctx), a.FinishRun, activities.FinishInput{Report: rep}).Get(ctx, &out); err != nil {
		return rep, err
	}
	w.upsertSearchAttributes(ctx, out)
	if cancelled && w.exact {
		// Ends the execution as Canceled, after compensation; the report
		// is in Postgres and in the error's details.
		return out, temporal.NewCanceledError(out)
	}
	return out, nil
}

func withShort(ctx workflow.Context) workflow.Context {
	return withOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second, MaximumAttempts: 10,
			NonRetryableErrorTypes: []string{activities.ErrAlreadyRunning},
		},
	})
}

func reversed(in []plan.Stage) []plan.Stage {
	out := make([]plan.Stage, len(in))
	for i, s := range in {
		out[len(in)-1-i] = s
	}
	return out
}

func (w *orgSync) hasDeletes() bool {
	for _, st := range w.plans {
		if st.Deletes > 0 {
			return true
		}
	}
	return false
}

// invalid counts the source records that failed validation.
func (w *orgSync) invalid() int {
	n := 0
	for _, st := range w.plans {
		n += st.Invalid
	}
	return n
}
