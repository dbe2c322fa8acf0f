package store

import (
	"context"
	"encoding/json"
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
	// PreExact says PreImage is what the target held, not a guess: read
	// from the target or orgsync's own last full write.
	PreExact bool
	// Effect is what applying the item did (plan.Effect*); the write
	// sets it and Applied records it with the pre-image.
	Effect   string
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

// ItemRef names one plan item.
type ItemRef struct {
	RunID string
	Seq   int
}

// GetItem reads one plan item and, in the same query, the first record it
// refers to that the target lacks. Concurrent calls share one statement
// (see group).
func (s *Store) GetItem(ctx context.Context, runID string, seq int) (Item, error) {
	r, err := s.reads.do(ctx, ItemRef{runID, seq})
	if err != nil {
		return Item{}, err
	}
	if r.RunID == "" {
		return r, noItem(ItemRef{runID, seq})
	}
	return r, nil
}

// GetItems reads the plan items refs in one statement, in order; an item
// that does not exist is an error.
func (s *Store) GetItems(ctx context.Context, refs []ItemRef) ([]Item, error) {
	items, err := s.getItems(ctx, refs)
	if err != nil {
		return nil, err
	}
	for i, it := range items {
		if it.RunID == "" {
			return nil, noItem(refs[i])
		}
	}
	return items, nil
}

func noItem(r ItemRef) error { return fmt.Errorf("run %s has no plan item %d", r.RunID, r.Seq) }

// getItems returns one Item per ref, in order, with RunID "" where there is
// no such item.
func (s *Store) getItems(ctx context.Context, refs []ItemRef) ([]Item, error) {
	runs, seqs := make([]string, len(refs)), make([]int32, len(refs))
	for i, r := range refs {
		runs[i], seqs[i] = r.RunID, int32(r.Seq)
	}
	// Planned afresh each time (QueryExecModeExec): a plan cached while a
	// first sync's mappings table was still small kept scanning it whole
	// (4 seq scans per item at 78,000 mappings, with autovacuum off).
	rows, err := s.Pool.Query(ctx, `
		SELECT q.ord, p.run_id, p.seq, p.kind, p.op, p.ext_key, p.payload, p.pre_image, p.status, p.attempts, r.target, r.company,
			coalesce(p.effect, ''), p.pre_exact,
			-- The first model.Refs field naming a record the target lacks.
			-- Each test is a lookup on the whole primary key, so it stays
			-- an index probe even when the statistics still describe an
			-- empty mappings table (a first sync fills it while it runs).
			-- SELECT EXISTS, not a bare NOT EXISTS, which the planner turns
			-- into an anti join scanning the company's mappings per item
			-- (measured: 13.6 s instead of 3 ms for 200 items at 80,000).
			(SELECT f.field || ' ' || (p.payload->>f.field)
			 FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS f(kind, field, to_kind, ord)
			 WHERE f.kind = p.kind AND coalesce(p.payload->>f.field, '') NOT IN ('', $6)
			   AND NOT (SELECT EXISTS (SELECT 1 FROM mappings m WHERE m.target = r.target AND m.company = r.company
			                                                      AND m.kind = f.to_kind AND m.ext_key = p.payload->>f.field))
			 ORDER BY f.ord LIMIT 1)
		FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS q(run_id, seq, ord)
		JOIN plan_items p ON p.run_id = q.run_id AND p.seq = q.seq
		JOIN runs r ON r.run_id = p.run_id`, pgx.QueryExecModeExec, runs, seqs, refFrom, refField, refTo, model.TopParent)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]Item, len(refs))
	for rows.Next() {
		var it Item
		var ord int
		var payload, pre []byte
		var missing *string
		if err := rows.Scan(&ord, &it.RunID, &it.Seq, &it.Kind, &it.Op, &it.Key, &payload, &pre, &it.Status, &it.Attempts,
			&it.Target, &it.Company, &it.Effect, &it.PreExact, &missing); err != nil {
			return nil, err
		}
		if missing != nil {
			it.MissingField, it.MissingKey, _ = strings.Cut(*missing, " ")
		}
		if payload != nil {
			if err := json.Unmarshal(payload, &it.Entity); err != nil {
				return nil, fmt.Errorf("run %s plan item %d: payload: %w", it.RunID, it.Seq, err)
			}
			it.Entity.Kind = it.Kind
		}
		if pre != nil {
			var e model.Entity
			if err := json.Unmarshal(pre, &e); err != nil {
				return nil, fmt.Errorf("run %s plan item %d: pre-image: %w", it.RunID, it.Seq, err)
			}
			e.Kind = it.Kind
			it.PreImage = &e
		}
		out[ord-1] = it
	}
	return out, rows.Err()
}

// refFrom, refField and refTo are model.Refs as query parameters.
var refFrom, refField, refTo = func() (from, field, to []string) {
	for _, r := range model.Refs {
		from, field, to = append(from, string(r.From)), append(field, r.Field), append(to, string(r.To))
	}
	return
}()

// Applied records that the target now holds what the item asked for: the
// mapping follows the item and the item is closed, in one statement (so
// one transaction). A crash before it commits leaves the item pending;
// applying it again is safe because creates turn into updates and deletes
// of missing keys pass. Concurrent calls share one statement (see group).
func (s *Store) Applied(ctx context.Context, it Item, status string) error {
	_, err := s.writes.do(ctx, Outcome{it, status})
	return err
}

// AppliedAll is Applied for many items at once, in one statement.
func (s *Store) AppliedAll(ctx context.Context, os []Outcome) error {
	_, err := s.applied(ctx, os)
	return err
}

// Outcome is an applied item and the status it closes with.
type Outcome struct {
	Item   Item
	Status string
}

// applied records outcomes in one statement. Mappings are written in key
// order, so that two statements never wait for each other's rows in
// opposite orders, and once per key (the last outcome wins) should a
// retried item appear twice.
func (s *Store) applied(ctx context.Context, os []Outcome) ([]struct{}, error) {
	n := len(os)
	runs, seqs, statuses := make([]string, n), make([]int32, n), make([]string, n)
	targets, companies, kinds, keys := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	hashes, states, removes := make([][]byte, n), make([]string, n), make([]bool, n)
	effects, pres, exacts := make([]string, n), make([]*string, n), make([]bool, n)
	for i, o := range os {
		it := o.Item
		runs[i], seqs[i], statuses[i] = it.RunID, int32(it.Seq), o.Status
		targets[i], companies[i], kinds[i], keys[i] = it.Target, it.Company, string(it.Kind), it.Key
		effects[i], exacts[i] = it.Effect, it.PreExact
		if it.PreImage != nil {
			b, err := json.Marshal(it.PreImage)
			if err != nil {
				return nil, err
			}
			pres[i] = new(string(b))
		}
		removes[i] = removesMapping(it, o.Status)
		states[i], hashes[i] = "null", []byte{}
		if removes[i] {
			continue
		}
		e := it.Entity
		if o.Status == plan.StatusUndone {
			e = *it.PreImage
		}
		state, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		states[i], hashes[i] = string(state), e.Hash()
	}
	_, err := s.Pool.Exec(ctx, `
		WITH i AS (
			SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bytea[], $9::text[], $10::bool[],
					$11::text[], $12::text[], $13::bool[])
				WITH ORDINALITY AS i(run_id, seq, status, target, company, kind, ext_key, hash, state, remove, effect, pre, exact, ord)
		), gone AS (
			DELETE FROM mappings m USING i
			WHERE i.remove AND m.target = i.target AND m.company = i.company AND m.kind = i.kind AND m.ext_key = i.ext_key
		), kept AS (
			INSERT INTO mappings (target, company, kind, ext_key, content_hash, state)
			SELECT DISTINCT ON (target, company, kind, ext_key) target, company, kind, ext_key, hash, state::jsonb
			FROM i WHERE NOT remove ORDER BY target, company, kind, ext_key, ord DESC
			ON CONFLICT (target, company, kind, ext_key)
			DO UPDATE SET content_hash = excluded.content_hash, state = excluded.state, updated_at = now()
		)
		UPDATE plan_items p SET status = i.status, attempts = p.attempts + 1, applied_at = now(), updated_at = now(),
			error_code = NULL, error_message = NULL,
			effect = CASE WHEN i.status = 'applied' THEN nullif(i.effect, '') ELSE p.effect END,
			pre_image = CASE WHEN i.status = 'applied' THEN i.pre::jsonb ELSE p.pre_image END,
			pre_exact = CASE WHEN i.status = 'applied' THEN i.exact ELSE p.pre_exact END
		FROM i WHERE p.run_id = i.run_id AND p.seq = i.seq`,
		runs, seqs, statuses, targets, companies, kinds, keys, hashes, states, removes, effects, pres, exacts)
	if err != nil {
		return nil, err
	}
	return make([]struct{}, n), nil
}

// removesMapping tells whether recording status for it drops its
// mapping: a delete that applied, or the undo of an item that was not in
// the target's mapping before the run (created, adopted, or a create of
// an item removed by hand).
func removesMapping(it Item, status string) bool {
	switch status {
	case plan.StatusApplied:
		return it.Op == plan.OpDelete
	case plan.StatusUndone:
		return it.Effect == plan.EffectCreated || it.Effect == plan.EffectAdopted
	}
	return false
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
