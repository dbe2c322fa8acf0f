package workflows_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/sandbox/knoxsim"
	"github.com/orgsync/orgsync/sandbox/workboxsim"
	"github.com/orgsync/orgsync/workflows"
)

// rawEmployee is the Knox wire form of e with gradeName (the position).
func rawEmployee(e model.Entity, gradeName string) []byte {
	b, _ := json.Marshal(map[string]string{
		"epId": e.Key, "userId": e.LoginID, "fullName": e.Name, "emailAddress": e.Email,
		"departmentCode": e.DeptKey, "titleCode": e.GradeKey, "gradeName": gradeName,
		"mobile": e.Mobile, "officeTelNumber": e.Tel, "preferredLanguage": "ko", "timeZone": e.TimeZone,
		"employeeStatus": "B",
	})
	return b
}

func rawTitle(code, name, en string, sort int) []byte {
	b, _ := json.Marshal(map[string]string{"titleCode": code, "titleName": name, "enTitleName": en, "sortOrder": safetyItoa(sort)})
	return b
}

func rawDept(code string, d workboxsim.Dept) []byte {
	upr := d.UprDeptExternalKey
	if upr == model.TopParent {
		upr = ""
	}
	b, _ := json.Marshal(map[string]string{"departmentCode": code, "departmentName": d.Name,
		"enDepartmentName": d.I18nNames["en_US"], "uprDepartmentCode": upr, "departmentOrder": d.SortOrd})
	return b
}

func safetyItoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func safetyMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// diffState names the kinds in which two target states differ.
func diffState(a, b workboxsim.State) string {
	var out []string
	if !testenv.SameJSON(a.Grades, b.Grades) {
		out = append(out, "job-grade")
	}
	if !testenv.SameJSON(a.Positions, b.Positions) {
		out = append(out, "job-position")
	}
	if !testenv.SameJSON(a.Depts, b.Depts) {
		out = append(out, "dept")
	}
	if !testenv.SameJSON(a.Users, b.Users) {
		out = append(out, "user")
	}
	return strings.Join(out, ", ")
}

func countStatus(items []testenv.PlanItem, kind, status string) int {
	n := 0
	for _, it := range items {
		if (kind == "" || it.Kind == kind) && it.Status == status {
			n++
		}
	}
	return n
}

// TestSafetyRollback runs, for each policy, two failing runs against the
// real dev server, Postgres and sandbox:
//
//   - A: grades and a position change, then every department write is
//     refused (reject: dept): the department stage fails as a whole.
//   - B: updates, creates and deletes across grades, departments and
//     employees, then the only department delete is refused by the target
//     (the department still has members): the delete phase fails at the
//     department stage after employees were deleted. Undo must restore
//     updates and re-create deleted employees from their pre-images.
//
// none keeps what was applied, stage undoes the failed stage, run returns
// the target (and the mapping table) to the state before the run. After
// each, the cause is removed and a plain run must reach the source exactly.
func TestSafetyRollback(t *testing.T) {
	for _, policy := range []string{"none", "stage", "run"} {
		t.Run(policy, func(t *testing.T) { rollbackCase(t, policy) })
	}
}

func rollbackCase(t *testing.T, policy string) {
	// The status says whether the rollback put the target back.
	failed := plan.RunFailed
	if policy != "none" {
		failed = plan.RunRolledBack
	}
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 200, Departments: 20})
	s.StartWorker(t)
	if rep := s.Sync(t, workflows.Input{}); rep.Status != plan.RunCompleted {
		t.Fatalf("first run: %+v", rep)
	}
	checkState(t, s)
	k := s.Sandbox.Knox()
	src := s.Source(t)
	grades, emps, depts := src[model.Grade], src[model.Employee], src[model.Department]

	// --- A: a stage whose writes all fail.
	safetyMust(t, k.PutRaw(knoxsim.KindTitles, grades[0].Key, rawTitle(grades[0].Key, grades[0].Name+" 개정", "Renamed", grades[0].SortOrder)))
	safetyMust(t, k.PutRaw(knoxsim.KindTitles, "T99", rawTitle("T99", "신설직급", "New grade", 5)))
	safetyMust(t, k.PutRaw(knoxsim.KindEmployees, emps[10].Key, rawEmployee(emps[10], "신설직책")))
	safetyMust(t, k.RenameDept(depts[2].Key, "이름바뀐팀"))
	safetyMust(t, s.Sandbox.Workbox().SetFaults(workboxsim.Faults{Reject: []string{workboxsim.ResDept}}))

	before, beforeMap := s.Sandbox.WorkboxState(), s.Mappings(t)
	wantApplied := testenv.WorkboxState(s.Source(t)) // what the grade and position stages write
	rep := s.Sync(t, workflows.Input{Rollback: policy})
	if rep.Status != failed || rep.FailedStage != string(model.Department) || !strings.Contains(rep.Message, "every department write failed") {
		t.Fatalf("A: want a run failed at department, got status %q stage %q: %s", rep.Status, rep.FailedStage, rep.Message)
	}
	after := s.Sandbox.WorkboxState()
	items := s.PlanItems(t, rep.RunID, "")
	switch policy {
	case "none", "stage": // nothing of the department stage applied: both keep the grades and positions
		want := before
		want.Grades, want.Positions = wantApplied.Grades, wantApplied.Positions
		if !testenv.SameJSON(after, want) {
			t.Fatalf("A/%s: target differs from before+grade/position changes in: %s", policy, diffState(after, want))
		}
		if rep.RolledBack != (policy == "stage") || countStatus(items, "", plan.StatusUndone) != 0 {
			t.Fatalf("A/%s: rolledBack=%v, %d undone items", policy, rep.RolledBack, countStatus(items, "", plan.StatusUndone))
		}
		if testenv.SameJSON(after, before) {
			t.Fatalf("A/%s: the grade and position changes were not kept", policy)
		}
	case "run":
		if !testenv.SameJSON(after, before) {
			t.Fatalf("A/run: target after rollback differs from before the run in: %s", diffState(after, before))
		}
		if m := s.Mappings(t); !testenv.SameJSON(m, beforeMap) {
			t.Fatalf("A/run: mapping table after rollback differs from before the run")
		}
		if !rep.RolledBack || countStatus(items, "", plan.StatusApplied) != 0 || countStatus(items, "", plan.StatusUndoFailed) != 0 {
			t.Fatalf("A/run: rolledBack=%v, %d items still applied, %d undo failures", rep.RolledBack,
				countStatus(items, "", plan.StatusApplied), countStatus(items, "", plan.StatusUndoFailed))
		}
	}
	t.Logf("A/%s: %d grade/position writes, %d undone; message %q", policy,
		countStatus(items, "", plan.StatusApplied)+countStatus(items, "", plan.StatusUndone), countStatus(items, "", plan.StatusUndone), rep.Message)

	safetyMust(t, s.Sandbox.Workbox().SetFaults(workboxsim.Faults{}))
	if rep := s.Sync(t, workflows.Input{}); rep.Status != plan.RunCompleted {
		t.Fatalf("A/%s: re-run after clearing the fault: %+v", policy, rep)
	}
	checkState(t, s)

	// --- B: updates, creates and deletes; the delete phase fails at the
	// department stage.
	src = s.Source(t)
	grades, emps, depts = src[model.Grade], src[model.Employee], src[model.Department]
	members, kids := map[string][]string{}, map[string]int{}
	for _, e := range emps {
		members[e.DeptKey] = append(members[e.DeptKey], e.Key)
	}
	for _, d := range depts {
		kids[d.ParentKey]++
	}
	// A department with sub-departments, removed from Knox: its children
	// become invalid (parent missing) and stay, so the target refuses the
	// delete (180018, it has sub departments). Knox lists employees by
	// department, so its own members vanish from the source and are
	// deleted (within the limit) before the department delete fails.
	var gone string
	for _, d := range depts[2:] {
		if kids[d.Key] > 0 && d.ParentKey != model.TopParent && len(members[d.Key]) <= 10 {
			gone = d.Key
			break
		}
	}
	if gone == "" {
		t.Fatal("no middle department with few members in the generated company")
	}
	parents := map[string]string{}
	for _, d := range depts {
		parents[d.Key] = d.ParentKey
	}
	var others []model.Entity // employees outside the removed department
	for _, e := range emps {
		if !under(parents, e.DeptKey, gone) && e.DeptKey != depts[0].Key {
			others = append(others, e)
		}
	}
	safetyMust(t, k.PutRaw(knoxsim.KindTitles, grades[1].Key, rawTitle(grades[1].Key, grades[1].Name+" 개정", "Renamed too", grades[1].SortOrder)))
	safetyMust(t, k.Retire(others[0].Key))             // employee delete -> re-create
	safetyMust(t, k.Rename(others[1].Key, "이름바꿈"))     // employee update -> restore
	safetyMust(t, k.Move(others[2].Key, depts[0].Key)) // employee update -> restore
	hired, err := k.Hire(depts[0].Key)                 // employee create -> delete
	safetyMust(t, err)
	safetyMust(t, k.RenameDept(depts[1].Key, "또바뀐팀"))             // department update -> restore
	safetyMust(t, k.PutRaw(knoxsim.KindOrganizations, "C60ZZ999", // department create -> delete
		rawDept("C60ZZ999", workboxsim.Dept{Name: "신설팀", SortOrd: "99", UprDeptExternalKey: depts[0].Key})))
	goneDept := s.Sandbox.WorkboxState().Depts[gone]
	safetyMust(t, k.DeleteRaw(knoxsim.KindOrganizations, gone)) // department delete -> refused: it has sub departments

	before, beforeMap = s.Sandbox.WorkboxState(), s.Mappings(t)
	wantNone := testenv.WorkboxState(s.Source(t))
	wantNone.Depts[gone] = goneDept // its delete is refused
	noLimit := 1000                 // the deletes here are intended: no approval
	rep = s.Sync(t, workflows.Input{Rollback: policy, DeleteLimit: &noLimit})
	if rep.Status != failed || rep.FailedStage != string(model.Department) {
		t.Fatalf("B: want a run failed at department, got status %q stage %q: %s", rep.Status, rep.FailedStage, rep.Message)
	}
	items = s.PlanItems(t, rep.RunID, "")
	var ops = map[string]int{}
	for _, it := range items {
		ops[it.Op]++
	}
	if ops[plan.OpCreate] == 0 || ops[plan.OpUpdate] == 0 || ops[plan.OpDelete] < 2 {
		t.Fatalf("B: the plan lacks creates, updates or deletes: %v", ops)
	}
	after = s.Sandbox.WorkboxState()
	switch policy {
	case "none":
		if !testenv.SameJSON(after, wantNone) {
			t.Fatalf("B/none: target differs from the applied changes in: %s", diffState(after, wantNone))
		}
		if _, ok := after.Users[others[0].Key]; ok {
			t.Fatal("B/none: the retired employee is still in the target")
		}
	case "stage":
		want := wantNone
		want.Depts = before.Depts // the department stage is undone, the others kept
		if !testenv.SameJSON(after, want) {
			t.Fatalf("B/stage: target differs from before-departments + applied others in: %s", diffState(after, want))
		}
		if n := countStatus(items, string(model.Department), plan.StatusApplied); n != 0 {
			t.Fatalf("B/stage: %d department items still applied after the stage rollback", n)
		}
		if countStatus(items, string(model.Department), plan.StatusUndone) < 2 {
			t.Fatalf("B/stage: want the department update and create undone; items %+v", items)
		}
	case "run":
		if !testenv.SameJSON(after, before) {
			t.Fatalf("B/run: target after rollback differs from before the run in: %s", diffState(after, before))
		}
		if m := s.Mappings(t); !testenv.SameJSON(m, beforeMap) {
			t.Fatalf("B/run: mapping table after rollback differs from before the run")
		}
		if _, ok := after.Users[others[0].Key]; !ok {
			t.Fatal("B/run: the deleted employee was not re-created")
		}
		if _, ok := after.Users[hired]; ok {
			t.Fatal("B/run: the created employee was not deleted")
		}
		if n := countStatus(items, "", plan.StatusApplied); n != 0 {
			t.Fatalf("B/run: %d items still applied after the run rollback", n)
		}
	}
	if policy != "none" && (!rep.RolledBack || countStatus(items, "", plan.StatusUndoFailed) != 0) {
		t.Fatalf("B/%s: rolledBack=%v, %d undo failures", policy, rep.RolledBack, countStatus(items, "", plan.StatusUndoFailed))
	}
	t.Logf("B/%s: plan %v; %d undone; message %q", policy, ops, countStatus(items, "", plan.StatusUndone), rep.Message)

	// Put the department back as it was: a plain run reaches the source.
	safetyMust(t, k.PutRaw(knoxsim.KindOrganizations, gone, rawDept(gone, goneDept)))
	if rep := s.Sync(t, workflows.Input{}); rep.Status != plan.RunCompleted {
		t.Fatalf("B/%s: re-run after the fix: %+v", policy, rep)
	}
	checkState(t, s)
}

// under reports whether department key is top or below it.
func under(parents map[string]string, key, top string) bool {
	for i := 0; key != "" && key != model.TopParent && i < 64; i++ {
		if key == top {
			return true
		}
		key = parents[key]
	}
	return false
}
