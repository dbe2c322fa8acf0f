package main

// Stored plans: `starter plan` keeps the dry run's plan under its run id;
// `plan show` prints it or draws it; `apply` runs exactly that plan.

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/orgview"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/workflows"
)

// storePlan keeps a finished dry run's plan and says how to use it.
func (e *env) storePlan(ctx context.Context, runID string) error {
	st, err := e.db(ctx)
	if err != nil {
		return err
	}
	p, err := st.StorePlan(ctx, runID)
	if err != nil {
		return err
	}
	e.printf("stored plan %s (%d items, digest %s)\n", p.RunID, p.Items, short(p.Digest))
	e.printf("review it: starter plan show %s [--html FILE]; apply exactly it: starter apply %s [--approve]\n", p.RunID, p.RunID)
	return nil
}

func short(digest []byte) string { return hex.EncodeToString(digest)[:16] }

func (e *env) planShowCmd() *cobra.Command {
	var html string
	cmd := e.onRun(&cobra.Command{
		Use:   "show ID",
		Short: "Print a stored plan per stage (creates, updates field by field, moves, deletes, invalid records), or draw it with --html",
		Args:  cobra.ExactArgs(1),
	}, func(cmd *cobra.Command, r store.RunInfo) error {
		ctx := cmd.Context()
		st, _ := e.db(ctx)
		p, err := st.GetReviewedPlan(ctx, r.RunID)
		if err != nil && r.Status == plan.RunDryRun {
			p, err = st.StorePlan(ctx, r.RunID) // a dry run started elsewhere (the UI)
		}
		if err != nil {
			return err
		}
		v, err := e.picture(ctx, r.RunID, fmt.Sprintf("plan %s: %s company %s", p.RunID, p.Target, p.Company))
		if err != nil {
			return err
		}
		v.Subtitle = append(planLines(p, r), v.Subtitle...)
		return e.show(v, html, orgview.WriteText)
	})
	cmd.Flags().StringVar(&html, "html", "", "write the picture of the plan to this HTML file (self-contained) instead of printing it")
	return cmd
}

// planLines describe a stored plan: when, digest, sign-off, application.
func planLines(p store.ReviewedPlan, r store.RunInfo) []string {
	out := []string{fmt.Sprintf("dry run started %s; %d items, digest %s", r.StartedAt.Local().Format(time.RFC3339), p.Items, hex.EncodeToString(p.Digest))}
	if p.ApprovedAt != nil {
		out = append(out, fmt.Sprintf("approved by %s at %s (digest %s)", p.ApprovedBy, p.ApprovedAt.Local().Format(time.RFC3339), short(p.ApprovedDigest)))
	} else {
		out = append(out, "not approved yet")
	}
	if p.AppliedAt != nil {
		out = append(out, fmt.Sprintf("applied by run %s at %s", p.AppliedRun, p.AppliedAt.Local().Format(time.RFC3339)))
	}
	return out
}

// picture builds the view of a run's plan over the organisation the run
// saw when it planned.
func (e *env) picture(ctx context.Context, runID, title string) (*orgview.View, error) {
	st, err := e.db(ctx)
	if err != nil {
		return nil, err
	}
	items, err := st.ReviewItems(ctx, runID)
	if err != nil {
		return nil, err
	}
	state, err := st.GetOrgState(ctx, runID)
	if err != nil {
		return nil, err
	}
	v := orgview.Build(title, orgview.OrgOf(state.Entities), items)
	if len(state.Kinds) == 0 {
		v.Subtitle = append(v.Subtitle, "the organisation this run saw is no longer kept (ORGSYNC_ORG_HISTORY_DAYS): only the changed records are shown")
	}
	return v, nil
}

// show prints v with text, or writes it to the HTML file html.
func (e *env) show(v *orgview.View, html string, text func(io.Writer, *orgview.View) error) error {
	if html == "" {
		return text(e.out, v)
	}
	f, err := os.Create(html)
	if err != nil {
		return err
	}
	if err := orgview.WriteHTML(f, v); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", html, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	e.printf("wrote %s\n", html)
	return nil
}

func (e *env) applyCmd() *cobra.Command {
	var approve, onlyReviewed bool
	var by string
	cmd := &cobra.Command{
		Use:   "apply ID",
		Short: "Run exactly the stored plan ID: refused, naming the differences, if the source now gives other items",
		Long: "Start a run that re-reads the source and applies the stored plan ID (from `starter plan`) only if\n" +
			"every item of the fresh plan equals the stored one; otherwise it writes nothing and names the first\n" +
			"differences. --only-reviewed applies the items that are still the same and reports the rest.\n" +
			"--approve records the sign-off (who, when, the digest); deletes over the limit in an approved plan\n" +
			"count as approved.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, err := e.db(ctx)
			if err != nil {
				return err
			}
			p, err := st.GetReviewedPlan(ctx, args[0])
			if err != nil {
				return err
			}
			if p.AppliedRun != "" {
				if r, err := st.FindRun(ctx, p.AppliedRun, "", ""); err == nil && r.Status != plan.RunFailed {
					return fmt.Errorf("plan %s was already applied by run %s (%s): plan again to review what changed since", p.RunID, r.RunID, r.Status)
				}
			}
			stored, err := st.GetRun(ctx, p.RunID)
			if err != nil {
				return err
			}
			var in workflows.Input
			if err := json.Unmarshal(stored.Input, &in); err != nil {
				return fmt.Errorf("plan %s: its input: %w", p.RunID, err)
			}
			// The same stages and drift check as the review; nothing else.
			in = workflows.Input{Stages: in.Stages, Reconcile: in.Reconcile, Unmatched: in.Unmatched, ApplyPlan: p.RunID, OnlyReviewed: onlyReviewed}
			if approve {
				if by == "" {
					by = currentUser()
				}
				if err := st.ApprovePlan(ctx, p.RunID, by, p.Digest); err != nil {
					return err
				}
				e.printf("plan %s (digest %s) approved by %s\n", p.RunID, short(p.Digest), by)
			}
			in.ApproveDeletes = approve || p.ApprovedAt != nil
			run, err := e.start(ctx, in)
			if err != nil {
				return err
			}
			e.printf("started run %s applying plan %s\n", run.GetRunID(), p.RunID)
			rep, werr := e.wait(ctx, run, true)
			if werr == nil {
				e.printReport(rep)
			}
			diffs, err := e.planDiffs(ctx, p.RunID, run.GetRunID())
			if err != nil {
				return err
			}
			if len(diffs) > 0 {
				verb := "differs from the reviewed plan; nothing was written"
				if onlyReviewed && rep.Status != plan.RunFailed {
					verb = "was not applied: it differs from the reviewed plan"
				}
				e.printf("\n%d items: the fresh plan %s:\n", len(diffs), verb)
				for _, d := range diffs {
					e.printf("  %s\n", d)
				}
			}
			if werr != nil {
				return werr
			}
			if len(diffs) == 0 && rep.Status != plan.RunFailed {
				if d, _, err := st.PlanDigest(ctx, run.GetRunID()); err == nil {
					e.printf("the run's plan is the stored plan: digest %s\n", short(d))
				}
			}
			return outcome(rep)
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&approve, "approve", false, "record your sign-off of the plan (who, when, digest); its deletes over the limit count as approved")
	fs.BoolVar(&onlyReviewed, "only-reviewed", false, "apply the items that are still as reviewed and report the others, instead of refusing")
	fs.StringVar(&by, "by", "", "who approves (default: the current user)")
	return cmd
}

// planDiffs lists how run fresh's plan differs from the stored plan, over
// the stages fresh planned (a refused run stops planning at the first
// stage that differs).
func (e *env) planDiffs(ctx context.Context, planID, fresh string) ([]store.PlanDiff, error) {
	st, err := e.db(ctx)
	if err != nil {
		return nil, err
	}
	state, err := st.GetOrgState(ctx, fresh)
	if err != nil {
		return nil, err
	}
	var out []store.PlanDiff
	for _, k := range model.Kinds {
		if !state.Kinds[k] {
			continue
		}
		d, err := st.ComparePlans(ctx, planID, fresh, k)
		if err != nil {
			return nil, err
		}
		out = append(out, d...)
	}
	return out, nil
}
