package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/workflows"
)

// inputFlags mirror workflows.Input.
type inputFlags struct {
	dryRun, approveDeletes, reconcile bool
	stages                            []string
	rollback, unmatched               string
	deleteLimit                       int
}

func (f *inputFlags) add(fs *pflag.FlagSet, dryRun bool) {
	if dryRun {
		fs.BoolVar(&f.dryRun, "dry-run", false, "plan only: show what would change and write nothing")
	}
	fs.StringSliceVar(&f.stages, "stage", nil, "stages to run (grade, position, department, employee; repeat or comma-separate; default all)")
	fs.StringVar(&f.rollback, "rollback", "", "rollback policy for this run: none, stage or run (default ORGSYNC_ROLLBACK)")
	fs.IntVar(&f.deleteLimit, "delete-limit", 0, "deletes per kind allowed without approval (default ORGSYNC_DELETE_LIMIT)")
	fs.BoolVar(&f.approveDeletes, "approve-deletes", false, "approve deletes over the limit in advance")
	fs.BoolVar(&f.reconcile, "reconcile", false, "also read the target's lists (where it has them) and plan fixes for drift")
	fs.StringVar(&f.unmatched, "unmatched", "", "with --reconcile, objects the target holds under keys the source lacks: delete (default) or report")
}

// input builds the workflow input; only flags that were given are set, so
// the worker's defaults apply to the rest.
func (f *inputFlags) input(fs *pflag.FlagSet) (workflows.Input, error) {
	in := workflows.Input{DryRun: f.dryRun, Rollback: f.rollback, ApproveDeletes: f.approveDeletes, Reconcile: f.reconcile,
		Unmatched: f.unmatched}
	switch f.unmatched {
	case "", plan.UnmatchedDelete, plan.UnmatchedReport:
	default:
		return in, usageErr(fmt.Errorf("--unmatched: %q is not one of delete, report", f.unmatched))
	}
	for _, s := range f.stages {
		s = strings.TrimSpace(s)
		if _, ok := model.ParseKind(s); !ok {
			return in, usageErr(fmt.Errorf("--stage: %q is not one of grade, position, department, employee", s))
		}
		in.Stages = append(in.Stages, s)
	}
	switch f.rollback {
	case "", "none", "stage", "run":
	default:
		return in, usageErr(fmt.Errorf("--rollback: %q is not one of none, stage, run", f.rollback))
	}
	var err error
	in.DeleteLimit, err = deleteLimitFlag(fs, f.deleteLimit)
	return in, err
}

// deleteLimitFlag is --delete-limit when it was given (nil: the worker's
// ORGSYNC_DELETE_LIMIT applies), refused when negative.
func deleteLimitFlag(fs *pflag.FlagSet, n int) (*int, error) {
	if !fs.Changed("delete-limit") {
		return nil, nil
	}
	if n < 0 {
		return nil, usageErr(fmt.Errorf("--delete-limit: must not be negative, got %d", n))
	}
	return &n, nil
}

func (e *env) syncCmd() *cobra.Command {
	var f inputFlags
	var wait bool
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Start an OrgSync run for the configured company",
		Long: "Start an OrgSync run with workflow id orgsync-<target>-<company>, so Temporal refuses a second\n" +
			"concurrent run of the same company. --wait follows it with a live progress bar and prints the report.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in, err := f.input(cmd.Flags())
			if err != nil {
				return err
			}
			run, err := e.start(cmd.Context(), in)
			if err != nil {
				return err
			}
			if !wait {
				e.printf("started run %s (workflow %s); follow it with: starter status %s\n", run.GetRunID(), run.GetID(), run.GetRunID())
				return nil
			}
			e.printf("started run %s (workflow %s)\n", run.GetRunID(), run.GetID())
			rep, err := e.wait(cmd.Context(), run, true)
			if err != nil {
				return err
			}
			e.printReport(rep)
			return outcome(rep)
		},
	}
	f.add(cmd.Flags(), true)
	cmd.Flags().BoolVar(&wait, "wait", false, "wait for the run, showing its progress, and print its report")
	return cmd
}

func (e *env) planCmd() *cobra.Command {
	var f inputFlags
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Dry run: show the creates, updates and deletes of every stage; writes nothing",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in, err := f.input(cmd.Flags())
			if err != nil {
				return err
			}
			in.DryRun = true
			run, err := e.start(cmd.Context(), in)
			if err != nil {
				return err
			}
			rep, err := e.wait(cmd.Context(), run, false)
			if err != nil {
				return err
			}
			if rep.Status == plan.RunFailed {
				return fmt.Errorf("planning failed at stage %s: %s", rep.FailedStage, rep.Message)
			}
			e.printPlan(rep)
			return e.storePlan(cmd.Context(), rep.RunID) // starter/plan.go
		},
	}
	cmd.AddCommand(e.planShowCmd())
	fs := cmd.Flags()
	fs.StringSliceVar(&f.stages, "stage", nil, "stages to plan (default all)")
	fs.BoolVar(&f.reconcile, "reconcile", false, "also read the target's lists and plan fixes for drift")
	fs.StringVar(&f.unmatched, "unmatched", "", "with --reconcile, objects the target holds under keys the source lacks: delete (default) or report")
	return cmd
}

// start starts OrgSync under the company's workflow id.
func (e *env) start(ctx context.Context, in workflows.Input) (client.WorkflowRun, error) {
	cfg, err := e.company()
	if err != nil {
		return nil, err
	}
	c, err := e.client(ctx)
	if err != nil {
		return nil, err
	}
	if in.Company, err = e.served(ctx, c, cfg); err != nil { // companies.go
		return nil, err
	}
	id := workflows.WorkflowID(cfg.Target, cfg.CompanyID)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: cfg.TaskQueue,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		WorkflowIDReusePolicy:                    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy:                 enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
	}, workflows.WorkflowName, in)
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &already) {
		return nil, fmt.Errorf("a sync of %s company %s is already running (workflow %s, run %s): follow it with `starter status %s` and start again when it has finished",
			cfg.Target, cfg.CompanyID, id, already.RunId, already.RunId)
	}
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", workflows.WorkflowName, err)
	}
	return run, nil
}

// wait waits for the run's report; with show, it draws the progress from
// the `progress` query while it runs.
func (e *env) wait(ctx context.Context, run client.WorkflowRun, show bool) (plan.Report, error) {
	type result struct {
		rep plan.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		r.err = run.Get(ctx, &r.rep)
		done <- r
	}()
	c, err := e.client(ctx)
	if err != nil {
		return plan.Report{}, err
	}
	bar := progressBar{out: e.rawOut, tty: isTTY(e.rawOut)}
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case r := <-done:
			if show {
				bar.finish()
			}
			if temporal.IsCanceledError(r.err) {
				return r.rep, fmt.Errorf("run %s was cancelled (its rollback policy compensated): see `starter report %s`", run.GetRunID(), run.GetRunID())
			}
			if r.err != nil {
				return r.rep, fmt.Errorf("run %s failed: %s", run.GetRunID(), errText(r.err))
			}
			return r.rep, nil
		case <-tick.C:
			if !show {
				continue
			}
			v, err := c.QueryWorkflow(ctx, run.GetID(), run.GetRunID(), workflows.QueryProgress)
			if err != nil {
				continue // not started yet, or finished meanwhile
			}
			var p workflows.Progress
			if v.Get(&p) == nil {
				if cfg, err := e.config(); err == nil {
					bar.rate = e.currentRate(ctx, store.RunInfo{Target: cfg.Target, Company: cfg.CompanyID})
				}
				bar.show(p)
			}
		case <-ctx.Done():
			return plan.Report{}, ctx.Err()
		}
	}
}

// errText is the innermost message of a workflow failure.
func errText(err error) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Message()
	}
	var we *temporal.WorkflowExecutionError
	if errors.As(err, &we) && errors.Unwrap(we) != nil {
		return errors.Unwrap(we).Error()
	}
	return err.Error()
}

// outcome turns a finished run's status into the exit status.
func outcome(rep plan.Report) error {
	switch rep.Status {
	case plan.RunFailed, plan.RunRolledBack, plan.RunRollbackIncomplete:
		stage := ""
		if rep.FailedStage != "" {
			stage = " at stage " + rep.FailedStage
		}
		return fmt.Errorf("run %s failed%s: %s", rep.RunID, stage, rep.Message)
	case plan.RunCompletedFailing:
		n := 0
		for _, s := range rep.Stages {
			n += s.Failed
		}
		return &exitError{exitFailures, fmt.Errorf("run %s completed with %d failed items: see `starter report %s`", rep.RunID, n, rep.RunID)}
	}
	return nil
}

type progressBar struct {
	out  interface{ Write([]byte) (int, error) }
	tty  bool
	last string
	rate *writeRate // the target's write rate now, if known
}

func (b *progressBar) show(p workflows.Progress) {
	total := p.Done + p.Failed + p.Remaining
	const width = 30
	filled := 0
	if total > 0 {
		filled = (p.Done + p.Failed) * width / total
	}
	line := fmt.Sprintf("[%s%s] %d/%d done, %d failed  stage %s  %s",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.Done+p.Failed, total, p.Failed, p.Stage, p.Status)
	if b.rate != nil {
		line += fmt.Sprintf("  %.1f/s, %d throttled", b.rate.RPS, b.rate.Throttled)
	}
	if line == b.last {
		return
	}
	b.last = line
	if b.tty {
		fmt.Fprintf(b.out, "\r\033[K%s", line)
	} else {
		fmt.Fprintln(b.out, line)
	}
}

func (b *progressBar) finish() {
	if b.tty && b.last != "" {
		fmt.Fprintln(b.out)
	}
}

func isTTY(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (e *env) printReport(rep plan.Report) {
	e.printf("run %s: %s\n", rep.RunID, rep.Status)
	if rep.Message != "" {
		e.printf("%s\n", rep.Message)
	}
	e.stageTable(rep.Stages)
}

func (e *env) stageTable(stages []plan.StageReport) {
	tw := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "STAGE\tCREATED\tUPDATED\tDELETED\tUNCHANGED\tFAILED\tSKIPPED\tPENDING\tRETRIES\tTHROTTLED\t")
	for _, s := range stages {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", s.Stage, s.Created, s.Updated, s.Deleted, s.Unchanged, s.Failed, s.Skipped, s.Pending, s.Retries, s.Throttled)
	}
	_ = tw.Flush()
}

func (e *env) printPlan(rep plan.Report) {
	e.printf("plan of run %s (dry run: nothing was written)\n", rep.RunID)
	tw := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "STAGE\tCREATE\tUPDATE\tDELETE\tUNCHANGED\tINVALID\tMAPPED\t")
	invalid := 0
	for _, s := range rep.Plan {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", s.Kind, s.Creates, s.Updates, s.Deletes, s.Unchanged, s.Invalid, s.Current)
		invalid += s.Invalid
	}
	_ = tw.Flush()
	if invalid > 0 {
		e.printf("%d source records are invalid and will not be written: starter report %s\n", invalid, rep.RunID)
	}
}

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

func (e *env) approveCmd() *cobra.Command {
	var by string
	cmd := &cobra.Command{
		Use:   "approve [RUN]",
		Short: "Approve the deletes a run holds because they are over the limit (RUN: run or workflow id; default the latest run)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			r, err := e.findRun(ctx, args)
			if err != nil {
				return err
			}
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
				return fmt.Errorf("approve run %s: %s", r.RunID, errText(err))
			}
			deletes := e.plannedDeletes(ctx, r.RunID)
			e.printf("deletes of run %s approved by %s%s\n", r.RunID, by, deletes)
			return nil
		},
	}
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

// reportView is `starter report --json`.
type reportView struct {
	RunID       string                    `json:"runId"`
	WorkflowID  string                    `json:"workflowId"`
	Status      string                    `json:"status"`
	FailedStage string                    `json:"failedStage,omitempty"`
	Message     string                    `json:"message,omitempty"`
	Stages      []plan.StageReport        `json:"stages"`
	Failed      []store.FailedItem        `json:"failed"`
	Notes       []store.FailedItem        `json:"notes,omitempty"` // items done, with a note (Message)
	Plan        map[model.Kind]plan.Stage `json:"plan,omitempty"`
	Undo        *plan.UndoReport          `json:"undo,omitempty"`
	Approval    *plan.Approval            `json:"approval,omitempty"`
}

func (e *env) reportCmd() *cobra.Command {
	var asJSON bool
	var html string
	cmd := &cobra.Command{
		Use:   "report [RUN]",
		Short: "Per-stage counts of a run and every failed or skipped item with its reason (RUN default: the latest run)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			r, err := e.findRun(ctx, args)
			if err != nil {
				return err
			}
			if html != "" {
				return e.reportPicture(ctx, r.RunID, r.Status, html) // starter/review.go
			}
			st, _ := e.db(ctx)
			row, err := st.GetRun(ctx, r.RunID)
			if err != nil {
				return err
			}
			v := reportView{RunID: r.RunID, WorkflowID: r.WorkflowID, Status: r.Status, Plan: row.Plan}
			var rep plan.Report
			if len(row.Report) > 0 && json.Unmarshal(row.Report, &rep) == nil {
				v.FailedStage, v.Message, v.Undo, v.Approval = rep.FailedStage, rep.Message, rep.Undo, rep.Approval
			}
			if v.Stages, err = st.StageReports(ctx, r.RunID); err != nil {
				return err
			}
			if v.Failed, err = st.FailedItems(ctx, r.RunID); err != nil {
				return err
			}
			if v.Failed == nil {
				v.Failed = []store.FailedItem{}
			}
			if v.Notes, err = st.NotedItems(ctx, r.RunID); err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(e.out)
				enc.SetIndent("", "  ")
				return enc.Encode(v)
			}
			e.printf("run %s (workflow %s): %s\n", v.RunID, v.WorkflowID, v.Status)
			if v.FailedStage != "" {
				e.printf("failed stage: %s\n", v.FailedStage)
			}
			if v.Message != "" {
				e.printf("%s\n", v.Message)
			}
			if at, err := st.PurgedAt(ctx, r.RunID); err == nil && !at.IsZero() {
				e.printf("records and target messages removed on %s (ORGSYNC_RETENTION); counts and outcomes remain\n", at.Local().Format(time.RFC3339))
			}
			e.stageTable(v.Stages)
			e.approvalLine(v.Approval)
			e.undoLine(v.Undo)
			if len(v.Notes) > 0 {
				e.printf("\n%d items with a note:\n", len(v.Notes))
				for _, n := range v.Notes {
					e.printf("%s %s %s (%s): %s\n", n.Stage, n.Op, n.Key, n.Status, oneLineText(n.Message))
				}
			}
			if len(v.Failed) == 0 {
				e.printf("no failed items\n")
				return nil
			}
			e.printf("\n%d failed or skipped items:\n", len(v.Failed))
			tw := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "STAGE\tOP\tKEY\tSTATUS\tCODE\tFIELD\tREASON")
			for _, f := range v.Failed {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Stage, f.Op, f.Key, f.Status, dash(f.Code), dash(f.Field), oneLineText(f.Message))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&html, "html", "", "write the picture of the run's changes (department tree, marks, members) to this HTML file")
	return cmd
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func oneLineText(s string) string { return strings.Join(strings.Fields(s), " ") }
