package workflows_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/sandbox/workboxsim"
	"github.com/orgsync/orgsync/workflows"
)

// Golden histories of the paths first loads do not take, recorded from
// real runs of the "exact-compensation" version (TestReplayFreshCompensation
// writes them with ORGSYNC_UPDATE_GOLDEN=1): held deletes approved by an
// update and applied, rollback by stage and by run, an undo run, a cancel.
var compensationGolden = []struct{ scenario, file string }{
	{"approval", "testdata/orgsync_approval_deletes_history.json"},
	{"rollback-stage", "testdata/orgsync_rollback_stage_history.json"},
	{"rollback-run", "testdata/orgsync_rollback_run_history.json"},
	{"undo", "testdata/orgsync_undo_history.json"},
	{"cancel", "testdata/orgsync_cancel_history.json"},
}

func TestReplayCompensationGolden(t *testing.T) {
	for _, g := range compensationGolden {
		if err := replayer(t).ReplayWorkflowHistoryFromJSONFile(nil, g.file); err != nil {
			t.Errorf("replay %s: %v", g.file, err)
		}
	}
}

// Each scenario, run fresh on the dev server, replays against today's
// code; with ORGSYNC_UPDATE_GOLDEN=1 its history becomes the golden file.
func TestReplayFreshCompensation(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 30, Departments: 4})
	s.Config.ApplyWindow = 2 // slow enough for the cancel to land mid-run
	s.StartWorker(t)
	if rep := s.Sync(t, workflows.Input{}); rep.Status != plan.RunCompleted {
		t.Fatalf("first run: %+v", rep)
	}
	src := s.Source(t)
	emps, depts := src[model.Employee], src[model.Department]
	k, wb := s.Sandbox.Knox(), s.Sandbox.Workbox()
	record := func(scenario string, run client.WorkflowRun) {
		t.Helper()
		_ = run.Get(context.Background(), nil) // a cancelled run ends with an error
		var file string
		for _, g := range compensationGolden {
			if g.scenario == scenario {
				file = g.file
			}
		}
		h := fetch(t, s.Client, run.GetID(), run.GetRunID())
		path := filepath.Join(t.TempDir(), filepath.Base(file))
		if os.Getenv("ORGSYNC_UPDATE_GOLDEN") != "" {
			path = file
		}
		b, err := temporalproto.CustomJSONMarshalOptions{Indent: " "}.Marshal(h)
		safetyMust(t, err)
		safetyMust(t, os.WriteFile(path, b, 0o644))
		if err := replayer(t).ReplayWorkflowHistoryFromJSONFile(nil, path); err != nil {
			t.Fatalf("replay %s: %v", scenario, err)
		}
		t.Logf("%s: %d events replayed", scenario, len(h.Events))
	}
	start := func(name string, in workflows.Input) client.WorkflowRun {
		return s.Start(t, "orgsync-golden-"+name+"-"+time.Now().Format("150405.000000"), in)
	}

	// Held deletes, approved by update while the run waits.
	for _, e := range emps[:3] {
		safetyMust(t, k.Retire(e.Key))
	}
	limit := 1
	run := start("approval", workflows.Input{DeleteLimit: &limit})
	s.WaitStatus(t, run.GetID(), plan.RunWaitingApproval, time.Minute)
	h, err := s.Client.UpdateWorkflow(context.Background(), client.UpdateWorkflowOptions{
		WorkflowID: run.GetID(), UpdateName: workflows.UpdateApproveDeletes,
		Args: []any{workflows.ApproveInput{By: "golden"}}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	safetyMust(t, err)
	safetyMust(t, h.Get(context.Background(), nil))
	record("approval", run)

	// HR changes, then every employee write refused: rollback by stage,
	// then by run.
	safetyMust(t, k.RenameDept(depts[1].Key, "골든팀"))
	safetyMust(t, k.Rename(emps[5].Key, "골든이름"))
	_, err = k.Hire(depts[0].Key)
	safetyMust(t, err)
	safetyMust(t, wb.SetFaults(workboxsim.Faults{Reject: []string{workboxsim.ResUser}}))
	record("rollback-stage", start("rollback-stage", workflows.Input{Rollback: "stage"}))
	record("rollback-run", start("rollback-run", workflows.Input{Rollback: "run"}))
	safetyMust(t, wb.SetFaults(workboxsim.Faults{}))

	// The changes applied, then undone.
	done := s.Sync(t, workflows.Input{})
	record("undo", start("undo", workflows.Input{Undo: done.RunID}))

	// The changes again, cancelled after the first write.
	for range 6 {
		_, err = k.Hire(depts[0].Key)
		safetyMust(t, err)
	}
	safetyMust(t, wb.SetFaults(workboxsim.Faults{LatencyMs: 200}))
	writes0 := s.Sandbox.Stats().Writes
	run = start("cancel", workflows.Input{Rollback: "run"})
	for deadline := time.Now().Add(time.Minute); s.Sandbox.Stats().Writes == writes0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the run to cancel wrote nothing")
		}
	}
	safetyMust(t, s.Client.CancelWorkflow(context.Background(), run.GetID(), ""))
	record("cancel", run)
	safetyMust(t, wb.SetFaults(workboxsim.Faults{}))
}
