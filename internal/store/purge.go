package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Purged counts what Purge removed (or, in a dry run, would remove).
type Purged struct {
	Runs         int64 `json:"runs"`         // runs whose records were removed
	Items        int64 `json:"items"`        // plan items cleared of payload, pre-image and message
	SnapshotRows int64 `json:"snapshotRows"` // source rows deleted
}

// expired selects the runs whose records may go: finished before the
// cutoff, or started before it and never finished (terminated) without
// holding the sync lock any more. A live run always holds the lock.
const expired = `
	SELECT run_id FROM runs r
	WHERE r.purged_at IS NULL AND r.started_at < $1
	  AND (r.finished_at < $1
	       OR (r.finished_at IS NULL AND NOT EXISTS (SELECT 1 FROM sync_locks l WHERE l.run_id = r.run_id)))`

// Purge removes the personal data of runs that ended before cutoff: their
// snapshot rows, and the payload, pre-image and message of their plan
// items (a message may repeat a name or an e-mail). The runs, their
// reports and each item's key, operation, status, code and field stay, so
// counts and outcomes can still be read. Mappings, which are what the
// target holds now, are never touched. With dryRun nothing changes.
func (s *Store) Purge(ctx context.Context, cutoff time.Time, dryRun bool) (Purged, error) {
	var p Purged
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var ids []string
		rows, err := tx.Query(ctx, expired+` FOR UPDATE`, cutoff)
		if err != nil {
			return err
		}
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		p.Runs = int64(len(ids))
		if len(ids) == 0 {
			return nil
		}
		if dryRun {
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM plan_items WHERE run_id = ANY($1)
				AND (payload IS NOT NULL OR pre_image IS NOT NULL OR error_message IS NOT NULL)`, ids).Scan(&p.Items); err != nil {
				return err
			}
			return tx.QueryRow(ctx, `SELECT count(*) FROM snapshot WHERE run_id = ANY($1)`, ids).Scan(&p.SnapshotRows)
		}
		tag, err := tx.Exec(ctx, `UPDATE plan_items SET payload = NULL, pre_image = NULL, error_message = NULL
			WHERE run_id = ANY($1) AND (payload IS NOT NULL OR pre_image IS NOT NULL OR error_message IS NOT NULL)`, ids)
		if err != nil {
			return err
		}
		p.Items = tag.RowsAffected()
		if tag, err = tx.Exec(ctx, `DELETE FROM snapshot WHERE run_id = ANY($1)`, ids); err != nil {
			return err
		}
		p.SnapshotRows = tag.RowsAffected()
		if _, err := tx.Exec(ctx, `DELETE FROM snapshot_loads WHERE run_id = ANY($1)`, ids); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE runs SET purged_at = now() WHERE run_id = ANY($1)`, ids)
		return err
	})
	return p, err
}

// PurgedAt returns when a run's records were purged (zero: not purged).
func (s *Store) PurgedAt(ctx context.Context, runID string) (time.Time, error) {
	var t *time.Time
	err := s.Pool.QueryRow(ctx, `SELECT purged_at FROM runs WHERE run_id = $1`, runID).Scan(&t)
	if err != nil || t == nil {
		return time.Time{}, err
	}
	return *t, nil
}
