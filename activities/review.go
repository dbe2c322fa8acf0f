package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
)

// ErrPlanChanged is the error type of a run that was asked to apply a
// stored plan whose items the source no longer gives.
const ErrPlanChanged = "PlanChanged"

// maxNamed bounds the differences an error names; the rest are counted
// (`starter apply` lists them all from Postgres).
const maxNamed = 5

// review runs after a stage is planned: it keeps the organisation the
// target holds (for the review picture and the org history) and, when the
// run applies a stored plan, compares the fresh items with the stored
// ones. A difference refuses the run before anything is written, or with
// onlyReviewed closes the differing items as skipped.
func (a *Activities) review(ctx context.Context, runID string, kind model.Kind) error {
	r := a.run(runID)
	if err := a.Store.SaveOrgState(ctx, runID, r.Target, r.Company, kind, a.Config.OrgHistoryDays); err != nil {
		return err
	}
	req, err := a.Store.GetRunRequest(ctx, runID)
	if err != nil || req.ApplyPlan == "" {
		if err == nil && req.OnlyReviewed {
			return refuse("input onlyReviewed: needs applyPlan, the id of the stored plan to apply")
		}
		return err
	}
	stored, err := a.Store.GetRun(ctx, req.ApplyPlan)
	if err != nil || stored.RunID != req.ApplyPlan {
		return refuse(fmt.Sprintf("input applyPlan: no stored plan with id %q", req.ApplyPlan))
	}
	switch {
	case stored.Target != r.Target || stored.Company != r.Company:
		return refuse(fmt.Sprintf("input applyPlan: plan %s is of %s company %s, this worker syncs %s company %s",
			req.ApplyPlan, stored.Target, stored.Company, r.Target, r.Company))
	case stored.Status != plan.RunDryRun:
		return refuse(fmt.Sprintf("input applyPlan: run %s is not a finished dry run (status %s)", req.ApplyPlan, stored.Status))
	}
	if _, ok := stored.Plan[kind]; !ok {
		return refuse(fmt.Sprintf("the plan differs from reviewed plan %s: it did not plan stage %s (plan the same stages)", req.ApplyPlan, kind))
	}
	if kind == lastStage(req.Stages) {
		// After this run's last stage: a reviewed stage it did not plan
		// would be left out of "exactly that plan".
		for k := range stored.Plan {
			if !slices.Contains(planned(req.Stages), k) {
				return refuse(fmt.Sprintf("the plan differs from reviewed plan %s: this run does not plan stage %s (plan the same stages)", req.ApplyPlan, k))
			}
		}
	}
	diffs, err := a.Store.ComparePlans(ctx, req.ApplyPlan, runID, kind)
	if err != nil {
		return err
	}
	log := a.logger(ctx, "runId", runID, "stage", kind, "reviewedPlan", req.ApplyPlan)
	if len(diffs) > 0 && !req.OnlyReviewed {
		names := make([]string, 0, maxNamed)
		for _, d := range diffs[:min(len(diffs), maxNamed)] {
			names = append(names, d.String())
		}
		more := ""
		if len(diffs) > maxNamed {
			more = fmt.Sprintf("; and %d more", len(diffs)-maxNamed)
		}
		return refuse(fmt.Sprintf("the plan differs from reviewed plan %s in %d %s items: %s%s",
			req.ApplyPlan, len(diffs), kind, strings.Join(names, "; "), more))
	}
	if len(diffs) > 0 {
		if err := a.Store.SkipUnreviewed(ctx, runID, req.ApplyPlan, diffs); err != nil {
			return err
		}
		log.Warn("items differ from the reviewed plan: only the reviewed ones are applied", "differences", len(diffs))
	}
	if req.DryRun {
		return nil // a preview of applying it applies nothing
	}
	if req.Approve {
		if err := a.Store.ApproveByInput(ctx, req.ApplyPlan, runID); err != nil {
			return err
		}
	}
	return a.Store.PlanApplied(ctx, req.ApplyPlan, runID)
}

func refuse(msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, ErrPlanChanged, nil)
}

// planned is the kinds a run with input stages plans.
func planned(stages []string) []model.Kind {
	if len(stages) == 0 {
		return model.Kinds
	}
	var out []model.Kind
	for _, k := range model.Kinds {
		if slices.Contains(stages, string(k)) {
			out = append(out, k)
		}
	}
	return out
}

func lastStage(stages []string) model.Kind {
	p := planned(stages)
	return p[len(p)-1]
}
