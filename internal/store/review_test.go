package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/internal/testenv"
)

// A fresh plan compared with a reviewed one: the same items give the same
// digest; a changed record names its fields, a new one says so.
func TestComparePlans(t *testing.T) {
	ctx := context.Background()
	st, _ := testenv.Database(t)
	renamed := dept("d1", model.TopParent)
	renamed.Name = "새이름"
	for run, es := range map[string][]model.Entity{
		"reviewed": {dept("d1", model.TopParent), dept("d2", "d1")},
		"same":     {dept("d1", model.TopParent), dept("d2", "d1")},
		"fresh":    {renamed, dept("d2", "d1"), dept("d3", "d1")},
	} {
		if err := st.BeginRun(ctx, store.Run{RunID: run, WorkflowID: "w", Target: "workbox", Company: "c"}); err != nil {
			t.Fatal(err)
		}
		load(t, st, run, es...)
		if err := st.CheckSnapshot(ctx, run, "workbox", "c", model.Department); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Plan(ctx, run, "workbox", "c", model.Department); err != nil {
			t.Fatal(err)
		}
	}
	d1, n1, _ := st.PlanDigest(ctx, "reviewed")
	d2, n2, _ := st.PlanDigest(ctx, "same")
	d3, _, _ := st.PlanDigest(ctx, "fresh")
	if string(d1) != string(d2) || n1 != 2 || n2 != 2 || string(d1) == string(d3) {
		t.Fatalf("digests: reviewed %x (%d), same %x (%d), fresh %x", d1, n1, d2, n2, d3)
	}
	if diffs, err := st.ComparePlans(ctx, "reviewed", "same", model.Department); err != nil || len(diffs) != 0 {
		t.Fatalf("an identical plan differs: %v %v", diffs, err)
	}
	diffs, err := st.ComparePlans(ctx, "reviewed", "fresh", "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range diffs {
		got = append(got, d.String())
	}
	want := []string{"department d1: create differs: source changed in name", "department d3: create is not in the reviewed plan"}
	if !slices.Equal(got, want) {
		t.Fatalf("differences %q, want %q", got, want)
	}
	// Only-reviewed: the differing items are closed, the rest stay pending.
	if err := st.SkipUnreviewed(ctx, "fresh", "reviewed", diffs); err != nil {
		t.Fatal(err)
	}
	items, err := st.ReviewItems(ctx, "fresh")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if want := map[string]string{"d1": "skipped", "d2": "pending", "d3": "skipped"}[it.Key]; it.Status != want {
			t.Errorf("%s: %s, want %s (%s)", it.Key, it.Status, want, it.Message)
		}
	}
}

// Each run keeps the organisation it planned against; retention drops the
// company's old runs' and tells them from an empty organisation.
func TestOrgStateRetention(t *testing.T) {
	ctx := context.Background()
	st, _ := testenv.Database(t)
	if _, err := st.Pool.Exec(ctx, `INSERT INTO mappings (target, company, kind, ext_key, content_hash, state)
		VALUES ('workbox', 'c', 'department', 'd1', '\x00', '{"key":"d1","name":"본사","parentKey":"#","sortOrder":0}')`); err != nil {
		t.Fatal(err)
	}
	for _, run := range []string{"old", "new"} {
		if err := st.BeginRun(ctx, store.Run{RunID: run, WorkflowID: "w", Target: "workbox", Company: "c"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Pool.Exec(ctx, `UPDATE runs SET started_at = now() - interval '40 days' WHERE run_id = 'old'`); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveOrgState(ctx, "old", "workbox", "c", model.Department, 0); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveOrgState(ctx, "new", "workbox", "c", model.Employee, 30); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveOrgState(ctx, "new", "workbox", "c", model.Department, 30); err != nil {
		t.Fatal(err)
	}
	old, err := st.GetOrgState(ctx, "old")
	if err != nil || len(old.Kinds) != 0 || len(old.Entities) != 0 {
		t.Fatalf("a state older than 30 days is kept: %+v %v", old, err)
	}
	cur, err := st.GetOrgState(ctx, "new")
	if err != nil || !cur.Kinds[model.Department] || !cur.Kinds[model.Employee] || len(cur.Entities[model.Employee]) != 0 ||
		len(cur.Entities[model.Department]) != 1 || cur.Entities[model.Department][0].Name != "본사" {
		t.Fatalf("the new run's state: %+v %v", cur, err)
	}
}
