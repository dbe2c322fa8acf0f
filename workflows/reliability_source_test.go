package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/sandbox/knoxsim"
	"github.com/orgsync/orgsync/workflows"
)

// Knox answers every page after 1.5 s: the run completes, and takes about
// the time of its sequential Knox calls, not more.
func TestReliabilitySourceSlow(t *testing.T) {
	const latency = 1500 * time.Millisecond
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 120, Departments: 8})
	s.StartWorker(t)
	s.Sandbox.Knox().SetFaults(knoxsim.Faults{LatencyMs: int(latency / time.Millisecond)})
	t0 := time.Now()
	rep := s.Sync(t, workflows.Input{})
	took := time.Since(t0)
	s.Sandbox.Knox().SetFaults(knoxsim.Faults{})
	if rep.Status != plan.RunCompleted {
		t.Fatalf("run with a slow source: %+v", rep)
	}
	checkState(t, s)
	checkAllApplied(t, s, rep)
	// Sequential Knox round trips: titles (grades); organisations, then
	// the 8 departments' employees 4 at a time (positions and employees
	// read together); organisations (departments).
	rounds := 1 + 1 + (8+3)/4 + 1
	least, most := time.Duration(rounds)*latency, time.Duration(rounds)*latency+15*time.Second
	if took < least || took > most {
		t.Fatalf("the run took %s; %d sequential Knox pages at %s make %s, allowed up to %s", took, rounds, latency, least, most)
	}
	t.Logf("Knox at %s a page: run completed in %s (%d sequential pages = %s of waiting); %d items applied",
		latency, took.Round(time.Millisecond), rounds, least, plannedWrites(rep))
}

// Knox answers 503 for its whole employees endpoint after a good first
// run: the run fails while planning, says which endpoint and status, and
// writes (so deletes) nothing.
func TestReliabilitySourceDown(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 120, Departments: 8})
	s.StartWorker(t)
	if rep := s.Sync(t, workflows.Input{}); rep.Status != plan.RunCompleted {
		t.Fatalf("first run: %+v", rep)
	}
	before := s.Sandbox.Stats()
	s.Sandbox.Knox().SetFaults(knoxsim.Faults{Status: 503, StatusFor: knoxsim.KindEmployees})
	t0 := time.Now()
	rep := s.Sync(t, workflows.Input{})
	took := time.Since(t0)
	s.Sandbox.Knox().SetFaults(knoxsim.Faults{})
	after := s.Sandbox.Stats()
	if rep.Status != plan.RunFailed || rep.FailedStage != "position" ||
		!strings.Contains(rep.Message, "employees") || !strings.Contains(rep.Message, "503") || !strings.Contains(rep.Message, "nothing was written") {
		t.Fatalf("report with Knox employees down: %+v", rep)
	}
	if w, d := after.Writes-before.Writes, after.Deletes-before.Deletes; w != 0 || d != 0 || after.Requests != before.Requests {
		t.Fatalf("the failed run sent %d requests, %d writes, %d deletes", after.Requests-before.Requests, w, d)
	}
	if items := s.RunItems(t, rep.RunID); items.Total != 0 {
		t.Fatalf("the failed run left plan items: %+v", items)
	}
	checkState(t, s)
	// PlanStage tries 3 times, 2 s then 4 s apart, and each try asks
	// Knox 3 times (about 1 s, then 2 s apart: a 503 is "come back later").
	if took > 30*time.Second {
		t.Fatalf("failing took %s", took)
	}
	t.Logf("Knox employees 503: failed in %s at stage %s, 0 target requests; message %q", took.Round(time.Millisecond), rep.FailedStage, rep.Message)
}
