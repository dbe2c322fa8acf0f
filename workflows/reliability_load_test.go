package workflows_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/orgsync/orgsync/activities"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/sandbox/workboxsim"
	"github.com/orgsync/orgsync/workflows"
)

// Two companies (two sandboxes, two databases, two task queues and
// workers) sync at the same time on one dev server and do not interfere:
// both states are exact. Meanwhile a second start for company A, under
// another workflow id, is refused with AlreadyRunning: never do two runs
// of one company apply together, and its target sees no duplicate create.
func TestReliabilityConcurrentCompanies(t *testing.T) {
	a := testenv.NewStack(t, testenv.StackOptions{Employees: 300, Departments: 20, Seed: 11})
	b := testenv.NewStack(t, testenv.StackOptions{Employees: 200, Departments: 15, Seed: 22})
	b.UseTemporal(a.Dev, a.Client) // one dev server
	if a.Config.TaskQueue == b.Config.TaskQueue {
		b.Config.TaskQueue += "-b"
	}
	for _, s := range []*testenv.Stack{a, b} {
		// Runs of a few seconds, so that the three overlap.
		s.Config.ApplyWindow = 40
		if err := s.Sandbox.Workbox().SetFaults(workboxsim.Faults{LatencyMs: 30}); err != nil {
			t.Fatal(err)
		}
		s.StartWorker(t)
	}

	type result struct {
		name  string
		runID string
		rep   plan.Report
		err   error
		took  time.Duration
	}
	starts := []struct {
		name string
		s    *testenv.Stack
	}{{"a1", a}, {"a2", a}, {"b", b}}
	runs := make([]client.WorkflowRun, len(starts))
	t0 := time.Now()
	for i, st := range starts {
		runs[i] = st.s.Start(t, "reliability-concurrent-"+st.name, workflows.Input{})
	}
	results := make([]result, len(starts))
	var wg sync.WaitGroup
	for i := range starts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			r := result{name: starts[i].name, runID: runs[i].GetRunID()}
			r.err = runs[i].Get(ctx, &r.rep)
			r.took = time.Since(t0)
			results[i] = r
		}()
	}
	wg.Wait()

	// Company A: exactly one run applied, the other was refused.
	var won, refused *result
	for i := range results[:2] {
		r := &results[i]
		var ae *temporal.ApplicationError
		switch {
		case r.err == nil && r.rep.Status == plan.RunCompleted:
			if won != nil {
				t.Fatalf("both runs of company A completed: %+v and %+v", won.rep, r.rep)
			}
			won = r
		case errors.As(r.err, &ae) && ae.Type() == activities.ErrAlreadyRunning:
			refused = r
		default:
			t.Fatalf("run %s: %v %+v", r.name, r.err, r.rep)
		}
	}
	if won == nil || refused == nil {
		t.Fatalf("want one run of company A completed and one refused: %+v", results[:2])
	}
	if items := a.RunItems(t, refused.runID); items.Total != 0 {
		t.Fatalf("the refused run %s has plan items: %+v", refused.name, items)
	}
	row, err := a.Store.GetRun(context.Background(), refused.runID)
	if err != nil {
		t.Fatal(err)
	}
	if r := results[2]; r.err != nil || r.rep.Status != plan.RunCompleted {
		t.Fatalf("company B: %v %+v", r.err, r.rep)
	}
	checkState(t, a)
	checkState(t, b)
	sa, sb := a.Sandbox.Stats(), b.Sandbox.Stats()
	for name, st := range map[string]workboxsim.Stats{"A": sa, "B": sb} {
		if st.DuplicateCreates != 0 || st.Writes != st.Creates {
			t.Fatalf("company %s's target: %d writes, %d creates, %d duplicate creates", name, st.Writes, st.Creates, st.DuplicateCreates)
		}
	}
	if int(sa.Creates) != plannedWrites(won.rep) || int(sb.Creates) != plannedWrites(results[2].rep) {
		t.Fatalf("creates A %d (planned %d), B %d (planned %d)", sa.Creates, plannedWrites(won.rep), sb.Creates, plannedWrites(results[2].rep))
	}
	if row.Status != plan.RunFailed {
		t.Fatalf("the refused run's row says %q, want %q", row.Status, plan.RunFailed)
	}
	t.Logf("on one dev server: company A %d creates in %s (run %s), company B %d creates in %s; second start of A (%s) refused after %s (its runs row: status %q): %v; 0 duplicate creates",
		sa.Creates, won.took.Round(time.Millisecond), won.name, sb.Creates, results[2].took.Round(time.Millisecond),
		refused.name, refused.took.Round(time.Millisecond), row.Status, refused.err)
}
