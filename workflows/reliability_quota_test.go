package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/sandbox/workboxsim"
	"github.com/orgsync/orgsync/workflows"
)

// The target allows a quota the workers are not told (no
// ORGSYNC_TARGET_RPS) and answers 429 beyond it. Two workers share the
// quota through their own adaptive limiters; a first sync of 1,500
// employees ends with no item failed and the target exactly as the source,
// every entity created once. The workers leave the rate they learned in
// Postgres for the next run.
func TestReliabilityUnknownQuotaTwoWorkers(t *testing.T) {
	const quota = 60
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 1500, Departments: 60})
	if s.Config.TargetRPS != 0 {
		t.Fatalf("ORGSYNC_TARGET_RPS is %g; this test needs it unset", s.Config.TargetRPS)
	}
	if err := s.Sandbox.Workbox().SetFaults(workboxsim.Faults{RPS: quota}); err != nil {
		t.Fatal(err)
	}
	s.StartWorker(t)
	s.StartWorker(t)
	t0 := time.Now()
	rep := s.Sync(t, workflows.Input{})
	took := time.Since(t0)
	items := s.RunItems(t, rep.RunID)
	if rep.Status != plan.RunCompleted || items.ByStatus[plan.StatusFailed] != 0 || items.Open() != 0 {
		t.Fatalf("run %s, items %+v: want completed with none failed", rep.Status, items.ByStatus)
	}
	checkState(t, s)
	st := s.Sandbox.Stats()
	if st.DuplicateCreates != 0 || int(st.Creates) != plannedWrites(rep) {
		t.Fatalf("target: %d creates for %d planned writes, %d duplicate creates", st.Creates, plannedWrites(rep), st.DuplicateCreates)
	}
	// Each worker saves its limiter every few seconds.
	deadline := time.Now().Add(15 * time.Second)
	var learned float64
	for learned == 0 && time.Now().Before(deadline) {
		var err error
		if learned, err = s.Store.LearnedRate(context.Background(), s.Config.Target, s.Config.CompanyID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if learned <= 0 {
		t.Fatal("no learned rate in Postgres after the run")
	}
	t.Logf("quota %d/s, 2 workers: %d writes in %s (N/R %.1f s), %d of %d requests answered 429 (%.1f%%), 0 failed; learned %.1f/s per worker",
		quota, st.Creates, took.Round(time.Millisecond), float64(st.Creates)/quota, st.Throttled, st.Requests,
		100*float64(st.Throttled)/float64(st.Requests), learned)
}
