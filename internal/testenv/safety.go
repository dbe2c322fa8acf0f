package testenv

import (
	"context"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/workflows"
)

// Mappings returns the stack's mapping table as kind/key -> content hash,
// so a test can tell whether a rollback left it as it was.
func (s *Stack) Mappings(t testing.TB) map[string]string {
	t.Helper()
	rows, err := s.Store.Pool.Query(context.Background(),
		`SELECT kind, ext_key, content_hash FROM mappings WHERE target = $1 AND company = $2`, s.Config.Target, s.Config.CompanyID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var kind, key string
		var hash []byte
		if err := rows.Scan(&kind, &key, &hash); err != nil {
			t.Fatal(err)
		}
		out[kind+"/"+key] = hex.EncodeToString(hash)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// PlanItem is one stored plan item as a test sees it.
type PlanItem struct {
	Kind, Op, Key, Status string
}

// PlanItems lists a run's plan items with operation op ("" = all), in seq order.
func (s *Stack) PlanItems(t testing.TB, runID, op string) []PlanItem {
	t.Helper()
	rows, err := s.Store.Pool.Query(context.Background(), `
		SELECT kind, op, ext_key, status FROM plan_items
		WHERE run_id = $1 AND ($2 = '' OR op = $2) ORDER BY seq`, runID, op)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []PlanItem
	for rows.Next() {
		var it PlanItem
		if err := rows.Scan(&it.Kind, &it.Op, &it.Key, &it.Status); err != nil {
			t.Fatal(err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Progress asks a running OrgSync for its progress.
func (s *Stack) Progress(ctx context.Context, workflowID string) (workflows.Progress, error) {
	var p workflows.Progress
	v, err := s.Client.QueryWorkflow(ctx, workflowID, "", workflows.QueryProgress)
	if err != nil {
		return p, err
	}
	return p, v.Get(&p)
}

// WaitStatus polls the progress query until the run reports status, and
// fails the test after timeout.
func (s *Stack) WaitStatus(t testing.TB, workflowID, status string, timeout time.Duration) workflows.Progress {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last workflows.Progress
	var lastErr error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		p, err := s.Progress(ctx, workflowID)
		cancel()
		if err == nil && p.Status == status {
			return p
		}
		last, lastErr = p, err
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("run %s did not reach status %q within %s: last progress %+v, error %v", workflowID, status, timeout, last, lastErr)
	return last
}

// Result waits for a started run's report.
func Result(t testing.TB, run client.WorkflowRun) plan.Report {
	t.Helper()
	var rep plan.Report
	if err := run.Get(context.Background(), &rep); err != nil {
		var werr error = err
		for errors.Unwrap(werr) != nil {
			werr = errors.Unwrap(werr)
		}
		t.Fatalf("OrgSync failed: %v (cause %v)", err, werr)
	}
	return rep
}
