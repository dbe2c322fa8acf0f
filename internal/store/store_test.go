package store_test

import (
	"context"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/internal/testenv"
)

func TestMigrateTwice(t *testing.T) {
	st, _ := testenv.Database(t) // applies once
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	var n int
	if err := st.Pool.QueryRow(context.Background(), `SELECT count(*) FROM mappings`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("mappings after two migrations: n=%d err=%v", n, err)
	}
}

func dept(key, parent string) model.Entity {
	return model.Entity{Kind: model.Department, Key: key, Name: "부서 " + key, ParentKey: parent}
}

func load(t *testing.T, st *store.Store, run string, es ...model.Entity) {
	t.Helper()
	_, err := st.LoadSnapshot(context.Background(), run, []model.Kind{model.Department}, func(emit model.Emit) error {
		for _, e := range es {
			if err := emit(e, e.Validate()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The department tree: parents first, bad subtrees marked, deletes leaves
// first, and a key present but invalid is not deleted.
func TestPlanDepartments(t *testing.T) {
	ctx := context.Background()
	st, _ := testenv.Database(t)
	run := store.Run{RunID: "r1", WorkflowID: "w", Target: "workbox", Company: "c"}
	if err := st.BeginRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	load(t, st, "r1",
		dept("A", "#"), dept("B", "A"), dept("C", "B"),
		dept("X", "Y"), dept("Y", "X"), // cycle
		dept("M", "NOPE"), dept("M2", "M"), // missing parent and its child
		model.Entity{Kind: model.Department, Key: "E", Name: "", ParentKey: "#"}, // empty name
		dept("D", "#"), dept("D", "#"), // duplicate key
	)
	if err := st.CheckSnapshot(ctx, "r1", "workbox", "c", model.Department); err != nil {
		t.Fatal(err)
	}
	p, err := st.Plan(ctx, "r1", "workbox", "c", model.Department)
	if err != nil {
		t.Fatal(err)
	}
	if p.Creates != 3 || p.Invalid != 7 || p.Deletes != 0 {
		t.Fatalf("plan = %+v, want 3 creates (A, B, C) and 7 invalid", p)
	}
	if len(p.Upserts) != 3 || p.Upserts[0].Wave != 0 || p.Upserts[2].Wave != 2 {
		t.Fatalf("upsert waves = %+v, want depth 0, 1, 2", p.Upserts)
	}
	failed, err := st.FailedItems(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, f := range failed {
		reasons[f.Key] = f.Field + ": " + f.Message
	}
	for key, want := range map[string]string{
		"X": "parentKey: department cycle through X", "M": "parentKey: parent department NOPE is missing from the source",
		"M2": "parentKey: parent department M cannot be synced (parent department NOPE is missing from the source)",
		"E":  "name: is empty", "D": "key: duplicate key: 2 records in the source have it",
	} {
		if reasons[key] != want {
			t.Errorf("reason for %s = %q, want %q", key, reasons[key], want)
		}
	}

	// Apply the creates, then plan a source without B and C, and with A invalid.
	for seq := p.Upserts[0].Lo; seq <= p.Upserts[2].Hi; seq++ {
		it, err := st.GetItem(ctx, "r1", seq)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Applied(ctx, it, plan.StatusApplied); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.BeginRun(ctx, store.Run{RunID: "r2", WorkflowID: "w", Target: "workbox", Company: "c"}); err != nil {
		t.Fatal(err)
	}
	load(t, st, "r2", model.Entity{Kind: model.Department, Key: "A", Name: "A\x07", ParentKey: "#"})
	if err := st.CheckSnapshot(ctx, "r2", "workbox", "c", model.Department); err != nil {
		t.Fatal(err)
	}
	p2, err := st.Plan(ctx, "r2", "workbox", "c", model.Department)
	if err != nil {
		t.Fatal(err)
	}
	if p2.Deletes != 2 || p2.Invalid != 1 || len(p2.Removals) != 2 {
		t.Fatalf("second plan = %+v, want deletes of B and C only, leaves first", p2)
	}
	first, _ := st.GetItem(ctx, "r2", p2.Removals[0].Lo)
	if first.Key != "C" || first.PreImage == nil || first.PreImage.ParentKey != "B" {
		t.Fatalf("first delete = %+v, want leaf C with its pre-image", first)
	}
}

// An item names the first record it refers to (model.Refs) that the
// target does not hold yet, and none once the target holds it.
func TestItemMissingReference(t *testing.T) {
	ctx := context.Background()
	st, _ := testenv.Database(t)
	if err := st.BeginRun(ctx, store.Run{RunID: "m1", WorkflowID: "w", Target: "workbox", Company: "c"}); err != nil {
		t.Fatal(err)
	}
	load(t, st, "m1", dept("A", "#"), dept("B", "A"),
		model.Entity{Kind: model.Employee, Key: "E1", Name: "사원", Email: "e1@example.com", DeptKey: "B"})
	seqs := map[string]int{}
	for _, k := range []model.Kind{model.Department, model.Employee} {
		if err := st.CheckSnapshot(ctx, "m1", "workbox", "c", k); err != nil {
			t.Fatal(err)
		}
		p, err := st.Plan(ctx, "m1", "workbox", "c", k)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Upserts {
			for seq := r.Lo; seq <= r.Hi; seq++ {
				it, err := st.GetItem(ctx, "m1", seq)
				if err != nil {
					t.Fatal(err)
				}
				seqs[it.Key] = seq
			}
		}
	}
	missing := func(key string) string {
		it, err := st.GetItem(ctx, "m1", seqs[key])
		if err != nil {
			t.Fatal(err)
		}
		return it.MissingField + " " + it.MissingKey
	}
	for key, want := range map[string]string{"A": " ", "B": "parentKey A", "E1": "deptKey B"} {
		if got := missing(key); got != want {
			t.Errorf("%s misses %q, want %q", key, got, want)
		}
	}
	for _, key := range []string{"A", "B"} {
		it, _ := st.GetItem(ctx, "m1", seqs[key])
		if err := st.Applied(ctx, it, plan.StatusApplied); err != nil {
			t.Fatal(err)
		}
	}
	if got := missing("E1"); got != " " {
		t.Errorf("E1 misses %q once its department is in the target", got)
	}
}
