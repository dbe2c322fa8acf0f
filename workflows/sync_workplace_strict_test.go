package workflows_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/korean"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/internal/workplace"
	"github.com/orgsync/orgsync/sandbox/workplacesim"
	"github.com/orgsync/orgsync/workflows"
)

// hrFiles is a small HR export: grades G1..Gn, positions P1..Pn, a root
// department and leaves, employees spread over them.
type hrFiles struct {
	grades, positions map[string]string    // code -> name
	depts             map[string][2]string // code -> name, parent ("" for top)
	emps              map[string][4]string // key -> name, dept, grade, position
}

func (h hrFiles) write(t *testing.T, dir string) {
	t.Helper()
	var g, p, d, e strings.Builder
	g.WriteString("code,name,sort_order\n")
	p.WriteString("code,name,sort_order\n")
	d.WriteString("부서코드,부서명,상위부서코드,정렬순서\n")
	e.WriteString("사번,이름,이메일,부서코드,직급코드,직책코드,입사일\n")
	for k, v := range h.grades {
		fmt.Fprintf(&g, "%s,%s,1\n", k, v)
	}
	for k, v := range h.positions {
		fmt.Fprintf(&p, "%s,%s,1\n", k, v)
	}
	for k, v := range h.depts {
		fmt.Fprintf(&d, "%s,%s,%s,1\n", k, v[0], v[1])
	}
	for k, v := range h.emps {
		fmt.Fprintf(&e, "%s,%s,%s@example.com,%s,%s,%s,2020-01-02\n", k, v[0], strings.ToLower(k), v[1], v[2], v[3])
	}
	for name, text := range map[string]string{"grades.csv": g.String(), "positions.csv": p.String(),
		"departments.csv": d.String(), "employees.csv": e.String()} {
		data, err := korean.EUCKR.NewEncoder().Bytes([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// accepted are the writes the stand-in applied, by stage and operation
// (report words), whatever it answered.
func accepted(wp *workplacesim.Sim) map[string]int64 {
	out := map[string]int64{}
	for res, byMethod := range wp.Accepted() {
		k, _ := workplace.KindOf(res)
		for m, n := range byMethod {
			op := map[string]string{http.MethodPost: "created", http.MethodPut: "updated", http.MethodDelete: "deleted"}[m]
			out[string(k)+" "+op] = n
		}
	}
	return out
}

// checkCounts compares a report's per-stage counts with the writes the
// target accepted since before, and says that no item failed.
func checkCounts(t *testing.T, rep plan.Report, before, after map[string]int64) {
	t.Helper()
	for _, st := range rep.Stages {
		if st.Failed != 0 || st.Skipped != 0 || st.Pending != 0 {
			t.Errorf("stage %s: %d failed, %d skipped, %d pending", st.Stage, st.Failed, st.Skipped, st.Pending)
		}
		for op, n := range map[string]int{"created": st.Created, "updated": st.Updated, "deleted": st.Deleted} {
			k := string(st.Stage) + " " + op
			if got := after[k] - before[k]; got != int64(n) {
				t.Errorf("%s: report says %d, the target accepted %d", k, n, got)
			}
		}
	}
}

// Against the strict WORKPLACE stand-in (30% of requests answered 500,
// half of the failed writes applied first; not-found in three shapes; a
// page cap of 5), a first load and then creates, updates and deletes of
// every kind each converge in one run with no failed item, and the
// report's counts equal the writes the target accepted. The same with
// every service error answered as a plain 400 with an unknown code.
func TestWorkplaceStrictConverges(t *testing.T) {
	for _, plain := range []bool{false, true} {
		t.Run(fmt.Sprintf("plainErrors=%v", plain), func(t *testing.T) {
			s := testenv.NewStack(t, testenv.StackOptions{Target: "workplace"})
			dir := t.TempDir()
			h := hrFiles{grades: map[string]string{}, positions: map[string]string{},
				depts: map[string][2]string{"D0": {"본사", ""}}, emps: map[string][4]string{}}
			for i := 1; i <= 4; i++ {
				h.grades[fmt.Sprintf("G%d", i)] = fmt.Sprintf("직급%d", i)
				h.positions[fmt.Sprintf("P%d", i)] = fmt.Sprintf("직책%d", i)
			}
			for i := 1; i <= 6; i++ {
				h.depts[fmt.Sprintf("D%d", i)] = [2]string{fmt.Sprintf("부서%d", i), "D0"}
			}
			for i := 1; i <= 30; i++ {
				h.emps[fmt.Sprintf("E%02d", i)] = [4]string{fmt.Sprintf("사원%d", i), fmt.Sprintf("D%d", i%6+1),
					fmt.Sprintf("G%d", i%4+1), fmt.Sprintf("P%d", i%4+1)}
			}
			h.write(t, dir)
			s.Config.Source, s.Config.FileDir = "file", dir
			s.StartWorker(t)
			wp := s.Sandbox.Workplace()
			if err := wp.SetStrict(workplacesim.Strict{PageCap: 5, NotFoundVariants: true, PlainErrors: plain, ServerErrorRate: 0.3}); err != nil {
				t.Fatal(err)
			}
			noLimit := 1000
			sync := func(name string) {
				t.Helper()
				before, st0 := accepted(wp), wp.Stats()
				rep := s.Sync(t, workflows.Input{DeleteLimit: &noLimit})
				st1 := wp.Stats()
				t.Logf("%s: %v; %d requests, %d 500s, %d writes sent", name, rep.Stages, st1.Requests-st0.Requests,
					st1.ByStatus["500"]-st0.ByStatus["500"], st1.Writes-st0.Writes)
				if rep.Status != plan.RunCompleted {
					t.Fatalf("%s: %+v", name, rep)
				}
				checkCounts(t, rep, before, accepted(wp))
				checkWorkplace(t, s, nil)
			}
			sync("first load")

			// Deletes (G4, P4, D6 and its people), updates and creates of
			// every kind.
			delete(h.grades, "G4")
			delete(h.positions, "P4")
			delete(h.depts, "D6")
			for k, v := range h.emps {
				switch {
				case v[1] == "D6":
					delete(h.emps, k)
				case v[2] == "G4" || v[3] == "P4":
					v[2], v[3] = "G1", "P1"
					h.emps[k] = v
				}
			}
			h.grades["G1"], h.positions["P1"], h.depts["D1"] = "직급1-바뀜", "직책1-바뀜", [2]string{"부서1-바뀜", "D0"}
			h.grades["G5"], h.positions["P5"], h.depts["D7"] = "직급5", "직책5", [2]string{"부서7", "D1"}
			h.emps["E01"] = [4]string{"사원1-바뀜", "D7", "G5", "P5"}
			for i := 31; i <= 35; i++ {
				h.emps[fmt.Sprintf("E%02d", i)] = [4]string{fmt.Sprintf("사원%d", i), "D7", "G5", "P5"}
			}
			h.write(t, dir)
			sync("changes")
		})
	}
}

// A full reconcile against a server whose pages (25) are far below the
// client's limit (200), with 300 employees: a reconcile right after a sync
// writes nothing; hand edits in WORKPLACE (a rename, a deleted user, a
// moved user, a hand-made employee) are repaired in one run with exactly
// four writes; a second reconcile writes nothing.
func TestReconcileWorkplaceFull(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 300, Departments: 20, Target: "workplace"})
	s.StartWorker(t)
	wp := s.Sandbox.Workplace()
	if rep := s.Sync(t, workflows.Input{}); rep.Status != plan.RunCompleted {
		t.Fatalf("first run: %+v", rep)
	}
	if err := wp.SetStrict(workplacesim.Strict{PageCap: 25, NotFoundVariants: true}); err != nil {
		t.Fatal(err)
	}
	reconcile := func(name string, wantWrites int64) plan.Report {
		t.Helper()
		before, writes, reqs := accepted(wp), wp.Stats().Writes, wp.Stats().Requests
		rep := s.Sync(t, workflows.Input{Reconcile: true})
		w := wp.Stats().Writes - writes
		t.Logf("%s: %d writes, %d requests, %v", name, w, wp.Stats().Requests-reqs, rep.Stages)
		if rep.Status != plan.RunCompleted || w != wantWrites {
			t.Fatalf("%s: %d writes (want %d), %+v", name, w, wantWrites, rep)
		}
		checkCounts(t, rep, before, accepted(wp))
		checkWorkplace(t, s, nil)
		return rep
	}
	reconcile("reconcile after a sync", 0)

	src := s.Source(t)
	emps := src[model.Employee]
	edit := func(key string, change func(*workplacesim.Employee)) {
		t.Helper()
		var u workplacesim.Employee
		raw, err := wp.Get(workplacesim.ResEmp, key)
		if err == nil {
			err = json.Unmarshal(raw, &u)
		}
		if err != nil {
			t.Fatal(err)
		}
		change(&u)
		b, _ := json.Marshal(u)
		if err := wp.Put(workplacesim.ResEmp, key, b); err != nil {
			t.Fatal(err)
		}
	}
	edit(emps[10].Key, func(u *workplacesim.Employee) { u.Name = "손으로바꾼이름" })
	edit(emps[20].Key, func(u *workplacesim.Employee) {
		for _, d := range src[model.Department] {
			if d.Key != u.DeptExternalKey {
				u.DeptExternalKey = d.Key
				return
			}
		}
	})
	if err := wp.Remove(workplacesim.ResEmp, emps[30].Key); err != nil {
		t.Fatal(err)
	}
	edit(emps[40].Key, func(*workplacesim.Employee) {}) // a control: unchanged
	// A hand-made employee in a hand-made department: both go, the
	// employee first.
	b, _ := json.Marshal(workplacesim.Dept{Name: "수동추가팀", ParentDeptExternalKey: "#", DispOrd: "1"})
	if err := wp.Put(workplacesim.ResDept, "HAND-DEPT", b); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(workplacesim.Employee{LoginID: "handmade", EmailAddress: "handmade@example.com", EmployYmd: "2020-01-01",
		Name: "수동추가", DeptExternalKey: "HAND-DEPT", ConcurrentDeptExternalKeys: []string{}})
	if err := wp.Put(workplacesim.ResEmp, "HAND-EMP", b); err != nil {
		t.Fatal(err)
	}

	rep := reconcile("reconcile after hand edits", 5)
	st := byStage(rep)
	if e := st[model.Employee]; e.Updated != 2 || e.Created != 1 || e.Deleted != 1 || st[model.Department].Deleted != 1 {
		t.Fatalf("repairs: %v", rep.Stages)
	}
	notes, err := s.Store.NotedItems(t.Context(), rep.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 2 || notes[0].Key != "HAND-DEPT" || notes[1].Key != "HAND-EMP" ||
		!strings.Contains(notes[1].Message, "WORKPLACE holds employee HAND-EMP, which the source lacks") {
		t.Fatalf("notes %+v", notes)
	}
	reconcile("second reconcile", 0)
}
