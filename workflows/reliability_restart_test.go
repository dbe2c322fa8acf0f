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

// restartSize is the company of the restart tests: ~370 writes, paced by
// the target's latency and a small window so the run is still applying
// when the restart comes.
var restartSize = testenv.StackOptions{Employees: 300, Departments: 25}

func paceRun(t *testing.T, s *testenv.Stack) {
	t.Helper()
	s.Config.ApplyWindow = 20 // 5 in flight per child
	if err := s.Sandbox.Workbox().SetFaults(workboxsim.Faults{LatencyMs: 40}); err != nil {
		t.Fatal(err)
	}
}

// checkAllApplied asserts a completed run closed every item as applied:
// nothing pending, failed or skipped, and the report counts them all.
func checkAllApplied(t *testing.T, s *testenv.Stack, rep plan.Report) testenv.Items {
	t.Helper()
	items := s.RunItems(t, rep.RunID)
	changed := 0
	for _, st := range rep.Stages {
		changed += st.Created + st.Updated + st.Deleted
	}
	if items.Total == 0 || items.Open() != 0 || items.ByStatus[plan.StatusApplied] != items.Total || changed != items.Total {
		t.Fatalf("plan items %+v; the report counts %d changes", items, changed)
	}
	return items
}

// Postgres restarted (pg_ctl -m fast stop, start) in the middle of the
// apply: the run completes, the target equals the source and every plan
// item is applied. The cluster is the test's own; the shared server is
// never touched.
func TestReliabilityPostgresRestart(t *testing.T) {
	pg := testenv.PrivatePostgres(t)
	s := testenv.NewStackOn(t, restartSize, pg.AdminURL())
	paceRun(t, s)
	s.StartWorker(t)

	t0 := time.Now()
	run := s.Start(t, "reliability-pg-restart", workflows.Input{})
	s.WaitWrites(t, 60, 30*time.Second)
	atStop := s.Sandbox.Stats().Writes
	down, err := pg.Restart(2 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	rep := testenv.Result(t, run)
	took := time.Since(t0)
	if rep.Status != plan.RunCompleted {
		t.Fatalf("run after a Postgres restart: %+v", rep)
	}
	checkState(t, s)
	items := checkAllApplied(t, s, rep)
	st := s.Sandbox.Stats()
	retried, execs := s.ActivityRetries(t, run.GetID(), run.GetRunID())
	if retried == 0 {
		t.Fatal("no activity was retried: the restart did not hit the run")
	}
	t.Logf("Postgres down %s after %d of %d writes; run took %s; %d items all applied; %d activity retries in %d executions (report retries %d: only outcomes Postgres recorded count); %d writes, %d creates repeated as updates",
		down.Round(time.Millisecond), atStop, items.Total, took.Round(time.Millisecond), items.Total, retried, execs,
		testenv.Retries(rep), st.Writes, st.DuplicateCreates)
}

// The Temporal dev server (file DB, fixed port) stopped and started again
// in the middle of the apply: the worker and the client reconnect, the run
// resumes from its history and completes with the exact state.
func TestReliabilityTemporalRestart(t *testing.T) {
	dev := testenv.RestartableDevServer(t)
	s := testenv.NewStack(t, restartSize)
	s.UseTemporal(dev.HostPort, dev.Client())
	paceRun(t, s)
	s.StartWorker(t)

	t0 := time.Now()
	const id = "reliability-temporal-restart"
	s.Start(t, id, workflows.Input{})
	s.WaitWrites(t, 60, 30*time.Second)
	atStop := s.Sandbox.Stats().Writes
	down, err := dev.Restart(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var rep plan.Report
	if err := s.Client.GetWorkflow(ctx, id, "").Get(ctx, &rep); err != nil {
		t.Fatalf("run after a Temporal restart: %v", err)
	}
	took := time.Since(t0)
	if rep.Status != plan.RunCompleted {
		t.Fatalf("run after a Temporal restart: %+v", rep)
	}
	checkState(t, s)
	items := checkAllApplied(t, s, rep)
	st := s.Sandbox.Stats()
	retried, execs := s.ActivityRetries(t, id, "")
	t.Logf("Temporal away %s after %d of %d writes; run took %s; %d items all applied; %d activity retries in %d executions (report retries %d); %d writes, %d creates repeated as updates",
		down.Round(time.Millisecond), atStop, items.Total, took.Round(time.Millisecond), items.Total, retried, execs,
		testenv.Retries(rep), st.Writes, st.DuplicateCreates)
}
