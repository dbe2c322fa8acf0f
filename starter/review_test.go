package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/sandbox/workboxsim"
	"github.com/orgsync/orgsync/workflows"
)

// firstMatch returns the first group of re in out, or fails.
func firstMatch(t *testing.T, re, out string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q in:\n%s", re, out)
	}
	return m[1]
}

func contains(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// writes is what the target was sent between two stats.
func writes(a, b workboxsim.Stats) [3]int64 {
	return [3]int64{b.Creates - a.Creates, b.Updates - a.Updates, b.Deletes - a.Deletes}
}

// opCounts counts a run's plan items that write (create, update, delete).
func opCounts(items []testenv.PlanItem, status string) [3]int64 {
	var c [3]int64
	for _, it := range items {
		if status != "" && it.Status != status {
			continue
		}
		switch it.Op {
		case plan.OpCreate:
			c[0]++
		case plan.OpUpdate:
			c[1]++
		case plan.OpDelete:
			c[2]++
		}
	}
	return c
}

// Review before it happens: a stored plan is shown, drawn, refused when
// the HR system changed since, applied only in its reviewed items with
// --only-reviewed, and applied exactly when nothing changed; then the org
// history of those runs.
func TestReviewedPlan(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 40, Departments: 6})
	s.Config.DeleteLimit = "0" // every delete needs approval: a reviewed plan's approval covers them
	s.StartWorker(t)
	cfg := s.Config
	mustStarter(t, cfg, "sync", "--approve-deletes", "--wait")
	k := s.Sandbox.Knox()
	src := s.Source(t)
	depts, emps := src[model.Department], src[model.Employee]
	renamed, moved := depts[1], depts[len(depts)-1]
	if moved.ParentKey == model.TopParent {
		t.Fatalf("department %s is already at the top", moved.Key)
	}
	mustDo(t, k.RenameDept(renamed.Key, "새부서이름"))
	mustDo(t, k.MoveDept(moved.Key, ""))
	mustDo(t, k.Move(emps[3].Key, depts[0].Key))
	mustDo(t, k.Retire(emps[4].Key))
	hired, err := k.Hire(depts[0].Key)
	mustDo(t, err)

	out := mustStarter(t, cfg, "plan")
	p1 := firstMatch(t, `stored plan (\S+) \(`, out)

	t.Run("plan show", func(t *testing.T) {
		out := mustStarter(t, cfg, "plan", "show", p1)
		contains(t, out, "plan "+p1+": workbox company "+cfg.CompanyID, "not approved yet",
			"== department: 0 create, 2 update, 0 delete, 0 invalid",
			"  updates (1):\n    ~ "+renamed.Key+" 새부서이름", "        name: "+renamed.Name+" -> 새부서이름\n",
			"  moves (1):\n    ~ "+moved.Key+" ", " -> (top)\n",
			"  creates (1):\n    + "+hired+" ", "  deletes (1):\n    - "+emps[4].Key+" ", "  moves (1):\n    ~ "+emps[3].Key+" ", "        deptKey: ",
			"departments: 0 new, 1 renamed, 1 moved, 0 deleted; members: 2 joined, 2 left, 0 changed")
		file := filepath.Join(t.TempDir(), "plan.html")
		contains(t, mustStarter(t, cfg, "plan", "show", p1, "--html", file), "wrote "+file)
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		contains(t, string(b), `data-key="`+renamed.Key+`" data-marks="renamed"`, `data-key="`+moved.Key+`" data-marks="moved"`,
			`data-key="`+hired+`" data-change="joined"`)
	})

	// The HR system changes after the review: the hire's name, and one more.
	mustDo(t, k.Rename(hired, "다른이름"))
	mustDo(t, k.Rename(emps[5].Key, "새이름"))

	t.Run("refused when the source changed", func(t *testing.T) {
		before := s.Sandbox.Stats()
		out, code := starter(t, cfg, "apply", p1)
		if code == 0 {
			t.Fatal("a plan that no longer holds was applied")
		}
		contains(t, out, "the plan differs from reviewed plan "+p1,
			"employee "+hired+": create differs: source changed in name",
			"employee "+emps[5].Key+": update is not in the reviewed plan")
		if w := writes(before, s.Sandbox.Stats()); w != [3]int64{} {
			t.Fatalf("a refused plan wrote %v", w)
		}
	})

	var run1 string
	t.Run("only reviewed", func(t *testing.T) {
		before := s.Sandbox.Stats()
		out := mustStarter(t, cfg, "apply", p1, "--only-reviewed", "--approve", "--by", "reviewer")
		run1 = firstMatch(t, `started run (\S+) applying plan`, out)
		contains(t, out, "plan "+p1, "approved by reviewer", "was not applied: it differs from the reviewed plan",
			"employee "+hired+": create differs: source changed in name")
		stored, fresh := s.PlanItems(t, p1, ""), s.PlanItems(t, run1, "")
		want := opCounts(stored, "")
		want[0]-- // the hire changed since the review
		if w := writes(before, s.Sandbox.Stats()); w != want || opCounts(fresh, plan.StatusApplied) != want {
			t.Fatalf("wrote %v, applied %v; want the %v reviewed and unchanged items", w, opCounts(fresh, plan.StatusApplied), want)
		}
		st := s.Sandbox.WorkboxState()
		if _, ok := st.Users[hired]; ok {
			t.Fatal("the changed hire was created")
		}
		if st.Users[emps[5].Key].Name == "새이름" {
			t.Fatal("an item that was never reviewed was applied")
		}
		if st.Depts[renamed.Key].Name != "새부서이름" {
			t.Fatal("a reviewed item was not applied")
		}
	})

	var run2 string
	t.Run("applied exactly", func(t *testing.T) {
		out := mustStarter(t, cfg, "plan")
		p2, digest := firstMatch(t, `stored plan (\S+) \(`, out), firstMatch(t, `stored plan \S+ \(\d+ items, digest (\w+)\)`, out)
		before := s.Sandbox.Stats()
		out = mustStarter(t, cfg, "apply", p2, "--approve", "--by", "reviewer")
		run2 = firstMatch(t, `started run (\S+) applying plan`, out)
		contains(t, out, "the run's plan is the stored plan: digest "+digest)
		stored := s.PlanItems(t, p2, "")
		if w := writes(before, s.Sandbox.Stats()); w != opCounts(stored, "") || w != [3]int64{1, 1, 0} {
			t.Fatalf("wrote %v; the stored plan holds %v", w, opCounts(stored, ""))
		}
		ctx := t.Context()
		d1, n1, err1 := s.Store.PlanDigest(ctx, p2)
		d2, n2, err2 := s.Store.PlanDigest(ctx, run2)
		if err1 != nil || err2 != nil || string(d1) != string(d2) || n1 != n2 {
			t.Fatalf("the applied run's items differ from the stored plan's: %d vs %d items (%v %v)", n1, n2, err1, err2)
		}
		checkState(t, s)
		contains(t, mustStarter(t, cfg, "plan", "show", p2), "approved by reviewer at", "applied by run "+run2)
		if _, code := starter(t, cfg, "apply", p2); code == 0 {
			t.Fatal("a plan was applied twice")
		}
	})

	t.Run("from the workflow input", func(t *testing.T) {
		mustDo(t, k.Rename(emps[6].Key, "또새이름"))
		p3 := firstMatch(t, `stored plan (\S+) \(`, mustStarter(t, cfg, "plan"))
		rep := s.Sync(t, workflows.Input{ApplyPlan: p3, ApproveDeletes: true})
		if rep.Status != plan.RunCompleted || s.Sandbox.WorkboxState().Users[emps[6].Key].Name != "또새이름" {
			t.Fatalf("report %+v", rep)
		}
		p, err := s.Store.GetReviewedPlan(t.Context(), p3)
		if err != nil || p.ApprovedBy != "input of run "+rep.RunID || string(p.ApprovedDigest) != string(p.Digest) || p.AppliedRun != rep.RunID {
			t.Fatalf("the sign-off of a run started with applyPlan: %+v %v", p, err)
		}
	})

	t.Run("org history", func(t *testing.T) {
		out := mustStarter(t, cfg, "diff", run1, run2)
		contains(t, out, "changes from run "+run1+" to run "+run2, "    + "+hired+" 다른이름", "    ~ "+emps[5].Key+" 새이름",
			"        name: "+emps[5].Name+" -> 새이름\n", "== department: 0 create, 0 update, 0 delete")
		out = mustStarter(t, cfg, "org", "--as-of", run1)
		contains(t, out, "새부서이름")
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(moved.Name) + `.* ` + moved.Key + ` `).MatchString(out) {
			t.Errorf("as of run 1, department %s is not at the top:\n%s", moved.Key, out)
		}
		if strings.Contains(out, hired) {
			t.Fatal("as of run 1 the hire was not in the target")
		}
		file := filepath.Join(t.TempDir(), "run.html")
		mustStarter(t, cfg, "report", run2, "--html", file)
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		contains(t, string(b), `data-key="`+hired+`" data-change="joined"`)
	})
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
