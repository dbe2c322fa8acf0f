package workflows_test

import (
	"fmt"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/workflows"
)

func byStage(rep plan.Report) map[model.Kind]plan.StageReport {
	out := map[model.Kind]plan.StageReport{}
	for _, s := range rep.Stages {
		out[s.Stage] = s
	}
	return out
}

func checkState(t *testing.T, s *testenv.Stack) {
	t.Helper()
	want := testenv.WorkboxState(s.Source(t))
	got := s.Sandbox.WorkboxState()
	if !testenv.SameJSON(want, got) {
		t.Fatalf("target state differs from the source: %d/%d grades, %d/%d positions, %d/%d depts, %d/%d users",
			len(got.Grades), len(want.Grades), len(got.Positions), len(want.Positions),
			len(got.Depts), len(want.Depts), len(got.Users), len(want.Users))
	}
}

// First run creates everything; a re-run writes nothing; HR changes make
// exactly the needed writes.
func TestSyncLifecycle(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 300, Departments: 25})
	s.StartWorker(t)
	lifecycle(t, s, func() int64 { return s.Sandbox.Stats().Writes }, func() { checkState(t, s) })
}

// lifecycle is the scenario both targets must pass: a first sync, a
// no-change re-run with zero writes, then seven HR changes (hire, retire,
// move, rename, regrade, rename and move a department) costing exactly
// seven writes. writes counts the target's writes; check compares the
// target with the source.
func lifecycle(t *testing.T, s *testenv.Stack, writes func() int64, check func()) {
	t.Helper()
	rep := s.Sync(t, workflows.Input{})
	if rep.Status != plan.RunCompleted {
		t.Fatalf("first run: %+v", rep)
	}
	check()
	src := s.Source(t)
	st := byStage(rep)
	if st[model.Employee].Created != len(src[model.Employee]) || st[model.Department].Created != len(src[model.Department]) {
		t.Fatalf("first run counts %+v", rep.Stages)
	}
	t.Logf("first run: %d writes", writes())

	before := writes()
	rep = s.Sync(t, workflows.Input{})
	if w := writes() - before; w != 0 || rep.Status != plan.RunCompleted {
		t.Fatalf("no-change run sent %d writes; report %+v", w, rep)
	}
	if byStage(rep)[model.Employee].Unchanged != len(src[model.Employee]) {
		t.Fatalf("no-change run: %+v", rep.Stages)
	}

	// HR changes, each on a different person or department.
	k := s.Sandbox.Knox()
	emps, depts, grades := src[model.Employee], src[model.Department], src[model.Grade]
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := k.Hire(depts[0].Key)
	must(err)
	must(k.Retire(emps[0].Key))
	other := depts[1].Key
	if emps[1].DeptKey == other {
		other = depts[2].Key
	}
	must(k.Move(emps[1].Key, other))
	must(k.Rename(emps[2].Key, "김바뀜"))
	newGrade := grades[0].Key
	if emps[3].GradeKey == newGrade {
		newGrade = grades[1].Key
	}
	must(k.Regrade(emps[3].Key, newGrade))
	must(k.RenameDept(depts[3].Key, "새이름팀"))
	leaf := depts[len(depts)-1]
	must(k.MoveDept(leaf.Key, depts[0].Key))

	before = writes()
	rep = s.Sync(t, workflows.Input{})
	st = byStage(rep)
	changed := writes() - before
	if rep.Status != plan.RunCompleted || st[model.Employee].Created != 1 || st[model.Employee].Deleted != 1 ||
		st[model.Employee].Updated != 3 || st[model.Department].Updated != 2 || changed != 7 {
		t.Fatalf("after HR changes: %d writes (want 7), report %s", changed, fmt.Sprint(rep.Stages))
	}
	check()
}

// Batch mode (opt-in for first loads) reaches the same state, with every
// entity's outcome recorded, and a re-run in per-entity mode writes nothing.
func TestBatchFirstLoad(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 700, Departments: 30})
	s.StartWorker(t)
	rep := s.Sync(t, workflows.Input{Batch: 50})
	if rep.Status != plan.RunCompleted {
		t.Fatalf("batch run: %+v", rep)
	}
	checkState(t, s)
	src := s.Source(t)
	if st := byStage(rep); st[model.Employee].Created != len(src[model.Employee]) {
		t.Fatalf("batch run counts %+v", rep.Stages)
	}
	var closed int
	if err := s.Store.Pool.QueryRow(t.Context(), `SELECT count(*) FROM plan_items WHERE run_id = $1 AND status = 'applied'`, rep.RunID).Scan(&closed); err != nil {
		t.Fatal(err)
	}
	if want := s.Sandbox.Stats().Creates; int64(closed) != want {
		t.Fatalf("%d items recorded applied, the target saw %d creates", closed, want)
	}
	before := s.Sandbox.Stats().Writes
	if rep := s.Sync(t, workflows.Input{}); rep.Status != plan.RunCompleted || s.Sandbox.Stats().Writes != before {
		t.Fatalf("re-run after batch load: %+v, %d writes", rep, s.Sandbox.Stats().Writes-before)
	}
}
