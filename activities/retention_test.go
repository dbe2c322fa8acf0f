package activities_test

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/orgsync/orgsync/activities"
	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/internal/testenv"
)

// The worker purges after a run ends: FinishRun of a new run clears the
// records of a run past ORGSYNC_RETENTION and keeps the new run's; with a
// retention of 0 nothing is purged.
func TestFinishRunPurgesExpiredRuns(t *testing.T) {
	for _, retention := range []string{"0", "90d"} {
		t.Run("retention "+retention, func(t *testing.T) {
			st, _ := testenv.Database(t)
			ctx := context.Background()
			for _, r := range []struct {
				id  string
				age time.Duration
			}{{"old", 100 * 24 * time.Hour}, {"now", 0}} {
				if err := st.BeginRun(ctx, store.Run{RunID: r.id, WorkflowID: "wf-" + r.id, Target: "workbox", Company: "c1"}); err != nil {
					t.Fatal(err)
				}
				if _, err := st.Pool.Exec(ctx, `UPDATE runs SET started_at = now() - $2::interval, finished_at = CASE WHEN $1 = 'old' THEN now() - $2::interval END WHERE run_id = $1`,
					r.id, r.age.String()); err != nil {
					t.Fatal(err)
				}
				if _, err := st.Pool.Exec(ctx, `INSERT INTO plan_items (run_id, seq, kind, wave, op, ext_key, payload, status, error_message)
					VALUES ($1, 0, 'employee', 0, 'create', 'E1', '{"email":"a@example.com"}', 'failed', 'the target said: a@example.com')`, r.id); err != nil {
					t.Fatal(err)
				}
			}
			a := &activities.Activities{Store: st, Config: config.Config{Target: "workbox", CompanyID: "c1", Retention: retention}, Log: testenv.Logger()}
			env := (&testsuite.WorkflowTestSuite{}).NewTestActivityEnvironment()
			env.RegisterActivity(a)
			if _, err := env.ExecuteActivity(a.FinishRun, activities.FinishInput{Report: plan.Report{RunID: "now", Status: plan.RunCompleted}}); err != nil {
				t.Fatal(err)
			}
			for run, wantKept := range map[string]bool{"old": retention == "0", "now": true} {
				var kept int
				if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM plan_items WHERE run_id = $1 AND payload IS NOT NULL AND error_message IS NOT NULL`, run).Scan(&kept); err != nil {
					t.Fatal(err)
				}
				if (kept == 1) != wantKept {
					t.Errorf("run %s: %d items with their records, want kept=%v", run, kept, wantKept)
				}
			}
		})
	}
}
