package workflows_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/workflows"
)

// TestSafetyDeleteApproval: Knox suddenly lists no employees. The deletion
// limit holds every delete until approval: the run waits, the target is
// untouched; approval (by update or by signal) applies exactly the deletes
// stored as the run's plan, even though the source changed meanwhile; with
// no approval the deletes are skipped when the timeout passes.
func TestSafetyDeleteApproval(t *testing.T) {
	for _, how := range []string{"update", "signal", "timeout"} {
		t.Run(how, func(t *testing.T) { approvalCase(t, how) })
	}
}

func approvalCase(t *testing.T, how string) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 200, Departments: 20})
	if how == "timeout" {
		s.Config.ApproveTimeout = "3s"
	}
	s.StartWorker(t)
	if rep := s.Sync(t, workflows.Input{}); rep.Status != plan.RunCompleted {
		t.Fatalf("first run: %+v", rep)
	}
	checkState(t, s)
	k := s.Sandbox.Knox()
	k.ClearEmployees()

	before, stats0 := s.Sandbox.WorkboxState(), s.Sandbox.Stats()
	id := "orgsync-approval-" + how
	run := s.Start(t, id, workflows.Input{})
	p := s.WaitStatus(t, id, plan.RunWaitingApproval, 60*time.Second)
	st := s.Sandbox.Stats()
	if st.Deletes != stats0.Deletes || st.Writes != stats0.Writes || !testenv.SameJSON(s.Sandbox.WorkboxState(), before) {
		t.Fatalf("while waiting for approval: %d deletes, %d writes sent", st.Deletes-stats0.Deletes, st.Writes-stats0.Writes)
	}

	// The preview: the plan stored in Postgres for this run.
	runID := run.GetRunID()
	stored, err := s.Store.GetRun(context.Background(), runID)
	safetyMust(t, err)
	preview := map[string][]string{}
	for _, it := range s.PlanItems(t, runID, plan.OpDelete) {
		preview[it.Kind] = append(preview[it.Kind], it.Key)
	}
	if stored.Status != plan.RunWaitingApproval && stored.Status != plan.RunRunning {
		t.Logf("stored run status while waiting: %q", stored.Status)
	}
	if n := stored.Plan[model.Employee].Deletes; n != len(before.Users) || len(preview[string(model.Employee)]) != n {
		t.Fatalf("preview: %d employee deletes stored, %d items, want %d", n, len(preview[string(model.Employee)]), len(before.Users))
	}
	t.Logf("%s: waiting for approval (progress %+v); preview: %d employee, %d position deletes",
		how, p, len(preview[string(model.Employee)]), len(preview[string(model.Position)]))

	// The source changes while the run waits: approval must not pick it up.
	hired, err := k.Hire(s.Source(t)[model.Department][0].Key)
	safetyMust(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	switch how {
	case "update":
		h, err := s.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: id, UpdateName: workflows.UpdateApproveDeletes,
			Args: []any{workflows.ApproveInput{By: "safety test"}}, WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		safetyMust(t, err)
		var msg string
		safetyMust(t, h.Get(ctx, &msg))
		t.Logf("update answered %q", msg)
	case "signal":
		safetyMust(t, s.Client.SignalWorkflow(ctx, id, "", workflows.SignalApproveDeletes, workflows.ApproveInput{By: "safety test"}))
	}
	rep := testenv.Result(t, run)
	after, stats1 := s.Sandbox.WorkboxState(), s.Sandbox.Stats()
	deleted := map[string][]string{
		string(model.Grade): goneKeys(before.Grades, after.Grades), string(model.Position): goneKeys(before.Positions, after.Positions),
		string(model.Department): goneKeys(before.Depts, after.Depts), string(model.Employee): goneKeys(before.Users, after.Users),
	}
	total := 0
	for _, keys := range preview {
		total += len(keys)
	}

	if how == "timeout" {
		if rep.Status != plan.RunCompleted || !rep.DeletesHeld || rep.DeletesApproved || !strings.Contains(rep.Message, "skipped") {
			t.Fatalf("timeout: report %+v", rep)
		}
		if stats1.Writes != stats0.Writes || !testenv.SameJSON(after, before) {
			t.Fatalf("timeout: %d writes sent, target changed in %s", stats1.Writes-stats0.Writes, diffState(after, before))
		}
		items := s.PlanItems(t, runID, plan.OpDelete)
		if n := countStatus(items, "", plan.StatusApplied); n != 0 {
			t.Fatalf("timeout: %d deletes applied", n)
		}
		t.Logf("timeout: %d deletes skipped; report message %q", total, rep.Message)
		return
	}
	if rep.Status != plan.RunCompleted || !rep.DeletesHeld || !rep.DeletesApproved {
		t.Fatalf("%s: report %+v", how, rep)
	}
	for kind, keys := range deleted {
		want := slices.Clone(preview[kind])
		slices.Sort(want)
		if fmt.Sprint(keys) != fmt.Sprint(want) {
			t.Fatalf("%s: %s deleted %d keys, previewed %d: deleted %v, previewed %v", how, kind, len(keys), len(want), safetyHead(keys), safetyHead(want))
		}
	}
	if d := stats1.Deletes - stats0.Deletes; d != int64(total) || stats1.Writes-stats0.Writes != int64(total) {
		t.Fatalf("%s: %d deletes and %d writes sent, want exactly the %d previewed deletes", how, d, stats1.Writes-stats0.Writes, total)
	}
	if _, ok := after.Users[hired]; ok || len(after.Users) != 0 {
		t.Fatalf("%s: %d users left; the employee hired after the preview was created: %v", how, len(after.Users), ok)
	}
	if n := countStatus(s.PlanItems(t, runID, plan.OpDelete), "", plan.StatusApplied); n != total {
		t.Fatalf("%s: %d of %d delete items recorded as applied", how, n, total)
	}
	t.Logf("%s: approved; %d deletes sent = %d previewed (%d employees, %d positions)", how,
		stats1.Deletes-stats0.Deletes, total, len(deleted[string(model.Employee)]), len(deleted[string(model.Position)]))
}

// gone lists the keys of before that after no longer holds, sorted.
func goneKeys[V any](before, after map[string]V) []string {
	var out []string
	for k := range before {
		if _, ok := after[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func safetyHead(s []string) []string {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}
