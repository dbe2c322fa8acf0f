package store

import (
	"context"
	"fmt"

	"github.com/orgsync/orgsync/internal/model"
)

// CheckSnapshot applies the rules that need more than one record: duplicate
// keys, the department tree (missing parents, cycles, depth) and employee
// references and e-mails. A failing record is marked, never dropped: it is
// reported, and its key is not deleted from the target.
func (s *Store) CheckSnapshot(ctx context.Context, runID, target, company string, kind model.Kind) error {
	if _, err := s.Pool.Exec(ctx, `
		UPDATE snapshot s SET field = 'key', error = format('duplicate key: %s records in the source have it', d.n)
		FROM (SELECT ext_key, count(*) AS n FROM snapshot WHERE run_id = $1 AND kind = $2
		      GROUP BY ext_key HAVING count(*) > 1) d
		WHERE s.run_id = $1 AND s.kind = $2 AND s.ext_key = d.ext_key AND s.error IS NULL`, runID, string(kind)); err != nil {
		return fmt.Errorf("check duplicate keys: %w", err)
	}
	switch kind {
	case model.Department:
		return s.checkTree(ctx, runID)
	case model.Employee:
		return s.checkEmployees(ctx, runID, target, company)
	}
	return nil
}

// checkEmployees marks employees whose e-mail is shared or whose
// department, grade or position is not there to refer to.
func (s *Store) checkEmployees(ctx context.Context, runID, target, company string) error {
	if _, err := s.Pool.Exec(ctx, `
		UPDATE snapshot s SET field = 'email', error = format('e-mail %s is used by %s employees in the source', s.payload->>'email', d.n)
		FROM (SELECT lower(payload->>'email') AS email, count(*) AS n FROM snapshot
		      WHERE run_id = $1 AND kind = 'employee' AND payload->>'email' <> ''
		      GROUP BY 1 HAVING count(*) > 1) d
		WHERE s.run_id = $1 AND s.kind = 'employee' AND lower(s.payload->>'email') = d.email AND s.error IS NULL`, runID); err != nil {
		return fmt.Errorf("check e-mails: %w", err)
	}
	for _, ref := range []struct {
		field string
		kind  model.Kind
	}{{"deptKey", model.Department}, {"gradeKey", model.Grade}, {"positionKey", model.Position}} {
		loaded, err := s.Loaded(ctx, runID, ref.kind)
		if err != nil {
			return err
		}
		// A reference is good when this run read the referenced kind and
		// found the record valid; when the run did not read that kind (a
		// run limited to some stages), when the target already holds it.
		exists := `EXISTS (SELECT 1 FROM snapshot r WHERE r.run_id = $1 AND r.kind = $3 AND r.ext_key = e.payload->>$2 AND r.error IS NULL)`
		args := []any{runID, ref.field, string(ref.kind)}
		if !loaded {
			exists = `EXISTS (SELECT 1 FROM mappings m WHERE m.target = $4 AND m.company = $5 AND m.kind = $3 AND m.ext_key = e.payload->>$2)`
			args = append(args, target, company)
		}
		_, err = s.Pool.Exec(ctx, `
			UPDATE snapshot e SET field = $2,
				error = format('refers to %s %s, which is missing from the source or invalid', $3::text, e.payload->>$2)
			WHERE e.run_id = $1 AND e.kind = 'employee' AND e.error IS NULL
			  AND coalesce(e.payload->>$2, '') <> '' AND NOT `+exists, args...)
		if err != nil {
			return fmt.Errorf("check %s references: %w", ref.field, err)
		}
	}
	return nil
}

// checkTree walks the department tree in memory (a company has thousands
// of departments, not millions): it finds missing parents and cycles,
// marks every descendant of a bad department, and records each depth.
func (s *Store) checkTree(ctx context.Context, runID string) error {
	rows, err := s.Pool.Query(ctx, `
		SELECT ext_key, payload->>'parentKey', coalesce(error, '') FROM snapshot
		WHERE run_id = $1 AND kind = 'department'`, runID)
	if err != nil {
		return err
	}
	nodes := map[string]*deptNode{}
	var order []string
	for rows.Next() {
		var key, parent, bad string
		if err := rows.Scan(&key, &parent, &bad); err != nil {
			return err
		}
		if _, dup := nodes[key]; dup {
			continue // already marked as a duplicate key
		}
		nodes[key] = &deptNode{parent: parent, bad: bad != "", depth: -1}
		order = append(order, key)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var keys, reasons, fields []string
	var depths []int32
	for _, key := range order {
		depth, reason := resolve(nodes, key)
		keys = append(keys, key)
		depths = append(depths, int32(depth))
		reasons = append(reasons, reason)
		field := ""
		if reason != "" {
			field = "parentKey"
		}
		fields = append(fields, field)
	}
	_, err = s.Pool.Exec(ctx, `
		UPDATE snapshot s SET depth = v.depth,
			error = coalesce(s.error, nullif(v.reason, '')),
			field = CASE WHEN s.error IS NULL AND v.reason <> '' THEN v.field ELSE s.field END
		FROM unnest($2::text[], $3::int[], $4::text[], $5::text[]) AS v(key, depth, reason, field)
		WHERE s.run_id = $1 AND s.kind = 'department' AND s.ext_key = v.key`, runID, keys, depths, reasons, fields)
	return err
}

type deptNode struct {
	parent string
	bad    bool   // failed its own validation
	depth  int    // -1 unresolved, -2 on the current path
	reason string // why it cannot be written (its own or inherited)
}

// resolve returns the depth of key (0 for a top department) and, when it
// or an ancestor cannot be written, the reason. Iterative, so a deep or
// cyclic tree cannot blow the stack.
func resolve(nodes map[string]*deptNode, key string) (int, string) {
	var path []string
	cur := key
	for {
		n := nodes[cur]
		if n.depth >= 0 {
			break
		}
		if n.depth == -2 {
			// A cycle: every node on it from cur onwards is in the loop.
			for _, k := range path {
				nodes[k].depth = 0
				nodes[k].reason = "department cycle through " + cur
			}
			return nodes[key].depth, nodes[key].reason
		}
		n.depth = -2
		path = append(path, cur)
		if n.parent == model.TopParent {
			n.depth = 0
			path = path[:len(path)-1]
			break
		}
		p, ok := nodes[n.parent]
		if !ok {
			n.depth = 0
			n.reason = "parent department " + n.parent + " is missing from the source"
			path = path[:len(path)-1]
			break
		}
		cur = n.parent
		_ = p
	}
	// Unwind: each node on the path is one deeper than its parent and
	// inherits its parent's reason.
	for i := len(path) - 1; i >= 0; i-- {
		n := nodes[path[i]]
		p := nodes[n.parent]
		n.depth = p.depth + 1
		switch {
		case p.reason != "":
			n.reason = "parent department " + n.parent + " cannot be synced (" + p.reason + ")"
		case p.bad:
			n.reason = "parent department " + n.parent + " is invalid in the source"
		}
	}
	return nodes[key].depth, nodes[key].reason
}
