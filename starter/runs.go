package main

// Commands on one run that exists: find it, approve its held deletes,
// show its status.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/workflows"
)

// findRun resolves RUN (a run id or workflow id; empty = the company's
// latest run).
func (e *env) findRun(ctx context.Context, args []string) (store.RunInfo, error) {
	st, err := e.db(ctx)
	if err != nil {
		return store.RunInfo{}, err
	}
	if len(args) > 0 && args[0] != "" { // a run id names its company
		return st.FindRun(ctx, args[0], "", "")
	}
	cfg, err := e.selected()
	if err != nil {
		return store.RunInfo{}, err
	}
	if cfg.CompanyID == "" {
		return store.RunInfo{}, usageErr(fmt.Errorf("give a RUN id, or set %s to use the company's latest run", cfg.Var("COMPANY_ID")))
	}
	return st.FindRun(ctx, "", cfg.Target, cfg.CompanyID)
}

// onRun makes cmd a command on the run its argument names (findRun).
func (e *env) onRun(cmd *cobra.Command, do func(cmd *cobra.Command, r store.RunInfo) error) *cobra.Command {
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		r, err := e.findRun(cmd.Context(), args)
		if err != nil {
			return err
		}
		return do(cmd, r)
	}
	return cmd
}

func (e *env) approveCmd() *cobra.Command {
	var by string
	cmd := e.onRun(&cobra.Command{
		Use:   "approve [RUN]",
		Short: "Approve the deletes a run holds because they are over the limit (RUN: run or workflow id; default the latest run)",
		Args:  cobra.MaximumNArgs(1),
	}, func(cmd *cobra.Command, r store.RunInfo) error {
		ctx := cmd.Context()
		c, err := e.client(ctx)
		if err != nil {
			return err
		}
		if by == "" {
			by = currentUser()
		}
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: r.WorkflowID, RunID: r.RunID, UpdateName: workflows.UpdateApproveDeletes,
			Args: []any{workflows.ApproveInput{By: by}}, WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			var msg string
			err = h.Get(ctx, &msg)
		}
		if err != nil {
			var nf *serviceerror.NotFound
			if errors.As(err, &nf) || strings.Contains(err.Error(), "already completed") {
				return fmt.Errorf("run %s is not running (status %s): there is nothing to approve", r.RunID, r.Status)
			}
			return fmt.Errorf("approve run %s: %s", r.RunID, workflows.ErrText(err))
		}
		deletes := e.plannedDeletes(ctx, r.RunID)
		e.printf("deletes of run %s approved by %s%s\n", r.RunID, by, deletes)
		return nil
	})
	cmd.Flags().StringVar(&by, "by", "", "who approves (default: the current user)")
	return cmd
}

// plannedDeletes describes the deletes a run planned, for the approval message.
func (e *env) plannedDeletes(ctx context.Context, runID string) string {
	st, err := e.db(ctx)
	if err != nil {
		return ""
	}
	row, err := st.GetRun(ctx, runID)
	if err != nil {
		return ""
	}
	var parts []string
	for _, k := range model.Kinds {
		if p, ok := row.Plan[k]; ok && p.Deletes > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, p.Deletes))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "starter"
}

// statusView is `starter status --json`.
type statusView struct {
	store.RunInfo
	Temporal string              `json:"temporal"`
	Progress *workflows.Progress `json:"progress,omitempty"`
	Rate     *writeRate          `json:"writeRate,omitempty"`
}

func (e *env) statusCmd() *cobra.Command {
	var asJSON, all bool
	cmd := &cobra.Command{
		Use:   "status [RUN]",
		Short: "Show a run's state and live progress (RUN: run or workflow id; default the latest run); --all: one line per company",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if all {
				return e.summary(ctx, asJSON) // companies.go
			}
			r, err := e.findRun(ctx, args)
			if err != nil {
				return err
			}
			c, err := e.client(ctx)
			if err != nil {
				return err
			}
			v := statusView{RunInfo: r, Temporal: "unknown"}
			if d, err := c.DescribeWorkflowExecution(ctx, r.WorkflowID, r.RunID); err == nil {
				v.Temporal = strings.TrimPrefix(d.WorkflowExecutionInfo.Status.String(), "WorkflowExecutionStatus")
				if d.WorkflowExecutionInfo.Status == enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
					if q, err := c.QueryWorkflow(ctx, r.WorkflowID, r.RunID, workflows.QueryProgress); err == nil {
						var p workflows.Progress
						if q.Get(&p) == nil {
							v.Progress = &p
							v.Status, v.Stage = p.Status, p.Stage
						}
					}
					v.Rate = e.currentRate(ctx, r)
				}
			}
			if asJSON {
				return json.NewEncoder(e.out).Encode(v)
			}
			tw := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "run\t%s\n", r.RunID)
			fmt.Fprintf(tw, "workflow\t%s\n", r.WorkflowID)
			fmt.Fprintf(tw, "company\t%s %s\n", r.Target, r.Company)
			fmt.Fprintf(tw, "status\t%s\n", v.Status)
			fmt.Fprintf(tw, "stage\t%s\n", v.Stage)
			fmt.Fprintf(tw, "temporal\t%s\n", v.Temporal)
			fmt.Fprintf(tw, "started\t%s\n", r.StartedAt.Local().Format(time.RFC3339))
			if r.FinishedAt != nil {
				fmt.Fprintf(tw, "finished\t%s (%s)\n", r.FinishedAt.Local().Format(time.RFC3339), r.FinishedAt.Sub(r.StartedAt).Round(time.Second))
			}
			if p := v.Progress; p != nil {
				fmt.Fprintf(tw, "progress\t%d done, %d failed, %d remaining\n", p.Done, p.Failed, p.Remaining)
			}
			if v.Rate != nil {
				fmt.Fprintf(tw, "write rate\t%s\n", v.Rate)
			}
			if v.Status == plan.RunWaitingApproval {
				fmt.Fprintf(tw, "next\tdeletes are over the limit: check `starter report %s`, then `starter approve %s`\n", r.RunID, r.RunID)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&all, "all", false, "the latest run of every company of ORGSYNC_COMPANIES, one line each")
	return cmd
}
