package workflows_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"

	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/workflows"
)

// Golden histories of version "company-task-queue": a run naming its
// company, whose activities (the child's too) went to org-sync/C60.
var companyGolden = []string{"testdata/orgsync_company_history.json", "testdata/apply_range_company_history.json"}

func TestReplayCompanyGolden(t *testing.T) {
	for _, f := range companyGolden {
		if err := replayer(t).ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
			t.Errorf("replay %s: %v", f, err)
		}
	}
}

// A fresh run of company C60 on a worker of C60 and C10 replays against
// today's code, and its activities ran on C60's queue only; with
// ORGSYNC_UPDATE_GOLDEN=1 it becomes the golden file.
func TestReplayCompanyFreshHistory(t *testing.T) {
	g := testenv.NewCompanies(t, testenv.StackOptions{Employees: 150, Departments: 6}, "C60", "C10")
	g.StartWorkerFor(t, "C60", "C10")
	run := g.Start(t, "replay-company", workflows.Input{Company: "C60"})
	if err := run.Get(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	parent := fetch(t, g.Client, run.GetID(), run.GetRunID())
	var child *history.History
	for _, e := range parent.Events {
		if a := e.GetChildWorkflowExecutionStartedEventAttributes(); a != nil && child == nil {
			child = fetch(t, g.Client, a.WorkflowExecution.WorkflowId, a.WorkflowExecution.RunId)
		}
	}
	if child == nil {
		t.Fatal("the run started no child workflow")
	}
	want := workflows.CompanyQueue(g.Config.TaskQueue, "C60")
	for i, h := range []*history.History{parent, child} {
		n := 0
		for _, e := range h.Events {
			if e.EventType == enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED {
				if q := e.GetActivityTaskScheduledEventAttributes().TaskQueue.GetName(); q != want {
					t.Fatalf("%s: activity %d on task queue %s, want %s", companyGolden[i], e.EventId, q, want)
				}
				n++
			}
		}
		recordAndReplay(t, h, companyGolden[i])
		t.Logf("%d activities all on %s", n, want)
	}
}

// recordAndReplay writes h as JSON (over the golden file when
// ORGSYNC_UPDATE_GOLDEN is set, else to a temporary file) and replays it.
func recordAndReplay(t *testing.T, h *history.History, golden string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), filepath.Base(golden))
	if os.Getenv("ORGSYNC_UPDATE_GOLDEN") != "" {
		path = golden
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: " "}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := replayer(t).ReplayWorkflowHistoryFromJSONFile(nil, path); err != nil {
		t.Fatalf("replay %s: %v", path, err)
	}
	t.Logf("%s: %d events replayed", filepath.Base(path), len(h.Events))
}
