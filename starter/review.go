package main

// Org history: the organisation as a run left it (`starter org --as-of`),
// how it changed between two runs (`starter diff`), and the picture of a
// finished run (`starter report RUN --html`).

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/orgview"
)

// reportPicture writes the picture of a finished run to html.
func (e *env) reportPicture(ctx context.Context, runID, status, html string) error {
	v, err := e.picture(ctx, runID, fmt.Sprintf("run %s: %s", runID, status))
	if err != nil {
		return err
	}
	return e.show(v, html, orgview.WriteText)
}

// orgAfter is the organisation as run runID left it: what the target held
// when it planned, with the items it applied. kinds are the kinds kept.
func (e *env) orgAfter(ctx context.Context, runID string) (orgview.Org, []model.Kind, error) {
	st, err := e.db(ctx)
	if err != nil {
		return nil, nil, err
	}
	state, err := st.GetOrgState(ctx, runID)
	if err != nil {
		return nil, nil, err
	}
	var kinds []model.Kind
	for _, k := range model.Kinds {
		if state.Kinds[k] {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		cfg, _ := e.config()
		return nil, nil, fmt.Errorf("run %s: its organisation is not kept (runs keep it for ORGSYNC_ORG_HISTORY_DAYS=%d days, and only runs that planned do)",
			runID, cfg.OrgHistoryDays)
	}
	items, err := st.ReviewItems(ctx, runID)
	if err != nil {
		return nil, nil, err
	}
	return orgview.After(orgview.OrgOf(state.Entities), items), kinds, nil
}

// current is the organisation the target holds now, as orgsync knows it.
func (e *env) current(ctx context.Context) (orgview.Org, error) {
	cfg, err := e.company()
	if err != nil {
		return nil, err
	}
	st, err := e.db(ctx)
	if err != nil {
		return nil, err
	}
	o := orgview.Org{}
	for _, k := range model.Kinds {
		o[k] = map[string]model.Entity{}
		err := st.Mappings(ctx, cfg.Target, cfg.CompanyID, k, func(x model.Entity) error {
			o[k][x.Key] = x
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return o, nil
}

func (e *env) orgCmd() *cobra.Command {
	var asOf, html string
	cmd := &cobra.Command{
		Use:   "org [--as-of RUN]",
		Short: "Print the department tree the target holds, or held when run RUN finished (--as-of)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			var o orgview.Org
			title := "the organisation the target holds now"
			if asOf == "" {
				var err error
				if o, err = e.current(ctx); err != nil {
					return err
				}
			} else {
				r, err := e.findRun(ctx, []string{asOf})
				if err != nil {
					return err
				}
				if o, _, err = e.orgAfter(ctx, r.RunID); err != nil {
					return err
				}
				title = fmt.Sprintf("the organisation as of run %s (%s, started %s)", r.RunID, r.Status, r.StartedAt.Local().Format("2006-01-02 15:04"))
			}
			return e.show(orgview.Build(title, o, nil), html, orgview.WriteTree)
		},
	}
	cmd.Flags().StringVar(&asOf, "as-of", "", "run or workflow id: the organisation as that run left it")
	cmd.Flags().StringVar(&html, "html", "", "write the tree to this HTML file instead of printing it")
	return cmd
}

func (e *env) diffCmd() *cobra.Command {
	var html string
	cmd := &cobra.Command{
		Use:   "diff RUN_A RUN_B",
		Short: "How the organisation changed between two runs, from what each kept (per stage; --html draws it)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var orgs [2]orgview.Org
			var kinds [2][]model.Kind
			var ids [2]string
			for i, id := range args {
				r, err := e.findRun(ctx, []string{id})
				if err != nil {
					return err
				}
				ids[i] = r.RunID
				if orgs[i], kinds[i], err = e.orgAfter(ctx, r.RunID); err != nil {
					return err
				}
			}
			// Only the kinds both runs kept can be compared.
			var both, left []string
			for _, k := range model.Kinds {
				a, b := slices.Contains(kinds[0], k), slices.Contains(kinds[1], k)
				if a && b {
					both = append(both, string(k))
					continue
				}
				left = append(left, string(k))
				orgs[0][k], orgs[1][k] = nil, nil
			}
			if len(both) == 0 {
				return fmt.Errorf("runs %s and %s kept no stage in common: nothing to compare", ids[0], ids[1])
			}
			v := orgview.Build(fmt.Sprintf("changes from run %s to run %s", ids[0], ids[1]), orgs[0], orgview.Compare(orgs[0], orgs[1]))
			if len(left) > 0 {
				v.Subtitle = append(v.Subtitle, "not compared (not kept by both runs): "+strings.Join(left, ", "))
			}
			return e.show(v, html, orgview.WriteText)
		},
	}
	cmd.Flags().StringVar(&html, "html", "", "write the picture of the changes to this HTML file instead of printing it")
	return cmd
}
