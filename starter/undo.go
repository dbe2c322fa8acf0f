package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/workflows"
)

// undoCmd starts a run that compensates a finished run (input undo).
func (e *env) undoCmd() *cobra.Command {
	var f inputFlags
	var wait bool
	cmd := e.onRun(&cobra.Command{
		Use:   "undo RUN",
		Short: "Undo a finished run: delete what it created, put back what it changed or deleted (RUN: its run id)",
		Long: "Start a run that compensates run RUN, newest write first: what RUN created is deleted, what it\n" +
			"updated or deleted is put back from what the target held before, when orgsync knows that exactly.\n" +
			"Items RUN did not create and cannot restore exactly (WORKBOX cannot be read back), and items a\n" +
			"later run wrote too, are left as they are and listed as not undoable in `starter report`.\n" +
			"Undoing the same run again does nothing. Its deletes count against the delete limit and wait\n" +
			"for `starter approve` like any run's. --dry-run lists what it would do.",
		Args: cobra.ExactArgs(1),
	}, func(cmd *cobra.Command, r store.RunInfo) error {
		ctx := cmd.Context()
		limit, err := f.limit(cmd.Flags())
		if err != nil {
			return err
		}
		run, err := e.start(ctx, workflows.Input{Undo: r.RunID, DryRun: f.dryRun, ApproveDeletes: f.approveDeletes, DeleteLimit: limit})
		if err != nil {
			return err
		}
		if !wait && !f.dryRun {
			e.printf("started run %s undoing run %s (workflow %s); follow it with: starter status %s\n", run.GetRunID(), r.RunID, run.GetID(), run.GetRunID())
			return nil
		}
		rep, err := e.wait(ctx, run, !f.dryRun)
		if err != nil {
			return err
		}
		if f.dryRun {
			if rep.Status == plan.RunFailed {
				return fmt.Errorf("%s", rep.Message)
			}
			e.printf("%s\n", rep.Message)
			e.undoPlan(rep)
			return nil
		}
		e.printReport(rep)
		e.undoLine(rep.Undo)
		return outcome(rep)
	})
	fs := cmd.Flags()
	fs.BoolVar(&f.dryRun, "dry-run", false, "list what the undo would do, write nothing")
	fs.BoolVar(&wait, "wait", false, "wait for the undo, showing its progress, and print its report")
	f.addLimit(fs)
	return cmd
}

// undoPlan prints what an undo would do, per kind.
func (e *env) undoPlan(rep plan.Report) {
	e.printf("STAGE  RE-CREATE  RESTORE  DELETE\n")
	for _, s := range rep.Plan {
		e.printf("%-10s %6d %8d %7d\n", s.Kind, s.Creates, s.Updates, s.Deletes)
	}
}

// undoLine says what compensation did, if any ran.
func (e *env) undoLine(u *plan.UndoReport) {
	if u == nil {
		return
	}
	back := "no"
	if u.Restored {
		back = "yes"
	}
	of := ""
	if u.Of != "" {
		of = " of run " + u.Of + " (its items: starter report " + u.Of + ")"
	}
	e.printf("undo (%s)%s: %d undone, %d undo failed, %d not undoable; target back where it was: %s\n",
		u.Policy, of, u.Undone, u.Failed, u.NotUndoable, back)
}

// approvalLine says who approved a run's held deletes and which plan.
func (e *env) approvalLine(a *plan.Approval) {
	if a == nil {
		return
	}
	e.printf("deletes approved by %s for the plan of %d creates, %d updates, %d deletes (digest %s)\n",
		a.By, a.Creates, a.Updates, a.Deletes, a.Digest)
}
