package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/internal/testenv"
)

// Workers save their limiters; the newest learned rate is where the next
// starts, a worker that has learned nothing yet keeps its older one, and
// the workers heard of lately are the ones writing now. Throttled
// answers add up per run and stage.
func TestRates(t *testing.T) {
	st, _ := testenv.Database(t)
	ctx := context.Background()
	if r, err := st.LearnedRate(ctx, "workbox", "c1"); err != nil || r != 0 {
		t.Fatalf("nothing learned yet: %v, %v", r, err)
	}
	for _, w := range []store.WorkerRate{
		{Worker: "a:1", Rate: 30, Learned: 28, Throttled: 4},
		{Worker: "b:2", Rate: 25, Learned: 24, Throttled: 7},
		{Worker: "a:1", Rate: 12, Learned: 0, Throttled: 5}, // slow start again: keeps 28
	} {
		if err := st.SaveRate(ctx, "workbox", "c1", w); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SaveRate(ctx, "workbox", "other", store.WorkerRate{Worker: "c:3", Rate: 99, Learned: 99}); err != nil {
		t.Fatal(err)
	}
	if r, err := st.LearnedRate(ctx, "workbox", "c1"); err != nil || r != 28 {
		t.Fatalf("learned %v, %v; want the newest worker's 28", r, err)
	}
	active, err := st.ActiveRates(ctx, "workbox", "c1", time.Minute)
	if err != nil || len(active) != 2 || active[0].Rate+active[1].Rate != 37 || active[0].Throttled+active[1].Throttled != 12 {
		t.Fatalf("active %+v, %v: want a:1 at 12/s and b:2 at 25/s, 12 throttled", active, err)
	}

	for _, n := range []int64{3, 4} {
		if err := st.AddThrottled(ctx, "run-1", "employee", n); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := st.Throttled(ctx, "run-1"); err != nil || got["employee"] != 7 || len(got) != 1 {
		t.Fatalf("throttled per stage %v, %v; want employee 7", got, err)
	}
}
