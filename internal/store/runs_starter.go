package store

// Queries of the operator CLI (`starter`): find a run by id or the latest
// of a company, and load an administrator's External Key sheet into the
// mappings table.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orgsync/orgsync/internal/model"
)

// RunInfo is a run as `starter status` shows it.
type RunInfo struct {
	RunID      string     `json:"runId"`
	WorkflowID string     `json:"workflowId"`
	Target     string     `json:"target"`
	Company    string     `json:"company"`
	Status     string     `json:"status"`
	Stage      string     `json:"stage"`
	StartedAt  time.Time  `json:"startedAt"`
	FinishedAt *time.Time `json:"finishedAt,omitempty"`
}

// FindRun returns the run with run id (or workflow id) id; with id empty,
// the newest run of target/company.
func (s *Store) FindRun(ctx context.Context, id, target, company string) (RunInfo, error) {
	var r RunInfo
	q := `SELECT run_id, workflow_id, target, company, status, stage, started_at, finished_at FROM runs `
	var row pgx.Row
	if id == "" {
		row = s.Pool.QueryRow(ctx, q+`WHERE target = $1 AND company = $2 ORDER BY started_at DESC LIMIT 1`, target, company)
	} else {
		row = s.Pool.QueryRow(ctx, q+`WHERE run_id = $1 OR workflow_id = $1 ORDER BY started_at DESC LIMIT 1`, id)
	}
	err := row.Scan(&r.RunID, &r.WorkflowID, &r.Target, &r.Company, &r.Status, &r.Stage, &r.StartedAt, &r.FinishedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		if id == "" {
			return r, fmt.Errorf("no run of %s company %s is recorded yet", target, company)
		}
		return r, fmt.Errorf("no run with id %q", id)
	}
	return r, err
}

// ImportedHash is the content hash of a mapping loaded from the External
// Key sheet. It is not a SHA-256 (those are 32 bytes), so it never equals
// a source record's hash: the next sync plans an update of every imported
// key, which writes the source's whole record over what the target holds,
// and never a create of a key the target already has.
var ImportedHash = []byte("imported")

// Mapping is one row to import.
type Mapping struct {
	Kind  model.Kind
	State model.Entity // what the target is assumed to hold (key, name, parent)
}

// ImportMappings inserts rows into the mappings of target/company in one
// transaction. A key orgsync already maps is left as it is (its state is
// what orgsync last wrote, which is better than the sheet's); the counts
// of inserted and kept rows are returned.
func (s *Store) ImportMappings(ctx context.Context, target, company string, rows []Mapping) (inserted, kept int, err error) {
	tx, err := s.Pool.Begin(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback(ctx)
	for _, m := range rows {
		state, err := json.Marshal(m.State)
		if err != nil {
			return 0, 0, err
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO mappings (target, company, kind, ext_key, content_hash, state)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (target, company, kind, ext_key) DO NOTHING`,
			target, company, string(m.Kind), m.State.Key, ImportedHash, state)
		if err != nil {
			return 0, 0, fmt.Errorf("import %s %s: %w", m.Kind, m.State.Key, err)
		}
		if tag.RowsAffected() == 1 {
			inserted++
		} else {
			kept++
		}
	}
	return inserted, kept, tx.Commit(ctx)
}

// CountMappings counts the mappings of target/company by kind.
func (s *Store) CountMappings(ctx context.Context, target, company string) (map[model.Kind]int, error) {
	rows, err := s.Pool.Query(ctx, `SELECT kind, count(*) FROM mappings WHERE target = $1 AND company = $2 GROUP BY kind`, target, company)
	if err != nil {
		return nil, err
	}
	out := map[model.Kind]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[model.Kind(k)] = n
	}
	return out, rows.Err()
}
