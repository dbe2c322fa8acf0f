package store

import (
	"context"
	"fmt"

	"github.com/orgsync/orgsync/internal/model"
)

// CheckSnapshot applies the rules that need more than one record: duplicate
// keys, the department tree (model.Tree: missing parents, cycles, depth),
// employee e-mails and references to other kinds (model.Refs). A failing record is marked, never dropped: it is
// reported, and its key is not deleted from the target.
func (s *Store) CheckSnapshot(ctx context.Context, runID, target, company string, kind model.Kind) error {
	if _, err := s.Pool.Exec(ctx, `
		UPDATE snapshot s SET field = 'key', error = format('duplicate key: %s records in the source have it', d.n)
		FROM (SELECT ext_key, count(*) AS n FROM snapshot WHERE run_id = $1 AND kind = $2
		      GROUP BY ext_key HAVING count(*) > 1) d
		WHERE s.run_id = $1 AND s.kind = $2 AND s.ext_key = d.ext_key AND s.error IS NULL`, runID, string(kind)); err != nil {
		return fmt.Errorf("check duplicate keys: %w", err)
	}
	if kind == model.Department {
		if err := s.checkTree(ctx, runID); err != nil {
			return err
		}
	}
	if kind == model.Employee {
		if err := s.checkEmails(ctx, runID); err != nil {
			return err
		}
	}
	return s.checkRefs(ctx, runID, target, company, kind)
}

// checkEmails marks employees whose e-mail is shared.
func (s *Store) checkEmails(ctx context.Context, runID string) error {
	if _, err := s.Pool.Exec(ctx, `
		UPDATE snapshot s SET field = 'email', error = format('e-mail %s is used by %s employees in the source', s.payload->>'email', d.n)
		FROM (SELECT lower(payload->>'email') AS email, count(*) AS n FROM snapshot
		      WHERE run_id = $1 AND kind = 'employee' AND payload->>'email' <> ''
		      GROUP BY 1 HAVING count(*) > 1) d
		WHERE s.run_id = $1 AND s.kind = 'employee' AND lower(s.payload->>'email') = d.email AND s.error IS NULL`, runID); err != nil {
		return fmt.Errorf("check e-mails: %w", err)
	}
	return nil
}

// checkRefs marks records of kind whose reference to another kind names a
// record that is not there to refer to.
func (s *Store) checkRefs(ctx context.Context, runID, target, company string, kind model.Kind) error {
	for _, ref := range model.Refs {
		if ref.From != kind || ref.To == kind {
			continue // a reference within the kind is the tree's
		}
		loaded, err := s.Loaded(ctx, runID, ref.To)
		if err != nil {
			return err
		}
		// A reference is good when this run read the referenced kind and
		// found the record valid; when the run did not read that kind (a
		// run limited to some stages), when the target already holds it.
		exists := `EXISTS (SELECT 1 FROM snapshot r WHERE r.run_id = $1 AND r.kind = $3 AND r.ext_key = e.payload->>$2 AND r.error IS NULL)`
		args := []any{runID, ref.Field, string(ref.To), string(kind)}
		if !loaded {
			exists = `EXISTS (SELECT 1 FROM mappings m WHERE m.target = $5 AND m.company = $6 AND m.kind = $3 AND m.ext_key = e.payload->>$2)`
			args = append(args, target, company)
		}
		_, err = s.Pool.Exec(ctx, `
			UPDATE snapshot e SET field = $2,
				error = format('refers to %s %s, which is missing from the source or invalid', $3::text, e.payload->>$2)
			WHERE e.run_id = $1 AND e.kind = $4 AND e.error IS NULL
			  AND coalesce(e.payload->>$2, '') <> '' AND NOT `+exists, args...)
		if err != nil {
			return fmt.Errorf("check %s references: %w", ref.Field, err)
		}
	}
	return nil
}

// checkTree records each department's depth and marks the ones whose
// place in the tree keeps them from being written (model.Tree.Reason).
func (s *Store) checkTree(ctx context.Context, runID string) error {
	rows, err := s.Pool.Query(ctx, `
		SELECT ext_key, coalesce(payload->>'parentKey', ''), error IS NOT NULL FROM snapshot
		WHERE run_id = $1 AND kind = 'department'`, runID)
	if err != nil {
		return err
	}
	var t model.Tree
	for rows.Next() {
		var key, parent string
		var bad bool
		if err := rows.Scan(&key, &parent, &bad); err != nil {
			return err
		}
		t.Add(key, parent, bad)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	keys := t.Keys()
	depths, reasons := make([]int32, len(keys)), make([]string, len(keys))
	for i, key := range keys {
		depths[i], reasons[i] = int32(t.Depth(key)), t.Reason(key)
	}
	_, err = s.Pool.Exec(ctx, `
		UPDATE snapshot s SET depth = v.depth,
			error = coalesce(s.error, nullif(v.reason, '')),
			field = CASE WHEN s.error IS NULL AND v.reason <> '' THEN 'parentKey' ELSE s.field END
		FROM unnest($2::text[], $3::int[], $4::text[]) AS v(key, depth, reason)
		WHERE s.run_id = $1 AND s.kind = 'department' AND s.ext_key = v.key`, runID, keys, depths, reasons)
	return err
}
