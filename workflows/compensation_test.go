package workflows_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/orgsync/orgsync/internal/app"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/target"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/sandbox/knoxsim"
	"github.com/orgsync/orgsync/sandbox/workboxsim"
	"github.com/orgsync/orgsync/sandbox/workplacesim"
	"github.com/orgsync/orgsync/workflows"
)

// statsDelta is what the target saw between two snapshots.
func statsDelta(a, b workboxsim.Stats) workboxsim.Stats {
	return workboxsim.Stats{Creates: b.Creates - a.Creates, Updates: b.Updates - a.Updates,
		Deletes: b.Deletes - a.Deletes, DuplicateCreates: b.DuplicateCreates - a.DuplicateCreates}
}

// TestCompensationLeavesWhatItDidNotCreate: WORKBOX already holds grades,
// a department and users under keys the source also has (an
// administrator's, mapped by External Key in the console), plus hand-made
// items under other keys. A run with rollback "run" whose employee stage
// fails entirely removes everything it created and deletes none of those:
// the items it adopted (create answered "exists") are reported not
// undoable, because WORKBOX cannot be read back to learn what they held.
func TestCompensationLeavesWhatItDidNotCreate(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 60, Departments: 8})
	s.StartWorker(t)
	src := s.Source(t)
	grades, depts, emps := src[model.Grade], src[model.Department], src[model.Employee]
	var top model.Entity // a top department of the source: adopting it moves nothing under created ones
	for _, d := range depts {
		if d.ParentKey == model.TopParent {
			top = d
			break
		}
	}
	var member model.Entity
	for _, e := range emps {
		if e.DeptKey == top.Key {
			member = e
			break
		}
	}
	if top.Key == "" || member.Key == "" {
		t.Fatal("no top department with a member in the generated company")
	}
	tc, err := app.NewTarget(s.Config, nil)
	safetyMust(t, err)
	ctx := context.Background()
	admin := func(e model.Entity) { safetyMust(t, tc.Create(ctx, e)) }
	// The administrator's items under the source's keys, with other contents.
	preGrades := []model.Entity{grades[0], grades[1]}
	for _, g := range preGrades {
		g.Name += " (콘솔)"
		admin(g)
	}
	preDept := top
	preDept.Name = "콘솔에서 만든 부서"
	admin(preDept)
	preUser := member
	preUser.Name, preUser.Tel = "콘솔 사용자", "02-000-0000"
	preUser.GradeKey, preUser.PositionKey = grades[0].Key, ""
	admin(preUser)
	// Hand-made items under keys the source does not have.
	admin(model.Entity{Kind: model.Grade, Key: "HAND-G1", Name: "수작업 직급", SortOrder: 99})
	admin(model.Entity{Kind: model.Department, Key: "HAND-D1", Name: "수작업 부서", ParentKey: model.TopParent, SortOrder: 99})
	admin(model.Entity{Kind: model.Employee, Key: "HAND-U1", Name: "수작업 사용자", Email: "hand-u1@example.com",
		DeptKey: "HAND-D1", GradeKey: "HAND-G1", Locale: "ko_KR", TimeZone: "Asia/Seoul"})

	safetyMust(t, s.Sandbox.Workbox().SetFaults(workboxsim.Faults{Reject: []string{workboxsim.ResUser}}))
	before, stats0 := s.Sandbox.WorkboxState(), s.Sandbox.Stats()
	rep := s.Sync(t, workflows.Input{Rollback: "run"})
	after, seen := s.Sandbox.WorkboxState(), statsDelta(stats0, s.Sandbox.Stats())

	if rep.Status != plan.RunRollbackIncomplete || rep.FailedStage != string(model.Employee) || rep.Undo == nil {
		t.Fatalf("want a run failed at employee, its rollback incomplete, got status %q stage %q undo %+v: %s", rep.Status, rep.FailedStage, rep.Undo, rep.Message)
	}
	items := s.PlanItems(t, rep.RunID, "")
	adopted := len(preGrades) + 1 // the department; the employee stage wrote nothing
	created := countStatus(items, "", plan.StatusUndone)
	if rep.Undo.NotUndoable != adopted || rep.Undo.Failed != 0 || rep.Undo.Undone != created || rep.RolledBack || rep.Undo.Restored {
		t.Fatalf("undo report %+v, rolledBack %v; want %d not undoable (adopted), %d undone", rep.Undo, rep.RolledBack, adopted, created)
	}
	// What the target saw: one POST per created item and one DELETE per
	// undone item, and nothing else deleted.
	if seen.Deletes != int64(created) || seen.Creates != int64(created) || seen.DuplicateCreates != int64(adopted) {
		t.Fatalf("the target saw %+v; the run created and undid %d items and adopted %d", seen, created, adopted)
	}
	// Every pre-existing and hand-made item is still there; the adopted
	// ones hold what the run wrote (reported), the rest are untouched.
	want := before
	want.Grades = map[string]workboxsim.Item{}
	for k, v := range before.Grades {
		want.Grades[k] = v
	}
	srcState := testenv.WorkboxState(src)
	for _, g := range preGrades {
		want.Grades[g.Key] = srcState.Grades[g.Key]
	}
	want.Depts = map[string]workboxsim.Dept{}
	for k, v := range before.Depts {
		want.Depts[k] = v
	}
	want.Depts[top.Key] = srcState.Depts[top.Key]
	if !testenv.SameJSON(after, want) {
		t.Fatalf("target after the rollback differs in: %s", diffState(after, want))
	}
	for _, it := range items {
		if it.Status == plan.StatusNotUndoable && it.Op != plan.OpCreate {
			t.Fatalf("%s %s (%s) reported not undoable", it.Kind, it.Key, it.Op)
		}
	}
	t.Logf("created and removed %d, adopted %d (left, reported); target saw %+v; %s", created, adopted, seen, rep.Message)
}

// TestCompensationRestoresHRChanges: after a good run, HR changes (rename
// and move departments, rename, move and regrade employees, hire, retire,
// a renamed and a new grade) and a failing employee stage with rollback
// "run" leave the target, item by item, as it was. Then the changes are
// applied by a good run, and `starter undo` of that run (the undo input)
// restores the target exactly; a second undo does nothing.
func TestCompensationRestoresHRChanges(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 120, Departments: 12})
	s.StartWorker(t)
	if rep := s.Sync(t, workflows.Input{}); rep.Status != plan.RunCompleted {
		t.Fatalf("first run: %+v", rep)
	}
	checkState(t, s)
	src := s.Source(t)
	grades, depts, emps := src[model.Grade], src[model.Department], src[model.Employee]
	k := s.Sandbox.Knox()
	kids := map[string]int{}
	for _, d := range depts {
		kids[d.ParentKey]++
	}
	var leaf, root model.Entity
	for _, d := range depts {
		if d.ParentKey == model.TopParent && root.Key == "" {
			root = d
		}
	}
	for _, d := range depts {
		if kids[d.Key] == 0 && d.ParentKey != root.Key && d.ParentKey != model.TopParent {
			leaf = d
		}
	}
	if leaf.Key == "" || root.Key == "" {
		t.Fatal("no department to move in the generated company")
	}
	safetyMust(t, k.RenameDept(depts[1].Key, "이름바뀐팀"))
	safetyMust(t, k.MoveDept(leaf.Key, root.Key))
	safetyMust(t, k.Rename(emps[1].Key, "김바뀜"))
	other := depts[2].Key
	if emps[2].DeptKey == other {
		other = depts[3].Key
	}
	safetyMust(t, k.Move(emps[2].Key, other))
	newGrade := grades[0].Key
	if emps[3].GradeKey == newGrade {
		newGrade = grades[1].Key
	}
	safetyMust(t, k.Regrade(emps[3].Key, newGrade))
	_, err := k.Hire(depts[0].Key)
	safetyMust(t, err)
	safetyMust(t, k.Retire(emps[4].Key))
	safetyMust(t, k.PutRaw(knoxsim.KindTitles, grades[2].Key, rawTitle(grades[2].Key, grades[2].Name+" 개정", "Renamed", grades[2].SortOrder)))
	safetyMust(t, k.PutRaw(knoxsim.KindTitles, "T98", rawTitle("T98", "신설직급", "New grade", 7)))
	noLimit := 1000

	t.Run("rollback run", func(t *testing.T) {
		safetyMust(t, s.Sandbox.Workbox().SetFaults(workboxsim.Faults{Reject: []string{workboxsim.ResUser}}))
		defer func() { safetyMust(t, s.Sandbox.Workbox().SetFaults(workboxsim.Faults{})) }()
		before, beforeMap, stats0 := s.Sandbox.WorkboxState(), s.Mappings(t), s.Sandbox.Stats()
		rep := s.Sync(t, workflows.Input{Rollback: "run", DeleteLimit: &noLimit})
		seen := statsDelta(stats0, s.Sandbox.Stats())
		if rep.Status != plan.RunRolledBack || rep.FailedStage != string(model.Employee) {
			t.Fatalf("want a run failed at employee and rolled back, got %q at %q: %s", rep.Status, rep.FailedStage, rep.Message)
		}
		if after := s.Sandbox.WorkboxState(); !testenv.SameJSON(after, before) {
			t.Fatalf("target after rollback differs from before the run in: %s", diffState(after, before))
		}
		if m := s.Mappings(t); !testenv.SameJSON(m, beforeMap) {
			t.Fatal("mapping table after rollback differs from before the run")
		}
		items := s.PlanItems(t, rep.RunID, "")
		undone := countStatus(items, "", plan.StatusUndone)
		if !rep.RolledBack || rep.Undo == nil || !rep.Undo.Restored || rep.Undo.Undone != undone || undone == 0 ||
			rep.Undo.Failed+rep.Undo.NotUndoable != 0 || countStatus(items, "", plan.StatusApplied) != 0 {
			t.Fatalf("rolledBack %v, undo %+v, %d items undone", rep.RolledBack, rep.Undo, undone)
		}
		// Each applied item was one write and its undo one more.
		if got := seen.Creates + seen.Updates + seen.Deletes; got != int64(2*undone) {
			t.Fatalf("the target saw %+v (%d writes); the report says %d applied and undone", seen, got, undone)
		}
		t.Logf("%d writes undone; target saw %+v; %s", undone, seen, rep.Message)
	})

	t.Run("undo a completed run", func(t *testing.T) {
		before, beforeMap := s.Sandbox.WorkboxState(), s.Mappings(t)
		done := s.Sync(t, workflows.Input{DeleteLimit: &noLimit})
		if done.Status != plan.RunCompleted {
			t.Fatalf("run with the HR changes: %+v", done)
		}
		checkState(t, s)
		dry := s.Sync(t, workflows.Input{Undo: done.RunID, DryRun: true})
		var planned int
		for _, st := range dry.Plan {
			planned += st.Creates + st.Updates + st.Deletes
		}
		applied := countStatus(s.PlanItems(t, done.RunID, ""), "", plan.StatusApplied)
		if dry.Status != plan.RunDryRun || planned != applied || testenv.SameJSON(s.Sandbox.WorkboxState(), before) {
			t.Fatalf("dry run of the undo: status %s, %d planned of %d applied: %s", dry.Status, planned, applied, dry.Message)
		}
		stats0 := s.Sandbox.Stats()
		rep := s.Sync(t, workflows.Input{Undo: done.RunID, DeleteLimit: &noLimit})
		seen := statsDelta(stats0, s.Sandbox.Stats())
		if rep.Status != plan.RunCompleted || rep.Undo == nil || !rep.Undo.Restored || rep.Undo.Undone != applied {
			t.Fatalf("undo run: status %s, undo %+v, want %d undone: %s", rep.Status, rep.Undo, applied, rep.Message)
		}
		if after := s.Sandbox.WorkboxState(); !testenv.SameJSON(after, before) {
			t.Fatalf("target after undo differs from before the undone run in: %s", diffState(after, before))
		}
		if m := s.Mappings(t); !testenv.SameJSON(m, beforeMap) {
			t.Fatal("mapping table after undo differs from before the undone run")
		}
		if got := seen.Creates + seen.Updates + seen.Deletes; got != int64(rep.Undo.Undone) {
			t.Fatalf("the target saw %d writes (%+v); the report says %d undone", got, seen, rep.Undo.Undone)
		}
		stats0 = s.Sandbox.Stats()
		again := s.Sync(t, workflows.Input{Undo: done.RunID, DeleteLimit: &noLimit})
		seen = statsDelta(stats0, s.Sandbox.Stats())
		if again.Undo == nil || again.Undo.Undone+again.Undo.Failed+again.Undo.NotUndoable != 0 || seen.Creates+seen.Updates+seen.Deletes != 0 {
			t.Fatalf("second undo: %+v, target saw %+v", again.Undo, seen)
		}
		t.Logf("undo of %s: %d writes undone, target saw %+v; second undo: %s", done.RunID, rep.Undo.Undone, seen, again.Message)
	})
}

// TestCompensationCancel cancels a run while it applies, once in a stage
// of small ranges (applied by the run itself) and once in a large range
// (applied by child workflows): either way the writes in flight finish,
// the rollback policy undoes everything the run applied, and the run ends
// Canceled with the target as it was.
func TestCompensationCancel(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 150, Departments: 6})
	s.Config.ApplyWindow = 8 // slow enough to be cancelled in the middle
	s.StartWorker(t)
	for _, c := range []struct {
		name   string
		stages []string
		after  int // items done before the cancel
		batch  int
	}{
		{"small ranges", []string{"grade", "position", "department"}, 3, 0},
		{"large range", nil, 60, 0}, // grades, positions and departments are fewer
		{"batch mode", nil, 3, 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			safetyMust(t, s.Sandbox.Workbox().SetFaults(workboxsim.Faults{LatencyMs: 60}))
			defer func() { safetyMust(t, s.Sandbox.Workbox().SetFaults(workboxsim.Faults{})) }()
			before, beforeMap := s.Sandbox.WorkboxState(), s.Mappings(t)
			id := "orgsync-cancel-" + strings.ReplaceAll(c.name, " ", "-")
			run := s.Start(t, id, workflows.Input{Stages: c.stages, Rollback: "run", Batch: c.batch})
			// The target's counter, not the progress query: a child's items
			// count there only when the child ends.
			creates0 := s.Sandbox.Stats().Creates
			deadline := time.Now().Add(2 * time.Minute)
			for s.Sandbox.Stats().Creates-creates0 < int64(c.after) {
				if time.Now().After(deadline) {
					t.Fatalf("the run did not create %d items in time", c.after)
				}
				time.Sleep(20 * time.Millisecond)
			}
			safetyMust(t, s.Client.CancelWorkflow(context.Background(), id, ""))
			err := run.Get(context.Background(), nil)
			if !temporal.IsCanceledError(err) {
				t.Fatalf("want the run to end Canceled, got %v", err)
			}
			d, err := s.Client.DescribeWorkflowExecution(context.Background(), id, run.GetRunID())
			safetyMust(t, err)
			if st := d.WorkflowExecutionInfo.Status; st != enums.WORKFLOW_EXECUTION_STATUS_CANCELED {
				t.Fatalf("execution status %s", st)
			}
			row, err := s.Store.GetRun(context.Background(), run.GetRunID())
			safetyMust(t, err)
			var rep plan.Report
			safetyMust(t, json.Unmarshal(row.Report, &rep))
			items := s.PlanItems(t, run.GetRunID(), "")
			undone := countStatus(items, "", plan.StatusUndone)
			if row.Status != plan.RunCanceled {
				for _, e := range fetch(t, s.Client, id, run.GetRunID()).Events {
					t.Log(e.EventType, e.String()[:min(300, len(e.String()))])
				}
			}
			if row.Status != plan.RunCanceled || rep.Undo == nil || !rep.Undo.Restored || rep.Undo.Undone != undone || undone == 0 {
				t.Fatalf("stored status %s, undo %+v, %d items undone", row.Status, rep.Undo, undone)
			}
			if n := countStatus(items, "", plan.StatusApplied); n != 0 {
				t.Fatalf("%d items still applied after the cancel's compensation", n)
			}
			if after := s.Sandbox.WorkboxState(); !testenv.SameJSON(after, before) {
				t.Fatalf("target after the cancel differs from before in: %s", diffState(after, before))
			}
			if m := s.Mappings(t); !testenv.SameJSON(m, beforeMap) {
				t.Fatal("mapping table after the cancel differs from before")
			}
			t.Logf("%s: %d writes undone after the cancel; %s", c.name, undone, rep.Message)
		})
	}
}

// TestCompensationWorkplaceAdopted: the same pre-existing grades and top
// department on WORKPLACE. Where the client can read an item by key
// (target.Reader), the run reads each adopted item before it changes it,
// and the rollback puts it back exactly: the target is as it was. Where it
// cannot, the adopted items are left as the run wrote them and reported,
// as on WORKBOX. Either way nothing the run did not create is deleted.
func TestCompensationWorkplaceAdopted(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 40, Departments: 6, Target: "workplace"})
	s.StartWorker(t)
	wp := s.Sandbox.Workplace()
	src := s.Source(t)
	grades := src[model.Grade]
	var top model.Entity
	for _, d := range src[model.Department] {
		if d.ParentKey == model.TopParent {
			top = d
			break
		}
	}
	tc, err := app.NewTarget(s.Config, nil)
	safetyMust(t, err)
	_, reads := tc.(target.Reader)
	adopted := []model.Entity{grades[0], grades[1], top}
	for _, e := range adopted {
		e.Name += " (콘솔)"
		safetyMust(t, tc.Create(context.Background(), e))
	}
	safetyMust(t, tc.Create(context.Background(), model.Entity{Kind: model.Grade, Key: "HAND-G1", Name: "수작업 직급", SortOrder: 99}))
	safetyMust(t, wp.SetFaults(workplacesim.Faults{Reject: []string{workplacesim.ResEmp}}))

	before, stats0 := s.Sandbox.WorkplaceState(), wp.Stats()
	rep := s.Sync(t, workflows.Input{Rollback: "run"})
	after, stats1 := s.Sandbox.WorkplaceState(), wp.Stats()
	wantStatus := plan.RunRollbackIncomplete
	if reads {
		wantStatus = plan.RunRolledBack
	}
	if rep.Status != wantStatus || rep.FailedStage != string(model.Employee) || rep.Undo == nil || rep.Undo.Failed != 0 {
		t.Fatalf("status %q at %q, undo %+v: %s", rep.Status, rep.FailedStage, rep.Undo, rep.Message)
	}
	if dup := stats1.DuplicateCreates - stats0.DuplicateCreates; dup != int64(len(adopted)) {
		t.Fatalf("%d creates answered exists, want %d", dup, len(adopted))
	}
	created := int64(countStatus(s.PlanItems(t, rep.RunID, plan.OpCreate), "", plan.StatusUndone))
	if reads {
		created -= int64(len(adopted)) // undone by a PUT of what was read, not by a DELETE
	}
	if d := stats1.Deletes - stats0.Deletes; d != created {
		t.Fatalf("the target saw %d deletes; the run created %d", d, created)
	}
	if reads {
		if rep.Undo.NotUndoable != 0 || !rep.RolledBack || !testenv.SameJSON(after, before) {
			t.Fatalf("with a readable target: undo %+v, rolledBack %v, target back: %v", rep.Undo, rep.RolledBack, testenv.SameJSON(after, before))
		}
		t.Logf("readable target: %d adopted items put back exactly; %s", len(adopted), rep.Message)
		return
	}
	if rep.Undo.NotUndoable != len(adopted) || rep.RolledBack {
		t.Fatalf("without reads: undo %+v, rolledBack %v", rep.Undo, rep.RolledBack)
	}
	if _, ok := after.Grades["HAND-G1"]; !ok || len(after.Grades) != len(before.Grades) || len(after.Depts) != len(before.Depts) {
		t.Fatalf("after the rollback: %d grades (before %d), %d departments (before %d)", len(after.Grades), len(before.Grades), len(after.Depts), len(before.Depts))
	}
	t.Logf("target without reads: %d adopted items left and reported; %s", len(adopted), rep.Message)
}
