package workflows_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/korean"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/sandbox/workplacesim"
	"github.com/orgsync/orgsync/workflows"
)

// checkWorkplace compares what WORKPLACE holds with the source, plus the
// objects in extra that orgsync must have left alone.
func checkWorkplace(t *testing.T, s *testenv.Stack, extra func(*workplacesim.State)) {
	t.Helper()
	want := testenv.WorkplaceState(s.Source(t))
	if extra != nil {
		extra(&want)
	}
	got := s.Sandbox.WorkplaceState()
	if !testenv.SameJSON(want, got) {
		for k, v := range want.Employees {
			if !testenv.SameJSON(v, got.Employees[k]) {
				t.Logf("employee %s: want %+v, got %+v", k, v, got.Employees[k])
				break
			}
		}
		t.Fatalf("WORKPLACE differs from the source: %d/%d grades, %d/%d jobs, %d/%d depts, %d/%d employees",
			len(got.Grades), len(want.Grades), len(got.Jobs), len(want.Jobs),
			len(got.Depts), len(want.Depts), len(got.Employees), len(want.Employees))
	}
}

// The lifecycle of TestSyncLifecycle with ORGSYNC_TARGET=workplace: the
// same workflow, the WORKPLACE v2 client and stand-in.
func TestSyncLifecycleWorkplace(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 300, Departments: 25, Target: "workplace"})
	s.StartWorker(t)
	wp := s.Sandbox.Workplace()
	lifecycle(t, s, func() int64 { return wp.Stats().Writes }, func() { checkWorkplace(t, s, nil) })
	if wb := s.Sandbox.Stats().Requests; wb != 0 {
		t.Fatalf("%d requests went to WORKBOX", wb)
	}
}

// An administrator edits WORKPLACE by hand: renames a grade and an
// employee, deletes a department and an employee, and adds a grade and a
// department orgsync does not know. A plain run does not look; a run with
// reconcile and {"unmatched":"report"} restores what orgsync owns, reports
// the unknown objects and leaves them alone; a second reconcile writes
// nothing. (Without "report", a reconcile deletes them: see
// TestReconcileWorkplaceFull.)
func TestReconcileWorkplaceDrift(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 120, Departments: 12, Target: "workplace"})
	s.StartWorker(t)
	wp := s.Sandbox.Workplace()
	if rep := s.Sync(t, workflows.Input{}); rep.Status != plan.RunCompleted {
		t.Fatalf("first run: %+v", rep)
	}
	checkWorkplace(t, s, nil)
	src := s.Source(t)

	edit := func(res, key string, change func(map[string]any)) {
		t.Helper()
		raw, err := wp.Get(res, key)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		change(m)
		b, _ := json.Marshal(m)
		if err := wp.Put(res, key, b); err != nil {
			t.Fatal(err)
		}
	}
	grade := src[model.Grade][0].Key
	edit(workplacesim.ResGrade, grade, func(m map[string]any) { m["name"] = "손으로바꾼직급" })
	renamed := src[model.Employee][5].Key
	edit(workplacesim.ResEmp, renamed, func(m map[string]any) { m["name"] = "손으로바꾼이름"; m["telephoneNo"] = "02-000-0000" })
	// A department with no sub-departments (its members stay, pointing at it).
	var gone string
	parents := map[string]bool{}
	for _, d := range src[model.Department] {
		parents[d.ParentKey] = true
	}
	for _, d := range src[model.Department] {
		if !parents[d.Key] {
			gone = d.Key
		}
	}
	if err := wp.Remove(workplacesim.ResDept, gone); err != nil {
		t.Fatal(err)
	}
	goneEmp := src[model.Employee][7].Key
	if err := wp.Remove(workplacesim.ResEmp, goneEmp); err != nil {
		t.Fatal(err)
	}
	unknownGrade := workplacesim.Item{Name: "계약직급", ItemUsed: true, SortOrder: "99"}
	unknownDept := workplacesim.Dept{Name: "수동추가팀", DeptExternalKey: "HAND-DEPT", ParentDeptExternalKey: "#", DispOrd: "1"}
	b, _ := json.Marshal(unknownGrade)
	if err := wp.Put(workplacesim.ResGrade, "HAND-GRADE", b); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(unknownDept)
	if err := wp.Put(workplacesim.ResDept, "HAND-DEPT", b); err != nil {
		t.Fatal(err)
	}
	withUnknown := func(st *workplacesim.State) {
		st.Grades["HAND-GRADE"] = unknownGrade
		st.Depts["HAND-DEPT"] = unknownDept
	}

	// Without reconcile the mappings say all is well: nothing is written.
	before := wp.Stats().Writes
	if rep := s.Sync(t, workflows.Input{}); rep.Status != plan.RunCompleted || wp.Stats().Writes != before {
		t.Fatalf("plain run after drift: %d writes, %+v", wp.Stats().Writes-before, rep)
	}
	if got := s.Sandbox.WorkplaceState(); got.Grades[grade].Name != "손으로바꾼직급" {
		t.Fatalf("the plain run should not have touched the drift")
	}

	// A dry run with reconcile shows the repairs and writes nothing.
	report := plan.UnmatchedReport
	rep := s.Sync(t, workflows.Input{Reconcile: true, DryRun: true, Unmatched: report})
	if rep.Status != plan.RunDryRun || wp.Stats().Writes != before {
		t.Fatalf("dry reconcile: %d writes, %+v", wp.Stats().Writes-before, rep)
	}

	rep = s.Sync(t, workflows.Input{Reconcile: true, Unmatched: report})
	st := byStage(rep)
	writes := wp.Stats().Writes - before
	t.Logf("reconcile run: %d writes, %v", writes, rep.Stages)
	if rep.Status != plan.RunCompleted || st[model.Grade].Updated != 1 || st[model.Department].Created != 1 ||
		st[model.Employee].Updated != 1 || st[model.Employee].Created != 1 || writes != 4 {
		t.Fatalf("reconcile: %d writes (want 4), report %v", writes, rep.Stages)
	}
	if st[model.Grade].Skipped != 1 || st[model.Department].Skipped != 1 || st[model.Grade].Deleted+st[model.Department].Deleted != 0 {
		t.Fatalf("unknown objects: %v", rep.Stages)
	}
	checkWorkplace(t, s, withUnknown)

	items, err := s.Store.FailedItems(context.Background(), rep.RunID)
	if err != nil {
		t.Fatal(err)
	}
	var unknown []string
	for _, it := range items {
		if it.Op == store.OpUnknown {
			if it.Status != plan.StatusSkipped || !strings.Contains(it.Message, "WORKPLACE") || !strings.Contains(it.Message, "left as it is") {
				t.Errorf("unknown item %+v", it)
			}
			unknown = append(unknown, string(it.Stage)+"/"+it.Key)
		}
	}
	if fmt.Sprint(unknown) != "[grade/HAND-GRADE department/HAND-DEPT]" {
		t.Fatalf("unknown items %v (all: %+v)", unknown, items)
	}

	// Repaired: a second reconcile writes nothing and still reports the
	// unknown objects.
	before = wp.Stats().Writes
	rep = s.Sync(t, workflows.Input{Reconcile: true, Unmatched: report})
	st = byStage(rep)
	if w := wp.Stats().Writes - before; w != 0 || rep.Status != plan.RunCompleted || st[model.Grade].Skipped != 1 {
		t.Fatalf("second reconcile: %d writes, %v", w, rep.Stages)
	}
	checkWorkplace(t, s, withUnknown)
}

// ORGSYNC_SOURCE=file end to end: an HR export in CP949 CSV synced into
// WORKPLACE; a malformed row is reported as failed and changes nothing,
// the rest is applied.
func TestFileSourceToWorkplace(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Target: "workplace"})
	dir := t.TempDir()
	files := map[string]string{
		"grades.csv":      "code,name,sort_order\nG1,책임,1\nG2,선임,2\n",
		"positions.csv":   "code,name,sort_order\nP1,팀장,1\n",
		"departments.csv": "부서코드,부서명,상위부서코드,정렬순서\nD1,본부,,1\nD2,개발팀,D1,2\n",
		"employees.csv": "사번,이름,이메일,부서코드,직급코드,직책코드,입사일\n" +
			"E1,김삼성,kim@example.com,D2,G1,P1,2019-03-02\n" +
			"E2,이하나,lee@example.com,D1,G2,,\n" +
			"E3,박잘못,not-an-email,D1,G2,,\n",
	}
	for name, text := range files {
		data, err := korean.EUCKR.NewEncoder().Bytes([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s.Config.Source, s.Config.FileDir = "file", dir
	s.StartWorker(t)
	rep := s.Sync(t, workflows.Input{})
	st := byStage(rep)
	if rep.Status != plan.RunCompletedFailing && rep.Status != plan.RunCompleted {
		t.Fatalf("file run: %+v", rep)
	}
	if st[model.Employee].Created != 2 || st[model.Employee].Failed != 1 || st[model.Department].Created != 2 || st[model.Grade].Created != 2 {
		t.Fatalf("file run: %v", rep.Stages)
	}
	checkWorkplace(t, s, nil)
	if e := s.Sandbox.WorkplaceState().Employees["E1"]; e.EmployYmd != "2019-03-02" || e.LoginID != "kim" || e.Name != "김삼성" {
		t.Fatalf("employee E1 %+v", e)
	}
	items, err := s.Store.FailedItems(context.Background(), rep.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Key != "E3" || items[0].Field != "email" || !strings.Contains(items[0].Message, "employees.csv row 4 column C") {
		t.Fatalf("failed items %+v", items)
	}
}
