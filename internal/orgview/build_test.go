package orgview_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/orgview"
	"github.com/orgsync/orgsync/internal/orgview/orgviewtest"
	"github.com/orgsync/orgsync/internal/plan"
)

func find(ds []*orgview.Dept, key string, parent *orgview.Dept) (*orgview.Dept, *orgview.Dept) {
	for _, d := range ds {
		if d.Key == key {
			return d, parent
		}
		if f, p := find(d.Children, key, d); f != nil {
			return f, p
		}
	}
	return nil, nil
}

func TestBuildMarksAndMembers(t *testing.T) {
	r := orgviewtest.New(30, 300)
	v := orgview.Build("plan", orgview.OrgOf(r.Base), r.Items)
	for _, c := range []struct{ key, parent, mark, note string }{
		{"N00001", "D00001", orgview.MarkNew, ""},
		{"D00002", "D00000", orgview.MarkRenamed, "부서0002"},
		{"D00003", "D00001", orgview.MarkMoved, "부서0000"},
		{"D00029", "D00003", orgview.MarkDeleted, ""},
		{"D00004", "D00000", orgview.MarkUnchanged, ""},
	} {
		d, p := find(v.Roots, c.key, nil)
		if d == nil || p == nil || p.Key != c.parent || d.Marks[0] != c.mark {
			t.Fatalf("%s: %+v under %+v, want %s under %s", c.key, d, p, c.mark, c.parent)
		}
		if note := d.OldName + d.From; note != c.note {
			t.Errorf("%s: note %q, want %q", c.key, note, c.note)
		}
	}
	// Employee 1 moves from D00001 to D00010 (1*7+3): left in one, joined in the other.
	from, _ := find(v.Roots, "D00001", nil)
	to, _ := find(v.Roots, "D00010", nil)
	if m := member(from, "E0000001"); m.Change != orgview.Left || m.Other != "부서0010" {
		t.Fatalf("in the old department: %+v", m)
	}
	if m := member(to, "E0000001"); m.Change != orgview.Joined || m.Other != "부서0001" ||
		len(m.Fields) != 1 || m.Fields[0] != (orgview.Field{Name: "deptKey", Old: "부서0001 (D00001)", New: "부서0010 (D00010)"}) {
		t.Fatalf("in the new department: %+v", m)
	}
	// Counts equal the items'.
	want := map[model.Kind][4]int{}
	for _, it := range r.Items {
		c := want[it.Kind]
		c[map[string]int{plan.OpCreate: 0, plan.OpUpdate: 1, plan.OpDelete: 2, plan.OpInvalid: 3}[it.Op]]++
		want[it.Kind] = c
	}
	for _, st := range v.Stages {
		if got := [4]int{st.Creates, st.Updates, st.Deletes, st.Invalid}; got != want[st.Kind] {
			t.Errorf("%s: counts %v, want %v", st.Kind, got, want[st.Kind])
		}
	}
	if len(v.Invalid) != 1 || v.Invalid[0].Field != "email" {
		t.Fatalf("invalid: %+v", v.Invalid)
	}

	var txt bytes.Buffer
	if err := orgview.WriteText(&txt, v); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"== department: 2 create, 4 update, 2 delete, 0 invalid\n  creates (2):\n    + N00001 신설00001 / New 00001 in 부서0001\n",
		"  moves (2):\n    ~ D00003 부서0003 / Dept 0003\n        parentKey: 부서0000 (D00000) -> 부서0001 (D00001)\n",
		"  updates (2):\n    ~ D00002 부서0002(개편) / Dept 0002 (reorg)\n        name: 부서0002 -> 부서0002(개편)\n",
		"  deletes (2):\n    - D00029 부서0029 / Dept 0029\n",
		"  invalid (1):\n    ! X0000001 오류직원: email: not an e-mail address\n",
		"        gradeKey: 3급 (G2) -> 수석 (G9)\n",
	} {
		if !strings.Contains(txt.String(), s) {
			t.Errorf("text lacks %q:\n%s", s, txt.String())
		}
	}

	var html bytes.Buffer
	if err := orgview.WriteHTML(&html, v); err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?i)(src|href)\s*=|url\(|@import|https?://`).FindString(html.String()); m != "" {
		t.Fatalf("the page refers to something outside it: %q", m)
	}
}

func member(d *orgview.Dept, key string) orgview.Member {
	for _, m := range d.Members {
		if m.Key == key {
			return m
		}
	}
	return orgview.Member{}
}

func TestAfterAndCompare(t *testing.T) {
	r := orgviewtest.New(30, 300)
	base := orgview.OrgOf(r.Base)
	for i := range r.Items {
		if r.Items[i].Op != plan.OpInvalid {
			r.Items[i].Status = plan.StatusApplied
		}
	}
	after := orgview.After(base, r.Items)
	if _, ok := after[model.Department]["D00029"]; ok {
		t.Fatal("a deleted department is still there")
	}
	if after[model.Employee]["E0000001"].DeptKey != "D00010" || after[model.Department]["N00001"].ParentKey != "D00001" {
		t.Fatal("the applied items are not in the organisation after")
	}
	// Compare gives back exactly the applied writes.
	changes := orgview.Compare(base, after)
	var applied int
	for _, it := range r.Items {
		if it.Op != plan.OpInvalid {
			applied++
		}
	}
	if len(changes) != applied {
		t.Fatalf("compare found %d changes, the plan applied %d", len(changes), applied)
	}
	if len(orgview.Compare(after, after)) != 0 {
		t.Fatal("an organisation differs from itself")
	}
}
