package workflows_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/sandbox/workboxsim"
	"github.com/orgsync/orgsync/workflows"
)

// The target answers 30% of requests 5xx and throttles beyond 20 requests
// a second with 429: below what the adaptive limiter reaches in its slow
// start, so throttling bites on any machine (at 100/s a fast run of these
// 140 writes could finish before the limiter ever got there). Items retry within their policy (ApplyMaxAttempts,
// backoff 1 s doubling); the report counts the retries. At 30% an item
// exhausts its attempts with probability 0.3^6 (~0.07%, more with 429s):
// such an item is reported failed with its retryable error and the next
// run applies it, so the state converges within a few runs (at most 3
// here; usually the first).
func TestReliabilityTargetErrorsAndThrottling(t *testing.T) {
	// Few departments: every wave is a sequential step whose slowest item
	// (1+2+4+8+16 s of backoff at worst) sets its length.
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 120, Departments: 4})
	faults := workboxsim.Faults{ErrorRate: 0.3, RPS: 20, Burst: 3}
	s.Config.ApplyWindow = 40 // 10 in flight per child
	if err := s.Sandbox.Workbox().SetFaults(faults); err != nil {
		t.Fatal(err)
	}
	s.StartWorker(t)
	var figures []string
	var first testenv.Items
	runs, retries := 0, 0
	t0 := time.Now()
	for {
		runs++
		t1 := time.Now()
		rep := s.Sync(t, workflows.Input{})
		items := s.RunItems(t, rep.RunID)
		if runs == 1 {
			first = items
		}
		retries += testenv.Retries(rep)
		if items.Attempts-items.Total != testenv.Retries(rep) {
			t.Fatalf("the report counts %d retries, the plan items %d", testenv.Retries(rep), items.Attempts-items.Total)
		}
		per := make([]string, 0, len(rep.Stages))
		for _, st := range rep.Stages {
			per = append(per, string(st.Stage)+" "+strconv.Itoa(st.Retries))
		}
		figures = append(figures, fmt.Sprintf("run %d: %s in %s, %d items, %d failed, retries %d (%s), most attempts %d",
			runs, rep.Status, time.Since(t1).Round(time.Millisecond), items.Total, items.ByStatus[plan.StatusFailed],
			testenv.Retries(rep), strings.Join(per, ", "), items.MaxAttempts))
		if rep.Status == plan.RunCompleted {
			break
		}
		if rep.Status != plan.RunCompletedFailing || runs == 3 {
			t.Fatalf("%s\nreport %+v", strings.Join(figures, "\n"), rep)
		}
		// Every failed item used all its attempts on retryable answers;
		// items that refer to one are skipped, not sent.
		fi, err := s.Store.FailedItems(context.Background(), rep.RunID)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fi {
			if f.Status == plan.StatusSkipped && f.Code == "dependency" {
				continue
			}
			if f.Status != plan.StatusFailed || !(strings.HasPrefix(f.Message, "transient") || strings.HasPrefix(f.Message, "throttled")) {
				t.Fatalf("item %s %s %s: %q, want a retryable error", f.Stage, f.Key, f.Status, f.Message)
			}
		}
		if items.FailedAttempts[workflows.ApplyMaxAttempts] != items.ByStatus[plan.StatusFailed] {
			t.Fatalf("failed items gave up early: attempts %v", items.FailedAttempts)
		}
	}
	took := time.Since(t0)
	st := s.Sandbox.Stats()
	fivexx := st.ByStatus["500"] + st.ByStatus["502"] + st.ByStatus["503"] + st.ByStatus["504"]
	if retries == 0 || st.Throttled == 0 || fivexx == 0 || first.Attempts <= first.Total {
		t.Fatalf("the faults did not bite: %d retries in the reports, %d throttled, %d 5xx", retries, st.Throttled, fivexx)
	}
	if err := s.Sandbox.Workbox().SetFaults(workboxsim.Faults{}); err != nil {
		t.Fatal(err)
	}
	checkState(t, s)
	t.Logf("30%% 5xx + 20 rps limit: converged in %d run(s), %s; %d requests, %d answered 5xx, %d throttled (429), %d retries in the reports\n%s",
		runs, took.Round(time.Millisecond), st.Requests, fivexx, st.Throttled, retries, strings.Join(figures, "\n"))
}

// The target's clock is 6 minutes off (the gateway refuses with 401): the
// run fails at once, says the clock may be the cause, and sends at most
// one window of requests, not one per entity; no item is retried.
func TestReliabilityClockSkew(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 300, Departments: 25})
	// A window smaller than the first stage (12 grades): the requests are
	// bounded by it, not by the number of entities.
	s.Config.ApplyWindow = 8
	if err := s.Sandbox.Workbox().SetFaults(workboxsim.Faults{ClockSkewMs: 6 * 60 * 1000}); err != nil {
		t.Fatal(err)
	}
	s.StartWorker(t)
	t0 := time.Now()
	rep := s.Sync(t, workflows.Input{})
	took := time.Since(t0)
	planned := plannedWrites(rep)
	st := s.Sandbox.Stats()
	items := s.RunItems(t, rep.RunID)
	failed := checkAuthFailure(t, s, rep, items, "clock")
	grades := len(s.Source(t)[model.Grade])
	if st.Requests > int64(s.Config.ApplyWindow) || st.Requests >= int64(grades) || st.Writes != 0 {
		t.Fatalf("%d requests (%d writes passed the gateway) for %d grades, window %d: not bounded by the window",
			st.Requests, st.Writes, grades, s.Config.ApplyWindow)
	}
	if took > 20*time.Second {
		t.Fatalf("the run took %s to fail", took)
	}
	t.Logf("clock 6 min off: failed in %s at stage %s; %d requests (all 401: %d) for %d planned writes, window %d; %d items failed, %d skipped, %d not started; message %q; item error %q",
		took.Round(time.Millisecond), rep.FailedStage, st.Requests, st.ByStatus["401"], planned, s.Config.ApplyWindow,
		items.ByStatus[plan.StatusFailed], items.ByStatus[plan.StatusSkipped], items.Total-items.ByStatus[plan.StatusFailed]-items.ByStatus[plan.StatusSkipped],
		rep.Message, failed)
}

// A worker configured with the wrong secret key: one clear error, every
// failed item tried once (auth is not retryable), the run stops at the
// first stage.
func TestReliabilityWrongCredentials(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 300, Departments: 25})
	s.Config.SecretKey = config.Secret("not-the-secret-key")
	s.StartWorker(t)
	t0 := time.Now()
	rep := s.Sync(t, workflows.Input{})
	took := time.Since(t0)
	st := s.Sandbox.Stats()
	items := s.RunItems(t, rep.RunID)
	failed := checkAuthFailure(t, s, rep, items, "secret key")
	if st.Requests != st.ByStatus["401"] || st.Requests > int64(s.Config.ApplyWindow) {
		t.Fatalf("%d requests, %d answered 401, window %d", st.Requests, st.ByStatus["401"], s.Config.ApplyWindow)
	}
	t.Logf("wrong secret: failed in %s at stage %s; %d requests, all 401; %d items failed with 1 attempt each, report retries %d; message %q; item error %q",
		took.Round(time.Millisecond), rep.FailedStage, st.Requests, items.ByStatus[plan.StatusFailed], testenv.Retries(rep), rep.Message, failed)
}

// checkAuthFailure asserts the run failed on the first stage because the
// target refused its requests: the report says 401 and names the clock, every failed
// item was tried exactly once and carries the same message, which names
// hint; nothing was retried, nothing left pending. It returns the message.
func checkAuthFailure(t *testing.T, s *testenv.Stack, rep plan.Report, items testenv.Items, hint string) string {
	t.Helper()
	if rep.Status != plan.RunFailed || rep.FailedStage != "grade" || !strings.Contains(rep.Message, "401") || !strings.Contains(rep.Message, "clock") {
		t.Fatalf("report %+v", rep)
	}
	if testenv.Retries(rep) != 0 || items.Open() != 0 || items.ByStatus[plan.StatusFailed] == 0 ||
		len(items.FailedAttempts) != 1 || items.FailedAttempts[1] != items.ByStatus[plan.StatusFailed] {
		t.Fatalf("retries %d; items %+v (every failed item must have exactly one attempt)", testenv.Retries(rep), items)
	}
	fi, err := s.Store.FailedItems(context.Background(), rep.RunID)
	if err != nil {
		t.Fatal(err)
	}
	msgs := map[string]bool{}
	for _, f := range fi {
		if f.Status == plan.StatusFailed {
			// One message, the key aside.
			msgs[strings.Replace(f.Message, f.Key, "KEY", 1)] = true
		}
	}
	var msg string
	for m := range msgs {
		msg = m
	}
	if len(msgs) != 1 || !strings.Contains(msg, "authentication failed") || !strings.Contains(msg, hint) {
		t.Fatalf("failed items' messages %v: want one, naming authentication and %q", msgs, hint)
	}
	return msg
}

// plannedWrites is the number of writes the run's plan holds.
func plannedWrites(rep plan.Report) int {
	n := 0
	for _, st := range rep.Plan {
		n += st.Creates + st.Updates + st.Deletes
	}
	return n
}
