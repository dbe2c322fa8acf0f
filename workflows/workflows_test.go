package workflows

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/orgsync/orgsync/activities"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/target"
)

// fake is a plan for the pure workflow tests: which items exist and how
// each one ends. The real activities are exercised by the integration
// tests; these check the workflow's own decisions.
type fake struct {
	mu       sync.Mutex
	stages   map[model.Kind]plan.Stage
	fail     func(seq int) (string, target.Class)
	calls    []int // seqs in the order ApplyItem (or ApplyBatch) ran
	batches  []activities.BatchInput
	planned  []activities.PlanInput
	env      *testsuite.TestWorkflowEnvironment
	undos    []int // seqs undone, in order
	done     map[int]bool
	statuses []string // recorded in the runs table
}

func rng(k model.Kind, wave, lo, n int, del bool) plan.Range {
	base := 0
	for i, x := range model.Kinds {
		if x == k {
			base = (i + 1) * plan.SeqBase
		}
	}
	return plan.Range{Kind: k, Wave: wave, Span: plan.Span{Lo: base + lo, Hi: base + lo + n - 1}, Delete: del}
}

func kindOf(seq int) model.Kind { return model.Kinds[seq/plan.SeqBase-1] }

func newEnv(t *testing.T, f *fake) *testsuite.TestWorkflowEnvironment {
	env := quietSuite().NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(ApplyRange, workflowOpts(ApplyRangeName))
	env.OnActivity(a.BeginRun, mock.Anything, mock.Anything).Return(activities.Settings{
		RunID: "run-1", Target: "workbox", Company: "c", Rollback: "none", Window: 8, ApproveTimeout: time.Hour,
	}, nil)
	env.OnActivity(a.PlanStage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PlanInput) (plan.Stage, error) {
			f.planned = append(f.planned, in)
			return f.stages[in.Kind], nil
		})
	env.OnActivity(a.ApplyItem, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ApplyInput) (activities.ApplyResult, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			if in.Undo {
				if !f.done[in.Seq] {
					return activities.ApplyResult{Status: plan.StatusFailed}, nil // never applied: nothing to undo
				}
				f.undos = append(f.undos, in.Seq)
				return activities.ApplyResult{Status: plan.StatusUndone}, nil
			}
			f.calls = append(f.calls, in.Seq)
			if f.fail != nil {
				if st, class := f.fail(in.Seq); st != "" {
					return activities.ApplyResult{Status: st, Class: class}, nil
				}
			}
			if f.done == nil {
				f.done = map[int]bool{}
			}
			f.done[in.Seq] = true
			return activities.ApplyResult{Status: plan.StatusApplied}, nil
		})
	env.OnActivity(a.ApplyBatch, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.BatchInput) (activities.SpanResult, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.batches = append(f.batches, in)
			waves := in.Waves
			if len(waves) == 0 {
				waves = []plan.Span{in.Span}
			}
			var res activities.SpanResult
			for _, w := range waves {
				for seq := w.Lo; seq <= w.Hi; seq++ {
					f.calls = append(f.calls, seq)
					res.Counts.Applied++
				}
			}
			return res, nil
		})
	env.OnActivity(a.SetStatus, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.StatusInput) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.statuses = append(f.statuses, in.Status)
			return nil
		})
	env.OnActivity(a.FinishRun, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.FinishInput) (plan.Report, error) { return in.Report, nil })
	return env
}

func quietSuite() *testsuite.WorkflowTestSuite {
	s := &testsuite.WorkflowTestSuite{}
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	return s
}

func run(t *testing.T, env *testsuite.TestWorkflowEnvironment, in Input) Report {
	t.Helper()
	env.ExecuteWorkflow(OrgSync, in)
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	var rep Report
	if err := env.GetWorkflowResult(&rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

func fullPlan() map[model.Kind]plan.Stage {
	return map[model.Kind]plan.Stage{
		model.Grade:    {Kind: model.Grade, Creates: 3, Deletes: 1, Current: 1000, Upserts: []plan.Range{rng(model.Grade, 0, 1, 3, false)}, Removals: []plan.Range{rng(model.Grade, 0, 4, 1, true)}},
		model.Position: {Kind: model.Position, Creates: 2, Upserts: []plan.Range{rng(model.Position, 0, 1, 2, false)}},
		model.Department: {Kind: model.Department, Creates: 6, Deletes: 2, Current: 1000, Upserts: []plan.Range{
			rng(model.Department, 0, 1, 1, false), rng(model.Department, 1, 2, 2, false), rng(model.Department, 2, 4, 3, false)},
			Removals: []plan.Range{rng(model.Department, -1, 7, 1, true), rng(model.Department, 0, 8, 1, true)}},
		model.Employee: {Kind: model.Employee, Creates: 1300, Deletes: 3, Current: 1000, Upserts: []plan.Range{rng(model.Employee, 0, 1, 1300, false)},
			Removals: []plan.Range{rng(model.Employee, 0, 1301, 3, true)}},
	}
}

// Upserts run grade, position, department (by depth), employee; deletes
// run after every upsert, employees first, departments leaves first,
// then grades.
func TestOrderOfWrites(t *testing.T) {
	f := &fake{stages: fullPlan()}
	rep := run(t, newEnv(t, f), Input{})
	if rep.Status != plan.RunCompleted {
		t.Fatalf("status = %s (%s)", rep.Status, rep.Message)
	}
	if len(f.calls) != 3+2+6+1300+3+2+1 {
		t.Fatalf("ApplyItem ran %d times", len(f.calls))
	}
	for i := 1; i < len(f.calls); i++ {
		if phase(f.calls[i]) < phase(f.calls[i-1]) {
			t.Fatalf("item %d ran after %d: out of order", f.calls[i], f.calls[i-1])
		}
	}
	if f.calls[len(f.calls)-1] != rng(model.Grade, 0, 4, 1, true).Lo {
		t.Fatalf("last write = %d, want the grade delete", f.calls[len(f.calls)-1])
	}
}

// Batch mode applies every item once, in the same order of waves and
// stages, with consecutive small waves in one activity and a range of a
// few batches in the parent.
func TestBatchMode(t *testing.T) {
	f := &fake{stages: fullPlan()}
	f.env = newEnv(t, f)
	rep := run(t, f.env, Input{Batch: 50})
	if rep.Status != plan.RunCompleted {
		t.Fatalf("status = %s (%s)", rep.Status, rep.Message)
	}
	seen := map[int]int{}
	for _, seq := range f.calls {
		seen[seq]++
	}
	if len(f.calls) != 3+2+6+1300+3+2+1 || len(seen) != len(f.calls) {
		t.Fatalf("%d items applied, %d distinct", len(f.calls), len(seen))
	}
	for i := 1; i < len(f.calls); i++ {
		if phase(f.calls[i]) < phase(f.calls[i-1]) {
			t.Fatalf("item %d ran after %d: out of order", f.calls[i], f.calls[i-1])
		}
	}
	// grades, positions, the 3 department waves, 26 employee batches;
	// deletes: employees, the 2 department waves, grades.
	if len(f.batches) != 1+1+1+26+1+1+1 {
		t.Fatalf("%d batch activities, want 32", len(f.batches))
	}
	if d := f.batches[2]; len(d.Waves) != 3 || d.Waves[0].Lo != rng(model.Department, 0, 1, 1, false).Lo {
		t.Fatalf("department upserts went as %+v, want their 3 waves in one activity", d)
	}
	v, err := f.env.QueryWorkflow(QueryProgress)
	if err != nil {
		t.Fatal(err)
	}
	var p Progress
	if err := v.Get(&p); err != nil || p.Done != len(f.calls) || p.Failed != 0 || p.Remaining != 0 {
		t.Fatalf("progress %+v (%v), want %d done", p, err, len(f.calls))
	}
}

// phase is the position an item of fullPlan must keep in the order of
// writes.
func phase(seq int) int {
	k := kindOf(seq)
	for _, st := range fullPlan() {
		for _, r := range st.Removals {
			if seq >= r.Lo && seq <= r.Hi {
				return 100 + map[model.Kind]int{model.Employee: 0, model.Department: 10, model.Grade: 30}[k] + r.Wave + 5
			}
		}
	}
	wave := 0
	for _, r := range fullPlan()[k].Upserts {
		if seq >= r.Lo && seq <= r.Hi {
			wave = r.Wave
		}
	}
	return map[model.Kind]int{model.Grade: 0, model.Position: 10, model.Department: 20, model.Employee: 40}[k] + wave
}

// Seed 000's policy: some failures and the run goes on; a stage where
// every attempted item failed stops the run before later stages.
func TestStagePolicy(t *testing.T) {
	t.Run("partial failures go on", func(t *testing.T) {
		f := &fake{stages: fullPlan(), fail: func(seq int) (string, target.Class) {
			if kindOf(seq) == model.Employee && seq%10 == 0 {
				return plan.StatusFailed, target.Invalid
			}
			return "", ""
		}}
		rep := run(t, newEnv(t, f), Input{})
		if rep.Status != plan.RunCompletedFailing || rep.FailedStage != "" {
			t.Fatalf("report = %+v", rep)
		}
	})
	t.Run("a stage that fails entirely stops the run", func(t *testing.T) {
		f := &fake{stages: fullPlan(), fail: func(seq int) (string, target.Class) {
			if kindOf(seq) == model.Department {
				return plan.StatusFailed, target.Invalid
			}
			return "", ""
		}}
		rep := run(t, newEnv(t, f), Input{})
		if rep.Status != plan.RunFailed || rep.FailedStage != "department" {
			t.Fatalf("report = %+v", rep)
		}
		for _, seq := range f.calls {
			if kindOf(seq) == model.Employee {
				t.Fatalf("employee item %d was written after the department stage failed", seq)
			}
		}
		// The first wave failed entirely, so deeper waves were still tried
		// (they are skipped by the activity when their parent is missing).
	})
	t.Run("bad credentials stop at the first item", func(t *testing.T) {
		f := &fake{stages: fullPlan(), fail: func(int) (string, target.Class) { return plan.StatusFailed, target.Auth }}
		rep := run(t, newEnv(t, f), Input{})
		if rep.Status != plan.RunFailed || rep.FailedStage != "grade" || len(f.calls) > 3 {
			t.Fatalf("report = %+v after %d calls", rep, len(f.calls))
		}
	})
}

func TestRollbackRunUndoesNewestFirst(t *testing.T) {
	f := &fake{stages: fullPlan(), fail: func(seq int) (string, target.Class) {
		if kindOf(seq) == model.Department {
			return plan.StatusFailed, target.Invalid
		}
		return "", ""
	}}
	rep := run(t, newEnv(t, f), Input{Rollback: "run"})
	if !rep.RolledBack || rep.FailedStage != "department" {
		t.Fatalf("report = %+v", rep)
	}
	// What the run applied (grades, then positions) is undone, newest range
	// first: the positions, then the grades. Items of one range were
	// applied together, so they have no order among themselves.
	if len(f.undos) != 2+3 || kindOf(f.undos[0]) != model.Position || kindOf(f.undos[1]) != model.Position || kindOf(f.undos[len(f.undos)-1]) != model.Grade {
		t.Fatalf("undo order: %d items, first %d, last %d", len(f.undos), f.undos[0], f.undos[len(f.undos)-1])
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	f := &fake{stages: fullPlan()}
	rep := run(t, newEnv(t, f), Input{DryRun: true})
	if rep.Status != plan.RunDryRun || len(f.calls) != 0 || len(rep.Plan) != 4 {
		t.Fatalf("dry run: %+v, %d writes", rep, len(f.calls))
	}
}

// The run's reconcile and unmatched reach every PlanStage in its input.
func TestReconcileTravelsToPlanStage(t *testing.T) {
	f := &fake{stages: fullPlan()}
	run(t, newEnv(t, f), Input{DryRun: true, Reconcile: true, Unmatched: plan.UnmatchedReport})
	if len(f.planned) != len(model.Kinds) {
		t.Fatalf("%d stages planned, want %d", len(f.planned), len(model.Kinds))
	}
	for _, in := range f.planned {
		if in.Reconcile == nil || !*in.Reconcile || in.Unmatched != plan.UnmatchedReport {
			t.Errorf("PlanStage %s: reconcile %v, unmatched %q", in.Kind, in.Reconcile, in.Unmatched)
		}
	}
}

func deletesOnly() map[model.Kind]plan.Stage {
	return map[model.Kind]plan.Stage{
		model.Employee: {Kind: model.Employee, Deletes: 50, Current: 100, Removals: []plan.Range{rng(model.Employee, 0, 1, 50, true)}},
	}
}

func TestDeletesOverLimitWaitForApproval(t *testing.T) {
	t.Run("approved by signal", func(t *testing.T) {
		f := &fake{stages: deletesOnly()}
		env := newEnv(t, f)
		env.RegisterDelayedCallback(func() {
			var p Progress
			v, err := env.QueryWorkflow(QueryProgress)
			if err != nil || v.Get(&p) != nil || p.Status != plan.RunWaitingApproval {
				t.Errorf("progress while waiting = %+v, %v", p, err)
			}
			if len(f.calls) != 0 {
				t.Errorf("%d deletes ran before approval", len(f.calls))
			}
			env.SignalWorkflow(SignalApproveDeletes, ApproveInput{By: "test"})
		}, 30*time.Minute)
		rep := run(t, env, Input{})
		if len(f.statuses) != 2 || f.statuses[0] != plan.RunWaitingApproval {
			t.Errorf("runs table statuses = %v, want waiting-approval then running", f.statuses)
		}
		if !rep.DeletesHeld || !rep.DeletesApproved || len(f.calls) != 50 {
			t.Fatalf("report = %+v, %d deletes", rep, len(f.calls))
		}
	})
	t.Run("timeout skips the deletes", func(t *testing.T) {
		f := &fake{stages: deletesOnly()}
		rep := run(t, newEnv(t, f), Input{})
		if !rep.DeletesHeld || rep.DeletesApproved || len(f.calls) != 0 || rep.Message == "" {
			t.Fatalf("report = %+v, %d deletes", rep, len(f.calls))
		}
	})
	t.Run("input limit and pre-approval", func(t *testing.T) {
		limit := 50
		f := &fake{stages: deletesOnly()}
		rep := run(t, newEnv(t, f), Input{DeleteLimit: &limit})
		if rep.DeletesHeld || len(f.calls) != 50 {
			t.Fatalf("deleteLimit 50: %+v, %d deletes", rep, len(f.calls))
		}
		f = &fake{stages: deletesOnly()}
		rep = run(t, newEnv(t, f), Input{ApproveDeletes: true})
		if !rep.DeletesHeld || !rep.DeletesApproved || len(f.calls) != 50 {
			t.Fatalf("approveDeletes: %+v, %d deletes", rep, len(f.calls))
		}
	})
}

func TestBadInput(t *testing.T) {
	env := quietSuite().NewTestWorkflowEnvironment()
	env.ExecuteWorkflow(OrgSync, Input{Stages: []string{"titles"}})
	if err := env.GetWorkflowError(); err == nil {
		t.Fatal("stage \"titles\" accepted")
	}
	env = quietSuite().NewTestWorkflowEnvironment()
	env.ExecuteWorkflow(OrgSync, Input{Reconcile: true, Unmatched: "keep"})
	if err := env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "unmatched") {
		t.Fatalf("unmatched \"keep\": %v", err)
	}
}

func TestDeleteLimitDefault(t *testing.T) {
	var d plan.DeleteLimit
	if d.Allowed(100) != 10 || d.Allowed(100000) != 500 {
		t.Fatalf("default limit: %d, %d", d.Allowed(100), d.Allowed(100000))
	}
}
