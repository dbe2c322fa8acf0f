package main

// Starting runs: `sync` and `plan` start OrgSync under the company's
// workflow id, wait for its report and turn it into the exit status.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/workflows"
)

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
			run, err := e.startFlags(cmd, &f)
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
	f.add(cmd.Flags())
	cmd.Flags().BoolVar(&wait, "wait", false, "wait for the run, showing its progress, and print its report")
	return cmd
}

func (e *env) planCmd() *cobra.Command {
	f := inputFlags{dryRun: true} // plan has no --dry-run: it is one
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Dry run: show the creates, updates and deletes of every stage; writes nothing",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			run, err := e.startFlags(cmd, &f)
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

// startFlags starts the run f's flags describe.
func (e *env) startFlags(cmd *cobra.Command, f *inputFlags) (client.WorkflowRun, error) {
	in, err := f.input(cmd.Flags())
	if err != nil {
		return nil, err
	}
	return e.start(cmd.Context(), in)
}

// start starts OrgSync under the company's workflow id.
func (e *env) start(ctx context.Context, in workflows.Input) (client.WorkflowRun, error) {
	cfg, c, err := e.companyClient(ctx)
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
				return r.rep, fmt.Errorf("run %s failed: %s", run.GetRunID(), workflows.ErrText(r.err))
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
