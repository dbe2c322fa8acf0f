package main

// What a finished run did: the report `sync --wait` prints, the plan
// `plan` prints, and `starter report`.

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
)

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
	cmd := e.onRun(&cobra.Command{
		Use:   "report [RUN]",
		Short: "Per-stage counts of a run and every failed or skipped item with its reason (RUN default: the latest run)",
		Args:  cobra.MaximumNArgs(1),
	}, func(cmd *cobra.Command, r store.RunInfo) error {
		ctx := cmd.Context()
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
			return e.printJSON(v)
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
				e.printf("%s %s %s (%s): %s\n", n.Stage, n.Op, n.Key, n.Status, oneLine(n.Message))
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
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Stage, f.Op, f.Key, f.Status, dash(f.Code), dash(f.Field), oneLine(f.Message))
		}
		return tw.Flush()
	})
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
