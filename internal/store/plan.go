package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
)

// Plan diffs the run's snapshot of kind against the mappings, in one SQL
// statement, and writes the plan items: creates and updates (departments
// parents first, by the depth CheckSnapshot recorded), deletes
// (departments leaves first, by their depth in the target's tree) and the
// invalid records. A key present in the source, even invalid, is never deleted.
// Planning again replaces the kind's items, so a retried activity is safe.
// unmatched are objects the target holds that neither a mapping nor the
// source names (a full reconcile): the diff treats them as mappings, so it
// plans their deletes with their pre-images, in tree order.
func (s *Store) Plan(ctx context.Context, runID, target, company string, kind model.Kind, unmatched ...model.Entity) (plan.Stage, error) {
	st := plan.Stage{Kind: kind}
	base := kindIndex(kind) * plan.SeqBase
	keys, hashes, states := make([]string, len(unmatched)), make([][]byte, len(unmatched)), make([]string, len(unmatched))
	for i, e := range unmatched {
		b, err := json.Marshal(e)
		if err != nil {
			return st, err
		}
		keys[i], hashes[i], states[i] = e.Key, e.Hash(), string(b)
	}
	tx, err := s.Pool.Begin(ctx)
	if err != nil {
		return st, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `DELETE FROM plan_items WHERE run_id = $1 AND kind = $2`, runID, string(kind)); err != nil {
		return st, err
	}
	treeKeys, treeDepths, err := mappedDepths(ctx, tx, target, company, kind, unmatched)
	if err != nil {
		return st, err
	}
	_, err = tx.Exec(ctx, `
		WITH
		snap AS NOT MATERIALIZED (SELECT * FROM snapshot WHERE run_id = $1 AND kind = $2),
		m AS NOT MATERIALIZED (
			SELECT ext_key, content_hash, state FROM mappings WHERE target = $3 AND company = $4 AND kind = $2
			UNION ALL
			SELECT u.ext_key, u.hash, u.state::jsonb FROM unnest($6::text[], $7::bytea[], $8::text[]) AS u(ext_key, hash, state)),
		tree AS (SELECT * FROM unnest($9::text[], $10::int[]) AS t(ext_key, depth)),
		items AS (
			SELECT 'create' AS op, s.ext_key, s.payload, s.content_hash, NULL::jsonb AS pre, NULL::bytea AS pre_hash,
			       s.depth AS wave, NULL AS field, NULL AS error
			FROM snap s WHERE s.error IS NULL AND NOT EXISTS (SELECT 1 FROM m WHERE m.ext_key = s.ext_key)
			UNION ALL
			SELECT 'update', s.ext_key, s.payload, s.content_hash, m.state, m.content_hash, s.depth, NULL, NULL
			FROM snap s JOIN m ON m.ext_key = s.ext_key WHERE s.error IS NULL AND s.content_hash <> m.content_hash
			UNION ALL
			SELECT 'delete', m.ext_key, NULL, NULL, m.state, m.content_hash, -coalesce(t.depth, 0), NULL, NULL
			FROM m LEFT JOIN tree t ON t.ext_key = m.ext_key WHERE NOT EXISTS (SELECT 1 FROM snap s WHERE s.ext_key = m.ext_key)
			UNION ALL
			SELECT 'invalid', s.ext_key, s.payload, s.content_hash, NULL, NULL, 0, s.field, s.error
			FROM snap s WHERE s.error IS NOT NULL
		)
		INSERT INTO plan_items (run_id, seq, kind, wave, op, ext_key, payload, content_hash, pre_image, pre_hash,
		                        status, field, error_message, error_code, pre_exact)
		SELECT $1, $5 + row_number() OVER (ORDER BY op = 'invalid', op = 'delete', wave, op, ext_key), $2, wave, op, ext_key,
		       payload, content_hash, pre, pre_hash,
		       CASE WHEN op = 'invalid' THEN 'failed' ELSE 'pending' END, field, error,
		       CASE WHEN op = 'invalid' THEN 'invalid' END,
		       -- The mapping is what the target holds when orgsync wrote it
		       -- in full; not when it came from the key sheet or a drift
		       -- check found the target changed (their hashes are markers).
		       pre IS NOT NULL AND pre_hash NOT IN ('\x'::bytea, 'imported'::bytea)
		FROM items`, runID, string(kind), target, company, base, keys, hashes, states, treeKeys, treeDepths)
	if err != nil {
		return st, fmt.Errorf("diff %s: %w", kind, err)
	}
	err = tx.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM mappings WHERE target = $3 AND company = $4 AND kind = $2),
		       (SELECT count(*) FROM snapshot s JOIN mappings m ON m.target = $3 AND m.company = $4 AND m.kind = $2
		          AND m.ext_key = s.ext_key AND m.content_hash = s.content_hash
		        WHERE s.run_id = $1 AND s.kind = $2 AND s.error IS NULL)`,
		runID, string(kind), target, company).Scan(&st.Current, &st.Unchanged)
	if err != nil {
		return st, err
	}
	rows, err := tx.Query(ctx, `
		SELECT op, wave, min(seq), max(seq), count(*) FROM plan_items
		WHERE run_id = $1 AND kind = $2 GROUP BY op, wave ORDER BY min(seq)`, runID, string(kind))
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var op string
		var r plan.Range
		var n int
		if err := rows.Scan(&op, &r.Wave, &r.Lo, &r.Hi, &n); err != nil {
			return st, err
		}
		r.Kind = kind
		switch op {
		case plan.OpCreate:
			st.Creates += n
		case plan.OpUpdate:
			st.Updates += n
		case plan.OpDelete:
			st.Deletes += n
		case plan.OpInvalid:
			st.Invalid += n
			continue
		}
		r.Delete = op == plan.OpDelete
		st.Upserts, st.Removals = appendRange(st.Upserts, st.Removals, r)
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	return st, tx.Commit(ctx)
}

// appendRange merges a create range and an update range of the same wave
// (adjacent in seq order) into one.
func appendRange(up, rm []plan.Range, r plan.Range) ([]plan.Range, []plan.Range) {
	list := &up
	if r.Delete {
		list = &rm
	}
	if n := len(*list); n > 0 && (*list)[n-1].Wave == r.Wave && (*list)[n-1].Hi+1 == r.Lo {
		(*list)[n-1].Hi = r.Hi
		return up, rm
	}
	*list = append(*list, r)
	return up, rm
}

func kindIndex(k model.Kind) int {
	for i, x := range model.Kinds {
		if x == k {
			return i + 1
		}
	}
	return 9
}

// mappedDepths is the depth of each department the target holds (the
// mappings and unmatched), for deleting leaves first; other kinds have no
// tree.
func mappedDepths(ctx context.Context, tx pgx.Tx, target, company string, kind model.Kind, unmatched []model.Entity) ([]string, []int32, error) {
	if kind != model.Department {
		return nil, nil, nil
	}
	rows, err := tx.Query(ctx, `
		SELECT ext_key, coalesce(state->>'parentKey', '') FROM mappings
		WHERE target = $1 AND company = $2 AND kind = 'department'`, target, company)
	if err != nil {
		return nil, nil, err
	}
	var t model.Tree
	for rows.Next() {
		var key, parent string
		if err := rows.Scan(&key, &parent); err != nil {
			return nil, nil, err
		}
		t.Add(key, parent, false)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	for _, e := range unmatched {
		t.Add(e.Key, e.ParentKey, false)
	}
	keys := t.Keys()
	depths := make([]int32, len(keys))
	for i, k := range keys {
		depths[i] = int32(t.Depth(k))
	}
	return keys, depths, nil
}
