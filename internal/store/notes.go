package store

import (
	"context"

	"github.com/orgsync/orgsync/internal/model"
)

// Note attaches a note to one plan item (see schema/00015_item_notes.sql).
func (s *Store) Note(ctx context.Context, runID string, seq int, note string) error {
	_, err := s.Pool.Exec(ctx, `UPDATE plan_items SET note = $3 WHERE run_id = $1 AND seq = $2`, runID, seq, note)
	return err
}

// NoteKeys attaches the note prefix || ext_key || suffix to the items of
// kind and op whose keys are in keys.
func (s *Store) NoteKeys(ctx context.Context, runID string, kind model.Kind, op string, keys []string, prefix, suffix string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := s.Pool.Exec(ctx, `UPDATE plan_items SET note = $5 || ext_key || $6
		WHERE run_id = $1 AND kind = $2 AND op = $3 AND ext_key = ANY($4)`, runID, string(kind), op, keys, prefix, suffix)
	return err
}

// NotedItems lists the items of a run that carry a note, in plan order;
// Message holds the note.
func (s *Store) NotedItems(ctx context.Context, runID string) ([]FailedItem, error) {
	rows, err := s.Pool.Query(ctx, `
		SELECT kind, op, ext_key, status, coalesce(field, ''), coalesce(error_code, ''), note
		FROM plan_items WHERE run_id = $1 AND note IS NOT NULL ORDER BY seq`, runID)
	return collectItems(rows, err)
}
