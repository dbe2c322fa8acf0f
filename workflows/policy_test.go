package workflows_test

import (
	"context"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/internal/workbox"
	"github.com/orgsync/orgsync/sandbox/workboxsim"
	"github.com/orgsync/orgsync/workflows"
)

// With 10% of writes refused for good, the run completes: each refused
// item is in the report with the target's reason, its dependants are
// skipped with theirs, and everything else is applied.
func TestTenPercentRefused(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 300, Departments: 25})
	s.StartWorker(t)
	if err := s.Sandbox.Workbox().SetFaults(workboxsim.Faults{RejectRate: 0.1}); err != nil {
		t.Fatal(err)
	}
	rep := s.Sync(t, workflows.Input{})
	if rep.Status != plan.RunCompletedFailing || rep.FailedStage != "" {
		t.Fatalf("report %+v", rep)
	}
	failed, err := s.Store.FailedItems(context.Background(), rep.RunID)
	if err != nil {
		t.Fatal(err)
	}
	var refused, skipped int
	for _, f := range failed {
		switch {
		case f.Message == "":
			t.Errorf("%s %s failed without a reason", f.Stage, f.Key)
		case f.Status == plan.StatusFailed:
			refused++
			if workboxsim.KeyShare(workbox.Resource(f.Stage), f.Key) >= 0.1 || f.Code != "180018" {
				t.Errorf("%s %s failed but the target does not refuse it: %s", f.Stage, f.Key, f.Message)
			}
		case f.Status == plan.StatusSkipped:
			skipped++
		}
	}
	applied := 0
	state := s.Sandbox.WorkboxState()
	for _, it := range s.PlanItems(t, rep.RunID, plan.OpCreate) {
		held := false
		switch model.Kind(it.Kind) {
		case model.Grade:
			_, held = state.Grades[it.Key]
		case model.Position:
			_, held = state.Positions[it.Key]
		case model.Department:
			_, held = state.Depts[it.Key]
		case model.Employee:
			_, held = state.Users[it.Key]
		}
		if held != (it.Status == plan.StatusApplied) {
			t.Errorf("%s %s: status %s, in the target: %v", it.Kind, it.Key, it.Status, held)
		}
		if held {
			applied++
		}
	}
	if refused == 0 || applied == 0 {
		t.Fatalf("%d refused, %d applied: the fault did not bite", refused, applied)
	}
	t.Logf("%d applied, %d refused by the target, %d skipped because a dependency was refused", applied, refused, skipped)
}

// When every department write is refused, the run stops at the
// department stage and no employee is written.
func TestDepartmentStageRefusedStopsTheRun(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 100, Departments: 10})
	s.StartWorker(t)
	if err := s.Sandbox.Workbox().SetFaults(workboxsim.Faults{Reject: []string{workboxsim.ResDept}}); err != nil {
		t.Fatal(err)
	}
	rep := s.Sync(t, workflows.Input{})
	if rep.Status != plan.RunFailed || rep.FailedStage != string(model.Department) {
		t.Fatalf("report %+v", rep)
	}
	st := s.Sandbox.WorkboxState()
	if len(st.Users) != 0 || len(st.Depts) != 0 || len(st.Grades) == 0 {
		t.Fatalf("target holds %d users, %d departments, %d grades", len(st.Users), len(st.Depts), len(st.Grades))
	}
	for _, it := range s.PlanItems(t, rep.RunID, plan.OpCreate) {
		if it.Kind == string(model.Employee) && it.Status == plan.StatusApplied {
			t.Fatalf("employee %s applied after the department stage failed", it.Key)
		}
	}
	t.Logf("stopped at %s: %s", rep.FailedStage, rep.Message)
}
