// The plan picture in a real browser: a reorganisation plan's HTML
// (internal/orgview), opened from disk in headless Debian chromium.
package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/orgview"
	"github.com/orgsync/orgsync/internal/orgview/orgviewtest"
	"github.com/orgsync/orgsync/internal/plan"
)

type deptCheck struct {
	Key    string `json:"key"`
	Mark   string `json:"mark"`
	Parent string `json:"parent"`
}

type pageChecks struct {
	File   string                    `json:"file"`
	Depts  []deptCheck               `json:"depts"`
	Counts map[string]map[string]int `json:"counts"`
	Search []search                  `json:"search"`
	Repeat int                       `json:"repeat,omitempty"`
	// Unchanged, when set, prints the page and expects that many
	// unchanged members in it.
	Unchanged *int `json:"unchanged,omitempty"`
}

type search struct {
	Q    string `json:"q"`
	Key  string `json:"key"`
	Dept string `json:"dept"`
}

type pageResult struct {
	LoadMs   int      `json:"loadMs"`
	SearchMs int      `json:"searchMs"`
	Errors   []string `json:"errors"`
}

// expectations reads the checks off the plan's items themselves, not off
// the view: where each changed department belongs and its mark, the
// counts per stage, and a hired employee to search for.
func expectations(r orgviewtest.Reorg, file string) pageChecks {
	c := pageChecks{File: file, Counts: map[string]map[string]int{}}
	for _, k := range model.Kinds {
		c.Counts[string(k)] = map[string]int{plan.OpCreate: 0, plan.OpUpdate: 0, plan.OpDelete: 0, plan.OpInvalid: 0}
	}
	for _, it := range r.Items {
		c.Counts[string(it.Kind)][it.Op]++
		switch {
		case it.Kind == model.Department && it.Op == plan.OpCreate:
			c.Depts = append(c.Depts, deptCheck{it.Key, orgview.MarkNew, it.Entity.ParentKey})
		case it.Kind == model.Department && it.Op == plan.OpDelete:
			c.Depts = append(c.Depts, deptCheck{it.Key, orgview.MarkDeleted, it.PreImage.ParentKey})
		case it.Kind == model.Department && it.Entity.ParentKey != it.PreImage.ParentKey:
			c.Depts = append(c.Depts, deptCheck{it.Key, orgview.MarkMoved, it.Entity.ParentKey})
		case it.Kind == model.Department && it.Entity.Name != it.PreImage.Name:
			c.Depts = append(c.Depts, deptCheck{it.Key, orgview.MarkRenamed, it.Entity.ParentKey})
		case it.Kind == model.Employee && it.Op == plan.OpCreate && len(c.Search) == 0:
			c.Search = append(c.Search, search{it.Entity.Name, it.Key, it.Entity.DeptKey})
		}
	}
	// And one the plan leaves alone, by English name: the page lists
	// unchanged members only when asked.
	if u := untouched(r); len(u) > 0 {
		c.Search = append(c.Search, search{u[0].I18nNames["en_US"], u[0].Key, u[0].DeptKey})
	}
	return c
}

// untouched lists the employees no item of the plan names.
func untouched(r orgviewtest.Reorg) []model.Entity {
	touched := map[string]bool{}
	for _, it := range r.Items {
		touched[it.Key] = true
	}
	var out []model.Entity
	for _, e := range r.Base[model.Employee] {
		if !touched[e.Key] {
			out = append(out, e)
		}
	}
	return out
}

// openPage runs orgview.mjs on the page and its checks.
func openPage(t testing.TB, dir string, c pageChecks) (pageResult, error) {
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	checks := filepath.Join(dir, "checks.json")
	if err := os.WriteFile(checks, b, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	node := exec.CommandContext(ctx, "node", "orgview.mjs", checks)
	node.Stderr = os.Stderr
	out, runErr := node.Output()
	var res pageResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("orgview.mjs printed %q: %v (%v)", out, err, runErr)
	}
	return res, runErr
}

func writePage(t testing.TB, dir string, r orgviewtest.Reorg) string {
	file := filepath.Join(dir, "plan.html")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v := orgview.Build("plan of run test", orgview.OrgOf(r.Base), r.Items)
	if err := orgview.WriteHTML(f, v); err != nil {
		t.Fatal(err)
	}
	return file
}

// The picture of a reorganisation with new, renamed, moved and deleted
// departments and transfers: every marked department in its place with
// its mark, the counts at the top equal to the plan's, the search finds a
// new and an unchanged employee, printing shows every member, and the
// page asks the network for nothing.
func TestPlanPicture(t *testing.T) {
	setup(t)
	r := orgviewtest.New(120, 1500)
	dir := t.TempDir()
	c := expectations(r, writePage(t, dir, r))
	marks := map[string]int{}
	for _, d := range c.Depts {
		marks[d.Mark]++
	}
	for _, m := range []string{orgview.MarkNew, orgview.MarkRenamed, orgview.MarkMoved, orgview.MarkDeleted} {
		if marks[m] == 0 {
			t.Fatalf("the plan has no %s department to check", m)
		}
	}
	if len(c.Search) != 2 {
		t.Fatalf("want a hired and an unchanged employee to search for, got %+v", c.Search)
	}
	unchanged := len(untouched(r))
	c.Unchanged = &unchanged
	res, err := openPage(t, dir, c)
	for _, e := range res.Errors {
		t.Error(e)
	}
	if err != nil && len(res.Errors) == 0 {
		t.Fatalf("orgview.mjs: %v", err)
	}
	t.Logf("checked %d departments (%v), counts of %d stages, searches %+v; loaded in %d ms",
		len(c.Depts), marks, len(c.Counts), c.Search, res.LoadMs)
}

// The 5,000-department, 100,000-employee picture opened in chromium
// (docs/performance.md): the fastest of 5 loads, and the slowest of the
// searches, with every check run.
func BenchmarkOpenPlanPicture(b *testing.B) {
	setup(b)
	r := orgviewtest.New(5000, 100_000)
	dir := b.TempDir()
	file := writePage(b, dir, r)
	c := expectations(r, file)
	c.Repeat = 5
	if st, err := os.Stat(file); err == nil {
		b.ReportMetric(float64(st.Size())/1e6, "MB")
	}
	b.ResetTimer()
	var res pageResult
	for b.Loop() {
		var err error
		if res, err = openPage(b, dir, c); err != nil {
			b.Fatalf("%v: %v", err, res.Errors)
		}
	}
	b.ReportMetric(float64(res.LoadMs), "load-ms")
	b.ReportMetric(float64(res.SearchMs), "search-ms")
}
