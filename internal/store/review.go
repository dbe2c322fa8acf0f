package store

// Stored plans for review (`starter plan`, `plan show`, `apply`) and the
// organisation each run saw (org history: `starter org --as-of`, `diff`).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
)

// SaveOrgState keeps what the target holds of kind (the mappings) as the
// run plans it, replacing what an earlier attempt kept, and drops the
// states of the company's runs started more than keepDays ago (0: keep).
func (s *Store) SaveOrgState(ctx context.Context, runID, target, company string, kind model.Kind, keepDays int) error {
	tx, err := s.Pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `DELETE FROM org_states WHERE run_id = $1 AND kind = $2`, runID, string(kind)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO org_states (run_id, kind, ext_key, state)
		SELECT $1, kind, ext_key, state FROM mappings WHERE target = $2 AND company = $3 AND kind = $4`,
		runID, target, company, string(kind)); err != nil {
		return fmt.Errorf("keep the %s state of run %s: %w", kind, runID, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO org_state_kinds (run_id, kind) VALUES ($1, $2) ON CONFLICT DO NOTHING`, runID, string(kind)); err != nil {
		return err
	}
	if keepDays > 0 {
		if _, err := tx.Exec(ctx, `
			WITH old AS (SELECT run_id FROM runs WHERE target = $1 AND company = $2 AND started_at < now() - make_interval(days => $3)),
			gone AS (DELETE FROM org_states WHERE run_id IN (SELECT run_id FROM old))
			DELETE FROM org_state_kinds WHERE run_id IN (SELECT run_id FROM old)`, target, company, keepDays); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// OrgState is the organisation the target held when a run planned, per
// kind, in key order. A kind the run did not plan, or whose state
// retention dropped, is missing from Kinds.
type OrgState struct {
	Kinds    map[model.Kind]bool
	Entities map[model.Kind][]model.Entity
}

// GetOrgState reads what the run kept with SaveOrgState.
func (s *Store) GetOrgState(ctx context.Context, runID string) (OrgState, error) {
	st := OrgState{Kinds: map[model.Kind]bool{}, Entities: map[model.Kind][]model.Entity{}}
	rows, err := s.Pool.Query(ctx, `SELECT kind FROM org_state_kinds WHERE run_id = $1`, runID)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var k model.Kind
		if err := rows.Scan(&k); err != nil {
			return st, err
		}
		st.Kinds[k] = true
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	rows, err = s.Pool.Query(ctx, `SELECT kind, state FROM org_states WHERE run_id = $1 ORDER BY kind, ext_key`, runID)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var k model.Kind
		var b []byte
		if err := rows.Scan(&k, &b); err != nil {
			return st, err
		}
		var e model.Entity
		if err := json.Unmarshal(b, &e); err != nil {
			return st, fmt.Errorf("run %s: kept state of a %s: %w", runID, k, err)
		}
		e.Kind = k
		st.Entities[k] = append(st.Entities[k], e)
	}
	return st, rows.Err()
}

// ReviewItem is one plan item as a reviewer sees it.
type ReviewItem struct {
	Kind     model.Kind
	Seq      int
	Op       string
	Key      string
	Status   string
	Entity   *model.Entity // create, update, invalid
	PreImage *model.Entity // update, delete
	Field    string
	Code     string
	Message  string
}

// ReviewItems reads every plan item of a run in apply order.
func (s *Store) ReviewItems(ctx context.Context, runID string) ([]ReviewItem, error) {
	rows, err := s.Pool.Query(ctx, `
		SELECT kind, seq, op, ext_key, status, payload, pre_image, coalesce(field, ''), coalesce(error_code, ''), coalesce(error_message, '')
		FROM plan_items WHERE run_id = $1 ORDER BY seq`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ReviewItem
	for rows.Next() {
		var it ReviewItem
		var payload, pre []byte
		if err := rows.Scan(&it.Kind, &it.Seq, &it.Op, &it.Key, &it.Status, &payload, &pre, &it.Field, &it.Code, &it.Message); err != nil {
			return nil, err
		}
		if it.Entity, err = entityOf(it.Kind, payload); err != nil {
			return nil, fmt.Errorf("run %s plan item %d: payload: %w", runID, it.Seq, err)
		}
		if it.PreImage, err = entityOf(it.Kind, pre); err != nil {
			return nil, fmt.Errorf("run %s plan item %d: pre-image: %w", runID, it.Seq, err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

func entityOf(k model.Kind, b []byte) (*model.Entity, error) {
	if b == nil {
		return nil, nil
	}
	var e model.Entity
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, err
	}
	e.Kind = k
	return &e, nil
}

// digestItems is the canonical text of a run's plan items that a digest
// covers: what is written (kind, op, key, content hash) and what it
// expects to find (the pre-image's hash), in a fixed order.
const digestItems = `
	SELECT count(*)::int, sha256(convert_to(coalesce(string_agg(
		kind || ' ' || op || ' ' || ext_key || ' ' || encode(coalesce(content_hash, ''), 'hex') || ' ' || encode(coalesce(pre_hash, ''), 'hex'),
		E'\n' ORDER BY kind, ext_key, op), ''), 'UTF8'))
	FROM plan_items WHERE run_id = $1`

// PlanDigest returns the digest of a run's plan items and their number.
func (s *Store) PlanDigest(ctx context.Context, runID string) (digest []byte, items int, err error) {
	err = s.Pool.QueryRow(ctx, digestItems, runID).Scan(&items, &digest)
	return digest, items, err
}

// ReviewedPlan is a dry run's plan kept for review, and its sign-off.
type ReviewedPlan struct {
	RunID          string     `json:"runId"`
	Target         string     `json:"target"`
	Company        string     `json:"company"`
	Digest         []byte     `json:"digest"`
	Items          int        `json:"items"`
	StoredAt       time.Time  `json:"storedAt"`
	ApprovedBy     string     `json:"approvedBy,omitempty"`
	ApprovedAt     *time.Time `json:"approvedAt,omitempty"`
	ApprovedDigest []byte     `json:"approvedDigest,omitempty"`
	AppliedRun     string     `json:"appliedRun,omitempty"`
	AppliedAt      *time.Time `json:"appliedAt,omitempty"`
}

// StorePlan keeps the plan of dry run runID for review, with the digest of
// its items; storing it again changes nothing.
func (s *Store) StorePlan(ctx context.Context, runID string) (ReviewedPlan, error) {
	var status, target, company string
	err := s.Pool.QueryRow(ctx, `SELECT status, target, company FROM runs WHERE run_id = $1`, runID).Scan(&status, &target, &company)
	if errors.Is(err, pgx.ErrNoRows) {
		return ReviewedPlan{}, fmt.Errorf("no run with id %q", runID)
	}
	if err != nil {
		return ReviewedPlan{}, err
	}
	if status != plan.RunDryRun {
		return ReviewedPlan{}, fmt.Errorf("run %s is not a finished dry run (status %s): only a dry run's plan can be reviewed", runID, status)
	}
	digest, n, err := s.PlanDigest(ctx, runID)
	if err != nil {
		return ReviewedPlan{}, err
	}
	if _, err := s.Pool.Exec(ctx, `
		INSERT INTO reviewed_plans (run_id, target, company, digest, items) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (run_id) DO NOTHING`, runID, target, company, digest, n); err != nil {
		return ReviewedPlan{}, err
	}
	return s.GetReviewedPlan(ctx, runID)
}

// GetReviewedPlan reads a stored plan.
func (s *Store) GetReviewedPlan(ctx context.Context, runID string) (ReviewedPlan, error) {
	var p ReviewedPlan
	var by, applied *string
	err := s.Pool.QueryRow(ctx, `
		SELECT run_id, target, company, digest, items, stored_at, approved_by, approved_at, approved_digest, applied_run, applied_at
		FROM reviewed_plans WHERE run_id = $1`, runID).
		Scan(&p.RunID, &p.Target, &p.Company, &p.Digest, &p.Items, &p.StoredAt, &by, &p.ApprovedAt, &p.ApprovedDigest, &applied, &p.AppliedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, fmt.Errorf("no stored plan with id %q: store a dry run's plan with `starter plan`", runID)
	}
	if by != nil {
		p.ApprovedBy = *by
	}
	if applied != nil {
		p.AppliedRun = *applied
	}
	return p, err
}

// ApprovePlan records who signed the plan off, when, and the digest they saw.
func (s *Store) ApprovePlan(ctx context.Context, runID, by string, digest []byte) error {
	_, err := s.Pool.Exec(ctx, `UPDATE reviewed_plans SET approved_by = $2, approved_at = now(), approved_digest = $3 WHERE run_id = $1`,
		runID, by, digest)
	return err
}

// ApproveByInput records the sign-off of a run started with the plan id and
// approveDeletes in its input (the Temporal UI or CLI), unless a person
// signed it off already; a dry run's plan is stored first.
func (s *Store) ApproveByInput(ctx context.Context, planID, runID string) error {
	p, err := s.StorePlan(ctx, planID)
	if err != nil || p.ApprovedAt != nil {
		return err
	}
	return s.ApprovePlan(ctx, planID, "input of run "+runID, p.Digest)
}

// PlanApplied records the run that applied the stored plan.
func (s *Store) PlanApplied(ctx context.Context, planID, runID string) error {
	_, err := s.Pool.Exec(ctx, `UPDATE reviewed_plans SET applied_run = $2, applied_at = now() WHERE run_id = $1`, planID, runID)
	return err
}

// PlanDiff is one item in which a fresh plan differs from a reviewed one.
// It names keys, operations and field names, never values.
type PlanDiff struct {
	Kind     model.Kind `json:"kind"`
	Key      string     `json:"key"`
	Reviewed string     `json:"reviewed,omitempty"` // the reviewed item's op; "" when it had none
	Now      string     `json:"now,omitempty"`      // the fresh item's op; "" when there is none
	Fields   []string   `json:"fields,omitempty"`   // fields whose new values differ
	Target   bool       `json:"target,omitempty"`   // what the target holds changed since review
}

func (d PlanDiff) String() string {
	head := string(d.Kind) + " " + d.Key + ": "
	switch {
	case d.Reviewed == "":
		return head + d.Now + " is not in the reviewed plan"
	case d.Now == "":
		return head + "the reviewed " + d.Reviewed + " is no longer planned"
	case d.Reviewed != d.Now:
		return head + "reviewed " + d.Reviewed + ", now " + d.Now
	}
	var why []string
	if len(d.Fields) > 0 {
		why = append(why, "source changed in "+strings.Join(d.Fields, ", "))
	}
	if d.Target {
		why = append(why, "the target's record changed")
	}
	if len(why) == 0 {
		why = append(why, "content changed")
	}
	return head + d.Now + " differs: " + strings.Join(why, "; ")
}

// ComparePlans lists the items in which run fresh's plan of kind differs
// from run reviewed's, in stage and key order.
func (s *Store) ComparePlans(ctx context.Context, reviewed, fresh string, kind model.Kind) ([]PlanDiff, error) {
	rows, err := s.Pool.Query(ctx, `
		WITH r AS (SELECT * FROM plan_items WHERE run_id = $1 AND ($3 = '' OR kind = $3)),
		     f AS (SELECT * FROM plan_items WHERE run_id = $2 AND ($3 = '' OR kind = $3))
		SELECT coalesce(r.kind, f.kind) AS k, coalesce(r.ext_key, f.ext_key) AS key, coalesce(r.op, ''), coalesce(f.op, ''),
		       ARRAY(SELECT j FROM jsonb_object_keys(coalesce(r.payload, '{}') || coalesce(f.payload, '{}')) j
		             WHERE r.payload->j IS DISTINCT FROM f.payload->j ORDER BY j),
		       r.pre_hash IS DISTINCT FROM f.pre_hash
		FROM r FULL JOIN f ON r.kind = f.kind AND r.ext_key = f.ext_key
		WHERE r.op IS DISTINCT FROM f.op OR r.content_hash IS DISTINCT FROM f.content_hash OR r.pre_hash IS DISTINCT FROM f.pre_hash
		ORDER BY array_position(ARRAY['grade', 'position', 'department', 'employee'], coalesce(r.kind, f.kind)), key`,
		reviewed, fresh, string(kind))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PlanDiff
	for rows.Next() {
		var d PlanDiff
		if err := rows.Scan(&d.Kind, &d.Key, &d.Reviewed, &d.Now, &d.Fields, &d.Target); err != nil {
			return nil, err
		}
		if d.Reviewed == "" || d.Now == "" || d.Reviewed != d.Now {
			d.Fields, d.Target = nil, false
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// SkipUnreviewed closes the fresh plan's pending items that differ from
// the reviewed plan as skipped, so that only what was reviewed is applied;
// each names its difference.
func (s *Store) SkipUnreviewed(ctx context.Context, fresh, planID string, diffs []PlanDiff) error {
	kinds, keys, msgs := make([]string, 0, len(diffs)), make([]string, 0, len(diffs)), make([]string, 0, len(diffs))
	for _, d := range diffs {
		if d.Now == "" {
			continue
		}
		kinds, keys = append(kinds, string(d.Kind)), append(keys, d.Key)
		msgs = append(msgs, "not applied: differs from reviewed plan "+planID+": "+d.String())
	}
	_, err := s.Pool.Exec(ctx, `
		UPDATE plan_items p SET status = 'skipped', error_code = 'not-reviewed', error_message = d.msg, updated_at = now()
		FROM unnest($2::text[], $3::text[], $4::text[]) AS d(kind, ext_key, msg)
		WHERE p.run_id = $1 AND p.kind = d.kind AND p.ext_key = d.ext_key AND p.status = 'pending'`,
		fresh, kinds, keys, msgs)
	return err
}

// RunRequest is what a run's input asks about a stored plan.
type RunRequest struct {
	DryRun       bool     `json:"dryRun"`
	ApplyPlan    string   `json:"applyPlan"`
	OnlyReviewed bool     `json:"onlyReviewed"`
	Approve      bool     `json:"approveDeletes"`
	Stages       []string `json:"stages"`
}

// GetRunRequest reads the stored-plan fields of a run's input (stored in
// runs.input by BeginRun).
func (s *Store) GetRunRequest(ctx context.Context, runID string) (RunRequest, error) {
	var r RunRequest
	var b []byte
	if err := s.Pool.QueryRow(ctx, `SELECT input FROM runs WHERE run_id = $1`, runID).Scan(&b); err != nil {
		return r, fmt.Errorf("read the input of run %s: %w", runID, err)
	}
	return r, json.Unmarshal(b, &r)
}
