package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/internal/testenv"
)

// Many concurrent GetItem and Applied calls share statements and each
// gets its own item and outcome: every mapping written once, every item
// closed once, a missing item an error of its own, and the same outcome
// twice in one statement (a retried item) harmless.
func TestGroupedItemStatements(t *testing.T) {
	ctx := context.Background()
	st, _ := testenv.Database(t)
	if err := st.BeginRun(ctx, store.Run{RunID: "g1", WorkflowID: "w", Target: "workbox", Company: "c"}); err != nil {
		t.Fatal(err)
	}
	const n = 300
	var es []model.Entity
	for i := range n {
		es = append(es, dept(fmt.Sprintf("D%03d", i), "#"))
	}
	load(t, st, "g1", es...)
	if err := st.CheckSnapshot(ctx, "g1", "workbox", "c", model.Department); err != nil {
		t.Fatal(err)
	}
	p, err := st.Plan(ctx, "g1", "workbox", "c", model.Department)
	if err != nil || p.Creates != n || len(p.Upserts) != 1 {
		t.Fatalf("plan %+v, %v", p, err)
	}
	lo := p.Upserts[0].Lo
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for seq := lo; seq < lo+n; seq++ {
		wg.Go(func() {
			it, err := st.GetItem(ctx, "g1", seq)
			if err != nil {
				errs <- err
				return
			}
			if it.Seq != seq || it.Status != plan.StatusPending || it.Entity.Name != "부서 "+it.Key {
				errs <- fmt.Errorf("GetItem(%d) = %+v", seq, it)
				return
			}
			if seq == lo { // the same outcome twice at once, as a retried item would
				wg.Go(func() { errs <- st.Applied(ctx, it, plan.StatusApplied) })
			}
			if err := st.Applied(ctx, it, plan.StatusApplied); err != nil {
				errs <- err
			}
		})
	}
	wg.Go(func() {
		if _, err := st.GetItem(ctx, "g1", lo+n+5); err == nil {
			errs <- fmt.Errorf("GetItem of a missing item: no error")
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var mapped, applied, attempts int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM mappings WHERE company = 'c' AND kind = 'department'`).Scan(&mapped); err != nil {
		t.Fatal(err)
	}
	if err := st.Pool.QueryRow(ctx, `SELECT count(*), sum(attempts) FROM plan_items WHERE run_id = 'g1' AND status = 'applied'`).Scan(&applied, &attempts); err != nil {
		t.Fatal(err)
	}
	// Twice in one statement the item counts one attempt, in two
	// statements two.
	if mapped != n || applied != n || attempts < n || attempts > n+1 {
		t.Fatalf("%d mappings, %d items applied with %d attempts; want %d, %d, %d or %d", mapped, applied, attempts, n, n, n, n+1)
	}
}
