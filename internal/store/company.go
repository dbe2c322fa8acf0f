package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// RunCompany is the target and company a run was begun for: every
// activity of the run checks it against the company its worker serves.
func (s *Store) RunCompany(ctx context.Context, runID string) (target, company string, err error) {
	err = s.Pool.QueryRow(ctx, `SELECT target, company FROM runs WHERE run_id = $1`, runID).Scan(&target, &company)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", fmt.Errorf("no run with id %q", runID)
	}
	return target, company, err
}
