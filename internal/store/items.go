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
}

// GetItem reads one plan item.
func (s *Store) GetItem(ctx context.Context, runID string, seq int) (Item, error) {
	it := Item{RunID: runID, Seq: seq}
	var payload, pre []byte
	err := s.Pool.QueryRow(ctx, `
		SELECT p.kind, p.op, p.ext_key, p.payload, p.pre_image, p.status, p.attempts, r.target, r.company
		FROM plan_items p JOIN runs r USING (run_id) WHERE p.run_id = $1 AND p.seq = $2`, runID, seq).
		Scan(&it.Kind, &it.Op, &it.Key, &payload, &pre, &it.Status, &it.Attempts, &it.Target, &it.Company)
	if errors.Is(err, pgx.ErrNoRows) {
		return it, fmt.Errorf("run %s has no plan item %d", runID, seq)
	}
	if err != nil {
		return it, err
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

// MissingRef returns the first key that e refers to (parent department,
// department, grade, position) and that the target does not hold, so an
// item whose dependency failed is skipped instead of sent to fail.
func (s *Store) MissingRef(ctx context.Context, target, company string, e model.Entity) (field, key string, err error) {
	type ref struct {
		field, key string
		kind       model.Kind
	}
	var refs []ref
	switch e.Kind {
	case model.Department:
		if e.ParentKey != model.TopParent {
			refs = append(refs, ref{"parentKey", e.ParentKey, model.Department})
		}
	case model.Employee:
		refs = append(refs, ref{"deptKey", e.DeptKey, model.Department}, ref{"gradeKey", e.GradeKey, model.Grade},
			ref{"positionKey", e.PositionKey, model.Position})
	}
	for _, r := range refs {
		if r.key == "" {
			continue
		}
		var ok bool
		err := s.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM mappings WHERE target = $1 AND company = $2 AND kind = $3 AND ext_key = $4)`,
			target, company, string(r.kind), r.key).Scan(&ok)
		if err != nil {
			return "", "", err
		}
		if !ok {
			return r.field, r.key, nil
		}
	}
	return "", "", nil
}

// Applied records, in one transaction, that the target now holds what the
// item asked for: the mapping follows the item and the item is closed. A
// crash before this commits leaves the item pending; applying it again is
// safe because creates turn into updates and deletes of missing keys pass.
func (s *Store) Applied(ctx context.Context, it Item, status string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var err error
		switch {
		case it.Op == plan.OpDelete && status == plan.StatusApplied,
			it.Op == plan.OpCreate && status == plan.StatusUndone:
			_, err = tx.Exec(ctx, `DELETE FROM mappings WHERE target = $1 AND company = $2 AND kind = $3 AND ext_key = $4`,
				it.Target, it.Company, string(it.Kind), it.Key)
		default:
			e := it.Entity
			if status == plan.StatusUndone {
				e = *it.PreImage
			}
			var state []byte
			if state, err = json.Marshal(e); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `
				INSERT INTO mappings (target, company, kind, ext_key, content_hash, state) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (target, company, kind, ext_key)
				DO UPDATE SET content_hash = excluded.content_hash, state = excluded.state, updated_at = now()`,
				it.Target, it.Company, string(it.Kind), it.Key, e.Hash(), state)
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			UPDATE plan_items SET status = $3, attempts = attempts + 1, applied_at = now(), updated_at = now(),
				error_code = NULL, error_message = NULL
			WHERE run_id = $1 AND seq = $2`, it.RunID, it.Seq, status)
		return err
	})
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
