package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
)

// OpUnknown is the plan operation of an object the target holds that
// orgsync neither created nor reads from the source, when the run's input
// says {"unmatched":"report"}. Such items are closed as skipped at once
// and never applied: they are a report, and the object is left alone.
// Otherwise a reconcile plans their deletes (see Plan).
const OpUnknown = "unknown"

// unknownSeq spaces the unknown items of a kind after its planned items.
const unknownSeq = plan.SeqBase / 2

// ReconcileRequested reports whether the run's input asks for a drift
// check ({"reconcile":true}, stored in runs.input by BeginRun) and, if so,
// whether objects the target holds under keys the source lacks are only
// reported ({"unmatched":"report"}) rather than deleted.
func (s *Store) ReconcileRequested(ctx context.Context, runID string) (on, reportOnly bool, err error) {
	err = s.Pool.QueryRow(ctx, `SELECT coalesce((input->>'reconcile')::boolean, false), coalesce(input->>'unmatched', '') = $2
		FROM runs WHERE run_id = $1`, runID, plan.UnmatchedReport).Scan(&on, &reportOnly)
	if err != nil {
		return false, false, fmt.Errorf("read the input of run %s: %w", runID, err)
	}
	return on, reportOnly, nil
}

// Mappings calls fn with the state of every mapping of kind: what orgsync
// last wrote to the target.
func (s *Store) Mappings(ctx context.Context, target, company string, kind model.Kind, fn func(model.Entity) error) error {
	rows, err := s.Pool.Query(ctx, `SELECT ext_key, state FROM mappings WHERE target = $1 AND company = $2 AND kind = $3`,
		target, company, string(kind))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var state []byte
		if err := rows.Scan(&key, &state); err != nil {
			return err
		}
		var e model.Entity
		if err := json.Unmarshal(state, &e); err != nil {
			return fmt.Errorf("mapping %s %s: %w", kind, key, err)
		}
		e.Kind, e.Key = kind, key
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// MarkDrift makes the SQL diff repair what was changed or removed by hand
// in the target: a changed object's mapping gets an empty content hash,
// so the diff plans an update (PUT sends the whole body back); a removed
// object's mapping is dropped, so the diff plans a create when the source
// still has it (and nothing when it does not: the object is gone anyway).
func (s *Store) MarkDrift(ctx context.Context, target, company string, kind model.Kind, changed, removed []string) error {
	if len(changed) > 0 {
		if _, err := s.Pool.Exec(ctx, `
			UPDATE mappings SET content_hash = '\x'::bytea, updated_at = now()
			WHERE target = $1 AND company = $2 AND kind = $3 AND ext_key = ANY($4)`,
			target, company, string(kind), changed); err != nil {
			return fmt.Errorf("mark changed %s mappings: %w", kind, err)
		}
	}
	if len(removed) > 0 {
		if _, err := s.Pool.Exec(ctx, `
			DELETE FROM mappings WHERE target = $1 AND company = $2 AND kind = $3 AND ext_key = ANY($4)`,
			target, company, string(kind), removed); err != nil {
			return fmt.Errorf("drop removed %s mappings: %w", kind, err)
		}
	}
	return nil
}

// InSnapshot returns those of keys that the run's snapshot of kind holds
// (valid or not): objects the source knows, which the diff adopts.
func (s *Store) InSnapshot(ctx context.Context, runID string, kind model.Kind, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := s.Pool.Query(ctx, `SELECT DISTINCT ext_key FROM snapshot WHERE run_id = $1 AND kind = $2 AND ext_key = ANY($3)`,
		runID, string(kind), keys)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out[k] = true
	}
	return out, rows.Err()
}

// AddUnknown records objects of kind found in the target that orgsync
// does not know, as plan items closed as skipped with the reason; call it
// after Plan (which replaces the kind's items). It returns how many.
func (s *Store) AddUnknown(ctx context.Context, runID string, kind model.Kind, objs []model.Entity, where string) (int, error) {
	if len(objs) == 0 {
		return 0, nil
	}
	where = strings.ToUpper(where)
	base := kindIndex(kind)*plan.SeqBase + unknownSeq
	if _, err := s.Pool.Exec(ctx, `DELETE FROM plan_items WHERE run_id = $1 AND kind = $2 AND op = $3`,
		runID, string(kind), OpUnknown); err != nil {
		return 0, err
	}
	seqs := make([]int32, len(objs))
	keys := make([]string, len(objs))
	payloads := make([]string, len(objs))
	msgs := make([]string, len(objs))
	for i, e := range objs {
		b, err := json.Marshal(e)
		if err != nil {
			return 0, err
		}
		seqs[i], keys[i], payloads[i] = int32(base+i+1), e.Key, string(b)
		msgs[i] = fmt.Sprintf("%s holds %s %s (%q) that orgsync did not create and the source does not have; "+
			"left as it is: delete it in %s or add it to the source", where, kind, e.Key, e.Name, where)
	}
	_, err := s.Pool.Exec(ctx, `
		INSERT INTO plan_items (run_id, seq, kind, wave, op, ext_key, payload, status, error_code, error_message)
		SELECT $1, v.seq, $2, 0, $3, v.key, v.payload::jsonb, 'skipped', 'unknown', v.msg
		FROM unnest($4::int[], $5::text[], $6::text[], $7::text[]) AS v(seq, key, payload, msg)`,
		runID, string(kind), OpUnknown, seqs, keys, payloads, msgs)
	if err != nil {
		return 0, fmt.Errorf("record unknown %s objects: %w", kind, err)
	}
	return len(objs), nil
}
