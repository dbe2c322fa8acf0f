package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
)

// Item is one plan item with what is needed to apply it.
type Item struct {
	RunID    string
	Seq      int
	Kind     model.Kind
	Op       string
	Key      string
	Entity   model.Entity  // the source record (create, update)
	PreImage *model.Entity // what the target held before (update, delete)
	Status   string
	Attempts int
	Target   string
	Company  string
	// MissingField and MissingKey name the first record this item refers
	// to (parent department, department, grade, position) that the target
	// does not hold, if any: such an item is skipped, not sent to fail.
	MissingField string
	MissingKey   string
}

// GetItem reads one plan item and, in the same query, the first record it
// refers to that the target lacks: one round trip per applied item.
func (s *Store) GetItem(ctx context.Context, runID string, seq int) (Item, error) {
	it := Item{RunID: runID, Seq: seq}
	var payload, pre []byte
	var missing *string
	// Planned afresh each time (QueryExecModeExec): a plan cached while a
	// first sync's mappings table was still small kept scanning it whole
	// (4 seq scans per item at 78,000 mappings, with autovacuum off).
	err := s.Pool.QueryRow(ctx, `
		SELECT p.kind, p.op, p.ext_key, p.payload, p.pre_image, p.status, p.attempts, r.target, r.company,
			CASE
			WHEN `+lacks("parentKey", "department")+` THEN 'parentKey ' || (p.payload->>'parentKey')
			WHEN `+lacks("deptKey", "department")+` THEN 'deptKey ' || (p.payload->>'deptKey')
			WHEN `+lacks("gradeKey", "grade")+` THEN 'gradeKey ' || (p.payload->>'gradeKey')
			WHEN `+lacks("positionKey", "position")+` THEN 'positionKey ' || (p.payload->>'positionKey')
			END
		FROM plan_items p JOIN runs r USING (run_id) WHERE p.run_id = $1 AND p.seq = $2`, pgx.QueryExecModeExec, runID, seq).
		Scan(&it.Kind, &it.Op, &it.Key, &payload, &pre, &it.Status, &it.Attempts, &it.Target, &it.Company, &missing)
	if errors.Is(err, pgx.ErrNoRows) {
		return it, fmt.Errorf("run %s has no plan item %d", runID, seq)
	}
	if err != nil {
		return it, err
	}
	if missing != nil {
		it.MissingField, it.MissingKey, _ = strings.Cut(*missing, " ")
	}
	if payload != nil {
		if err := json.Unmarshal(payload, &it.Entity); err != nil {
			return it, err
		}
		it.Entity.Kind = it.Kind
	}
	if pre != nil {
		var e model.Entity
		if err := json.Unmarshal(pre, &e); err != nil {
			return it, err
		}
		e.Kind = it.Kind
		it.PreImage = &e
	}
	return it, nil
}

// lacks is the SQL test that the record named by the payload's field is
// not in the target. Each test is a lookup on the whole primary key, so it
// stays an index probe even when the statistics still describe an empty
// mappings table (a first sync fills it while it runs).
func lacks(field, kind string) string {
	return `coalesce(p.payload->>'` + field + `', '') NOT IN ('', '#') AND NOT EXISTS (SELECT 1 FROM mappings m
				WHERE m.target = r.target AND m.company = r.company AND m.kind = '` + kind + `' AND m.ext_key = p.payload->>'` + field + `')`
}

// Applied records that the target now holds what the item asked for: the
// mapping follows the item and the item is closed, in one statement (so
// one transaction and one round trip). A crash before it commits leaves
// the item pending; applying it again is safe because creates turn into
// updates and deletes of missing keys pass.
func (s *Store) Applied(ctx context.Context, it Item, status string) error {
	const closeItem = `
		UPDATE plan_items SET status = $5, attempts = attempts + 1, applied_at = now(), updated_at = now(),
			error_code = NULL, error_message = NULL
		WHERE run_id = $6 AND seq = $7`
	var err error
	if it.Op == plan.OpDelete && status == plan.StatusApplied || it.Op == plan.OpCreate && status == plan.StatusUndone {
		_, err = s.Pool.Exec(ctx, `
			WITH gone AS (DELETE FROM mappings WHERE target = $1 AND company = $2 AND kind = $3 AND ext_key = $4)`+closeItem,
			it.Target, it.Company, string(it.Kind), it.Key, status, it.RunID, it.Seq)
		return err
	}
	e := it.Entity
	if status == plan.StatusUndone {
		e = *it.PreImage
	}
	state, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = s.Pool.Exec(ctx, `
		WITH kept AS (
			INSERT INTO mappings (target, company, kind, ext_key, content_hash, state) VALUES ($1, $2, $3, $4, $8, $9)
			ON CONFLICT (target, company, kind, ext_key)
			DO UPDATE SET content_hash = excluded.content_hash, state = excluded.state, updated_at = now())`+closeItem,
		it.Target, it.Company, string(it.Kind), it.Key, status, it.RunID, it.Seq, e.Hash(), state)
	return err
}

// Failed records an attempt that did not apply. final closes the item with
// status (failed or skipped); otherwise it stays pending for a retry.
func (s *Store) Failed(ctx context.Context, it Item, status string, final bool, field, code, message string) error {
	if !final {
		status = it.Status
	}
	_, err := s.Pool.Exec(ctx, `
		UPDATE plan_items SET status = $3, attempts = attempts + 1, updated_at = now(),
			field = nullif($4, ''), error_code = nullif($5, ''), error_message = $6
		WHERE run_id = $1 AND seq = $2`, it.RunID, it.Seq, status, field, code, message)
	return err
}
