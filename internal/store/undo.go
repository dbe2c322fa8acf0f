package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
)

// Compensable calls fn with every item of run that compensation may still
// undo (applied, or an undo the target refused) and no later run wrote,
// in seq order.
func (s *Store) Compensable(ctx context.Context, runID string, fn func(Item) error) error {
	rows, err := s.Pool.Query(ctx, laterWrites+`
		SELECT seq, kind, op, ext_key, status, coalesce(effect, ''), pre_exact, pre_image
		FROM plan_items p WHERE run_id = $1 AND status IN ('applied', 'undo_failed')
			AND NOT EXISTS (SELECT 1 FROM later l WHERE l.kind = p.kind AND l.ext_key = p.ext_key)
		ORDER BY seq`, runID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		it := Item{RunID: runID}
		var pre []byte
		if err := rows.Scan(&it.Seq, &it.Kind, &it.Op, &it.Key, &it.Status, &it.Effect, &it.PreExact, &pre); err != nil {
			return err
		}
		if pre != nil {
			var e model.Entity
			if err := json.Unmarshal(pre, &e); err != nil {
				return fmt.Errorf("run %s plan item %d: pre-image: %w", runID, it.Seq, err)
			}
			e.Kind, e.Key = it.Kind, it.Key
			it.PreImage = &e
		}
		if err := fn(it); err != nil {
			return err
		}
	}
	return rows.Err()
}

// laterWrites is the items of run $1 that a later run of the same target
// and company wrote too: undoing them would undo that run's work as well.
const laterWrites = `
	WITH o AS (SELECT run_id, target, company, started_at FROM runs WHERE run_id = $1),
	later AS (
		SELECT DISTINCT ON (q.kind, q.ext_key) q.kind, q.ext_key, q.run_id
		FROM o JOIN runs r ON r.target = o.target AND r.company = o.company AND r.started_at > o.started_at
		JOIN plan_items q ON q.run_id = r.run_id
		WHERE q.status IN ('applied', 'undo_failed', 'not_undoable')
		ORDER BY q.kind, q.ext_key, r.started_at
	)`

// CloseLaterWrites closes as not undoable the compensable items of run
// that a later run wrote too (only counts them when dryRun), and returns
// how many there are.
func (s *Store) CloseLaterWrites(ctx context.Context, runID string, dryRun bool) (int, error) {
	var n int
	if dryRun {
		err := s.Pool.QueryRow(ctx, laterWrites+`
			SELECT count(*) FROM plan_items p JOIN later l ON l.kind = p.kind AND l.ext_key = p.ext_key
			WHERE p.run_id = $1 AND p.status IN ('applied', 'undo_failed')`, runID).Scan(&n)
		return n, err
	}
	tag, err := s.Pool.Exec(ctx, laterWrites+`
		UPDATE plan_items p SET status = 'not_undoable', error_code = 'not_undoable', updated_at = now(),
			error_message = 'a later run (' || l.run_id || ') wrote this item too: undoing it would undo that run''s work; left as it is'
		FROM later l WHERE p.run_id = $1 AND p.status IN ('applied', 'undo_failed') AND l.kind = p.kind AND l.ext_key = p.ext_key`, runID)
	return int(tag.RowsAffected()), err
}

// SaveApproval stores who approved a run's deletes and which plan.
func (s *Store) SaveApproval(ctx context.Context, runID string, a plan.Approval) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	_, err = s.Pool.Exec(ctx, `UPDATE runs SET approval = $2 WHERE run_id = $1`, runID, b)
	return err
}
