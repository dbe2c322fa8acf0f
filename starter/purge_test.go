package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/internal/testenv"
)

// purgeCounts is what a run keeps in Postgres: items (all, and those still
// holding a payload, pre-image or message) and snapshot rows.
type purgeCounts struct {
	Runs, Items, WithData, Snapshot, Loads, Mappings int
	Statuses                                         string
}

func countsOf(t *testing.T, st *store.Store, run string) purgeCounts {
	t.Helper()
	ctx := context.Background()
	var c purgeCounts
	for q, dst := range map[string]*int{
		`SELECT count(*) FROM runs WHERE run_id = $1`:       &c.Runs,
		`SELECT count(*) FROM plan_items WHERE run_id = $1`: &c.Items,
		`SELECT count(*) FROM plan_items WHERE run_id = $1 AND (payload IS NOT NULL OR pre_image IS NOT NULL OR error_message IS NOT NULL)`: &c.WithData,
		`SELECT count(*) FROM snapshot WHERE run_id = $1`:       &c.Snapshot,
		`SELECT count(*) FROM snapshot_loads WHERE run_id = $1`: &c.Loads,
		`SELECT count(*) FROM mappings WHERE $1 <> ''`:          &c.Mappings,
	} {
		if err := st.Pool.QueryRow(ctx, q, run).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Pool.QueryRow(ctx, `SELECT coalesce(string_agg(status || '/' || coalesce(error_code, ''), ',' ORDER BY seq), '') FROM plan_items WHERE run_id = $1`, run).Scan(&c.Statuses); err != nil {
		t.Fatal(err)
	}
	return c
}

// `starter purge` removes the records of runs past the retention period
// (finished ones, and unfinished ones that no longer hold the lock) and
// nothing else: recent runs, a live run, the mappings, and every item's
// key, status and code stay. `starter report` then says so, and prints
// nothing from data raw to the terminal.
func TestPurge(t *testing.T) {
	st, dbURL := testenv.Database(t)
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL, cfg.CompanyID = config.Secret(dbURL), "c-purge"
	ctx := context.Background()
	day := 24 * time.Hour
	now := time.Now()
	runs := []struct {
		id              string
		started         time.Time
		finished        *time.Time
		holdsLock, gone bool // gone: past the retention, to be purged
	}{
		{"old-finished", now.Add(-100 * day), ptr(now.Add(-99 * day)), false, true},
		{"old-terminated", now.Add(-100 * day), nil, false, true},
		{"old-live", now.Add(-95 * day), nil, true, false}, // holds the lock: alive
		{"recent", now.Add(-2 * day), ptr(now.Add(-2 * day)), false, false},
		{"ended-in-window", now.Add(-91 * day), ptr(now.Add(-89 * day)), false, false},
	}
	for _, r := range runs {
		status := "running"
		if r.finished != nil {
			status = "completed_with_failures"
		}
		if _, err := st.Pool.Exec(ctx, `INSERT INTO runs (run_id, workflow_id, target, company, status, started_at, finished_at)
			VALUES ($1, 'wf-'||$1, 'workbox', 'c-purge', $2, $3, $4)`, r.id, status, r.started, r.finished); err != nil {
			t.Fatal(err)
		}
		for seq := range 3 {
			if _, err := st.Pool.Exec(ctx, `INSERT INTO plan_items (run_id, seq, kind, wave, op, ext_key, payload, pre_image, status, error_code, error_message)
				VALUES ($1, $2, 'employee', 0, 'update', $3, '{"name":"홍길동","email":"hong@example.com"}', '{"name":"홍길순"}', 'failed', '500', $4)`,
				r.id, seq, fmt.Sprintf("E%d\x1b[31m", seq), "transient (HTTP 503): user E1; the target said: 홍길동 <hong@example.com>\x1b]0;owned\x07"); err != nil {
				t.Fatal(err)
			}
		}
		for _, k := range []string{"E1", "E2"} {
			if _, err := st.Pool.Exec(ctx, `INSERT INTO snapshot (run_id, kind, ext_key, content_hash, payload) VALUES ($1, 'employee', $2, '\x00', '{"email":"hong@example.com"}')`, r.id, k); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.Pool.Exec(ctx, `INSERT INTO snapshot_loads (run_id, kind, rows) VALUES ($1, 'employee', 2)`, r.id); err != nil {
			t.Fatal(err)
		}
		if r.holdsLock {
			if _, err := st.Pool.Exec(ctx, `INSERT INTO sync_locks (target, company, workflow_id, run_id) VALUES ('workbox', 'c-purge', 'wf-'||$1, $1)`, r.id); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := st.Pool.Exec(ctx, `INSERT INTO mappings (target, company, kind, ext_key, content_hash, state)
		VALUES ('workbox', 'c-purge', 'employee', 'E1', '\x00', '{"name":"홍길동"}'), ('workbox', 'c-purge', 'employee', 'E2', '\x00', '{"name":"김"}')`); err != nil {
		t.Fatal(err)
	}
	before := map[string]purgeCounts{}
	for _, r := range runs {
		before[r.id] = countsOf(t, st, r.id)
		t.Logf("before %-16s %+v", r.id, before[r.id])
	}

	var dry store.Purged
	if err := json.Unmarshal([]byte(mustStarter(t, cfg, "purge", "--dry-run", "--json")), &dry); err != nil {
		t.Fatal(err)
	}
	if dry != (store.Purged{Runs: 2, Items: 6, SnapshotRows: 4}) {
		t.Fatalf("dry run counted %+v, want 2 runs, 6 items, 4 snapshot rows", dry)
	}
	for _, r := range runs {
		if got := countsOf(t, st, r.id); got != before[r.id] {
			t.Fatalf("the dry run changed %s: %+v -> %+v", r.id, before[r.id], got)
		}
	}

	out := mustStarter(t, cfg, "purge")
	if !strings.HasPrefix(out, "purged 2 runs that ended before ") || !strings.Contains(out, "6 plan items cleared, 4 snapshot rows deleted") {
		t.Fatalf("purge printed %q", out)
	}
	for _, r := range runs {
		b, a := before[r.id], countsOf(t, st, r.id)
		t.Logf("after  %-16s %+v", r.id, a)
		want := b
		if r.gone {
			want.WithData, want.Snapshot, want.Loads = 0, 0, 0
		}
		if a != want {
			t.Errorf("%s: after the purge %+v, want %+v", r.id, a, want)
		}
	}
	if again := mustStarter(t, cfg, "purge", "--json"); strings.TrimSpace(again) != `{"runs":0,"items":0,"snapshotRows":0}` {
		t.Errorf("a second purge found more: %s", again)
	}

	// The report of a purged run says so; the report of a kept one shows
	// the stored message with its control characters neutralised.
	if rep := mustStarter(t, cfg, "report", "old-finished"); !strings.Contains(rep, "records and target messages removed on") || strings.Contains(rep, "hong@example.com") {
		t.Errorf("report of a purged run: %q", rep)
	}
	rep := mustStarter(t, cfg, "report", "recent")
	if strings.ContainsRune(rep, 0x1b) || strings.ContainsRune(rep, 0x07) || !strings.Contains(rep, "E0\uFFFD[31m") || !strings.Contains(rep, "hong@example.com>\uFFFD]0;owned\uFFFD") {
		t.Errorf("report printed control characters, or lost the message: %q", rep)
	}
}

func ptr[T any](v T) *T { return &v }
