package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
)

// Run identifies one execution of OrgSync.
type Run struct {
	RunID      string
	WorkflowID string
	Target     string
	Company    string
	Input      json.RawMessage
}

// BeginRun records a run; calling it again for the same run is harmless.
func (s *Store) BeginRun(ctx context.Context, r Run) error {
	if len(r.Input) == 0 {
		r.Input = json.RawMessage("{}")
	}
	_, err := s.Pool.Exec(ctx, `
		INSERT INTO runs (run_id, workflow_id, target, company, input)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id) DO NOTHING`,
		r.RunID, r.WorkflowID, r.Target, r.Company, r.Input)
	return err
}

// Holder is the run that holds a company's sync lock.
type Holder struct {
	WorkflowID string
	RunID      string
}

// AcquireLock takes the sync lock of target/company for r. It is re-entrant
// for the same run. When another run holds it, that run is returned and
// ok is false; the caller decides whether the holder is still alive.
func (s *Store) AcquireLock(ctx context.Context, r Run) (holder Holder, ok bool, err error) {
	err = s.Pool.QueryRow(ctx, `
		INSERT INTO sync_locks (target, company, workflow_id, run_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (target, company) DO UPDATE SET acquired_at = sync_locks.acquired_at
		RETURNING workflow_id, run_id`,
		r.Target, r.Company, r.WorkflowID, r.RunID).Scan(&holder.WorkflowID, &holder.RunID)
	if err != nil {
		return holder, false, err
	}
	return holder, holder.RunID == r.RunID, nil
}

// StealLock moves the lock from a holder known to be dead to r.
func (s *Store) StealLock(ctx context.Context, r Run, dead Holder) (bool, error) {
	tag, err := s.Pool.Exec(ctx, `
		UPDATE sync_locks SET workflow_id = $3, run_id = $4, acquired_at = now()
		WHERE target = $1 AND company = $2 AND run_id = $5`,
		r.Target, r.Company, r.WorkflowID, r.RunID, dead.RunID)
	return tag.RowsAffected() == 1, err
}

// ReleaseLock frees the lock if r holds it.
func (s *Store) ReleaseLock(ctx context.Context, r Run) error {
	_, err := s.Pool.Exec(ctx, `DELETE FROM sync_locks WHERE target = $1 AND company = $2 AND run_id = $3`,
		r.Target, r.Company, r.RunID)
	return err
}

// SavePlan stores the plan of one stage with the run, for reports and the
// approval preview.
func (s *Store) SavePlan(ctx context.Context, runID string, st plan.Stage) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	_, err = s.Pool.Exec(ctx, `UPDATE runs SET plan = plan || jsonb_build_object($2::text, $3::jsonb), stage = $2 WHERE run_id = $1`,
		runID, string(st.Kind), b)
	return err
}

// SetStage records the stage a run is in (for `starter status`).
func (s *Store) SetStage(ctx context.Context, runID, stage, status string) error {
	_, err := s.Pool.Exec(ctx, `UPDATE runs SET stage = $2, status = $3 WHERE run_id = $1`, runID, stage, status)
	return err
}

// FinishRun stores the final status and report of a run.
func (s *Store) FinishRun(ctx context.Context, runID, status string, report any) error {
	b, err := json.Marshal(report)
	if err != nil {
		return err
	}
	_, err = s.Pool.Exec(ctx, `UPDATE runs SET status = $2, report = $3, finished_at = now() WHERE run_id = $1`, runID, status, b)
	return err
}

// RunRow is a run as stored.
type RunRow struct {
	Run
	Status string
	Stage  string
	Plan   map[model.Kind]plan.Stage
	Report json.RawMessage
}

// GetRun reads a run by its run id, or the newest run of a workflow id.
func (s *Store) GetRun(ctx context.Context, id string) (RunRow, error) {
	var r RunRow
	var planJSON []byte
	err := s.Pool.QueryRow(ctx, `
		SELECT run_id, workflow_id, target, company, input, status, stage, plan, coalesce(report, 'null')
		FROM runs WHERE run_id = $1 OR workflow_id = $1 ORDER BY started_at DESC LIMIT 1`, id).
		Scan(&r.RunID, &r.WorkflowID, &r.Target, &r.Company, &r.Input, &r.Status, &r.Stage, &planJSON, &r.Report)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("no run with id %q", id)
	}
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal(planJSON, &r.Plan)
}

// StageReports counts the outcome of a run's plan items per stage.
func (s *Store) StageReports(ctx context.Context, runID string) ([]plan.StageReport, error) {
	run, err := s.GetRun(ctx, runID)
	if err != nil {
		return nil, err
	}
	rows, err := s.Pool.Query(ctx, `
		SELECT kind,
			count(*) FILTER (WHERE op = 'create' AND status = 'applied'),
			count(*) FILTER (WHERE op = 'update' AND status = 'applied'),
			count(*) FILTER (WHERE op = 'delete' AND status = 'applied'),
			count(*) FILTER (WHERE status IN ('failed', 'undo_failed')),
			count(*) FILTER (WHERE status = 'skipped'),
			count(*) FILTER (WHERE status = 'pending'),
			count(*) FILTER (WHERE status = 'undone'),
			count(*) FILTER (WHERE status = 'undo_failed'),
			count(*) FILTER (WHERE status = 'not_undoable'),
			coalesce(sum(greatest(attempts - 1, 0)), 0)
		FROM plan_items WHERE run_id = $1 GROUP BY kind`, runID)
	if err != nil {
		return nil, err
	}
	byKind := map[model.Kind]plan.StageReport{}
	for rows.Next() {
		var r plan.StageReport
		if err := rows.Scan(&r.Stage, &r.Created, &r.Updated, &r.Deleted, &r.Failed, &r.Skipped, &r.Pending, &r.Undone, &r.UndoFailed, &r.NotUndoable, &r.Retries); err != nil {
			return nil, err
		}
		byKind[r.Stage] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	throttled, err := s.Throttled(ctx, runID)
	if err != nil {
		return nil, err
	}
	var out []plan.StageReport
	for _, k := range model.Kinds {
		st, planned := run.Plan[k]
		r, applied := byKind[k]
		if !planned && !applied {
			continue
		}
		r.Stage = k
		r.Unchanged = st.Unchanged
		r.Throttled = int(throttled[string(k)])
		out = append(out, r)
	}
	return out, nil
}

// FailedItem is one item that did not apply, with its reason.
type FailedItem struct {
	Stage   model.Kind `json:"stage"`
	Op      string     `json:"op"`
	Key     string     `json:"key"`
	Status  string     `json:"status"`
	Field   string     `json:"field,omitempty"`
	Code    string     `json:"code,omitempty"`
	Message string     `json:"message"`
}

// FailedItems lists every failed or skipped item of a run in plan order.
func (s *Store) FailedItems(ctx context.Context, runID string) ([]FailedItem, error) {
	rows, err := s.Pool.Query(ctx, `
		SELECT kind, op, ext_key, status, coalesce(field, ''), coalesce(error_code, ''), coalesce(error_message, '')
		FROM plan_items WHERE run_id = $1 AND status IN ('failed', 'skipped', 'undo_failed', 'not_undoable') ORDER BY seq`, runID)
	return collectItems(rows, err)
}

// collectItems reads rows of (kind, op, ext_key, status, field, code,
// message) into FailedItems.
func collectItems(rows pgx.Rows, err error) ([]FailedItem, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[FailedItem])
}

// FailPending closes the items a run left pending (a stopped run, or
// attempts that ended in an activity error) with their last error.
func (s *Store) FailPending(ctx context.Context, runID, reason string) error {
	_, err := s.Pool.Exec(ctx, `
		UPDATE plan_items SET status = CASE WHEN attempts > 0 THEN 'failed' ELSE 'skipped' END,
			error_message = coalesce(error_message, $2), updated_at = now()
		WHERE run_id = $1 AND status = 'pending'`, runID, reason)
	return err
}
