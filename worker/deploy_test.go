package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/history/v1"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/sandbox/knoxsim"
	"github.com/orgsync/orgsync/sandbox/workboxsim"
	"github.com/orgsync/orgsync/workflows"
)

// TestRollingDeploy deploys the worker twice during one run, as an
// orchestrator's rolling update does: start the new worker, then SIGTERM
// the old one. Knox answers slowly, so planning takes seconds and the
// first SIGTERM cuts a PlanStage off; the second comes while items are
// being written. The run must complete with the target exactly as the
// source, 0 failed items, every entity created once, and each old worker
// gone within ORGSYNC_SHUTDOWN_TIMEOUT.
func TestRollingDeploy(t *testing.T) {
	const shutdown = 6 * time.Second
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 1500, Departments: 100})
	// 100 departments read 4 at a time at 400 ms a call: ~10 s to read
	// the employees, longer than a stopping worker waits.
	s.Sandbox.Knox().SetFaults(knoxsim.Faults{LatencyMs: 400})
	if err := s.Sandbox.Workbox().SetFaults(workboxsim.Faults{LatencyMs: 100}); err != nil {
		t.Fatal(err)
	}
	src := s.Source(t)
	entities := 0
	for _, k := range model.Kinds {
		entities += len(src[k])
	}
	worker := func() *testenv.Proc {
		return s.StartWorkerProcess(t, os.Args[0], "ORGSYNC_TEST_RUN_WORKER=1", "ORGSYNC_SHUTDOWN_TIMEOUT="+shutdown.String())
	}
	// deploy starts the next worker, then stops old as Kubernetes does.
	deploy := func(old *testenv.Proc, when string) *testenv.Proc {
		next := worker()
		took, code, err := old.Terminate(shutdown + 10*time.Second)
		if err != nil {
			t.Fatalf("%s: %v\n%s", when, err, old.Logs(3000))
		}
		t.Logf("%s: old worker exited %d, %s after SIGTERM (ORGSYNC_SHUTDOWN_TIMEOUT %s)", when, code, took.Round(time.Millisecond), shutdown)
		// Process exit and reaping add a little on a loaded machine.
		if took > shutdown+2*time.Second || code != 0 {
			t.Fatalf("%s: the old worker took %s and exited %d; want exit 0 within %s:\n%s", when, took, code, shutdown, old.Logs(3000))
		}
		if !strings.Contains(old.Logs(1<<20), `"msg":"worker stopped"`) {
			t.Fatalf("%s: the old worker did not log a graceful stop:\n%s", when, old.Logs(3000))
		}
		return next
	}

	a := worker()
	id := "orgsync-rolling-deploy"
	run := s.Start(t, id, workflows.Input{})
	waitPlanning(t, s, id, 1500*time.Millisecond)
	b := deploy(a, "during planning")
	for s.Sandbox.Stats().Writes < 200 {
		if b.Exited() {
			t.Fatalf("the new worker exited:\n%s", b.Logs(3000))
		}
		time.Sleep(20 * time.Millisecond)
	}
	c := deploy(b, "during apply")
	writesAtStop := s.Sandbox.Stats().Writes

	rep := testenv.Result(t, run)
	st := s.Sandbox.Stats()
	failed := 0
	for _, sr := range rep.Stages {
		failed += sr.Failed + sr.Skipped + sr.Pending
	}
	// Attempts beyond the first, by activity type. Each history is walked
	// whole, so an event id names its scheduled event until the next.
	retries := map[string]int{}
	scheduled := map[int64]string{}
	s.WalkHistories(t, [][2]string{{id, run.GetRunID()}}, func(ev *history.HistoryEvent) {
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
			scheduled[ev.EventId] = a.ActivityType.GetName()
		}
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil && a.Attempt > 1 {
			retries[scheduled[a.ScheduledEventId]] += int(a.Attempt - 1)
		}
	})
	planRetries := retries["PlanStage"]
	t.Logf("run %s: %d entities, %d creates, %d writes (%d when the second deploy began); retried attempts %v; last worker running: %v",
		rep.Status, entities, st.Creates, st.Writes, writesAtStop, retries, !c.Exited())
	if got, want := s.Sandbox.WorkboxState(), testenv.WorkboxState(src); !testenv.SameJSON(got, want) {
		t.Fatalf("the target differs from the source (%d users, want %d)", len(got.Users), len(want.Users))
	}
	if rep.Status != plan.RunCompleted || failed != 0 {
		t.Fatalf("report: status %q, %d items failed, skipped or pending", rep.Status, failed)
	}
	if st.Creates != int64(entities) || st.Deletes != 0 {
		t.Fatalf("%d creates and %d deletes for %d entities", st.Creates, st.Deletes, entities)
	}
	if planRetries == 0 {
		t.Fatalf("no PlanStage was retried: the first SIGTERM did not cut planning off (make Knox slower)")
	}
}

// waitPlanning waits until a PlanStage of workflow id has been running
// for at least d (the slow Knox read is under way).
func waitPlanning(t *testing.T, s *testenv.Stack, id string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		desc, err := s.Client.DescribeWorkflowExecution(ctx, id, "")
		cancel()
		if err == nil {
			for _, pa := range desc.PendingActivities {
				if pa.ActivityType.GetName() == "PlanStage" && pa.State == enums.PENDING_ACTIVITY_STATE_STARTED &&
					pa.LastStartedTime != nil && time.Since(pa.LastStartedTime.AsTime()) >= d {
					return
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no PlanStage ran within 2 minutes")
}
