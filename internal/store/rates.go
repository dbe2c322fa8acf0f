package store

// The target's write rate as the workers found it (internal/throttle):
// where a worker starts, what `starter status` shows, and the throttled
// answers of each stage of a run.

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// WorkerRate is one worker's limiter as it last saved it.
type WorkerRate struct {
	Worker    string    `json:"worker"`
	Rate      float64   `json:"rate"`    // requests/s in force
	Learned   float64   `json:"learned"` // requests/s to start from, 0 = not yet
	Throttled int64     `json:"throttled"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// SaveRate records a worker's limiter, and forgets workers of the same
// target and company not heard of for a week.
func (s *Store) SaveRate(ctx context.Context, target, company string, r WorkerRate) error {
	_, err := s.Pool.Exec(ctx, `
		WITH gone AS (
			DELETE FROM target_rates WHERE target = $1 AND company = $2 AND worker <> $3
				AND updated_at < now() - interval '7 days')
		INSERT INTO target_rates (target, company, worker, rate, learned, throttled, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, now())
		ON CONFLICT (target, company, worker) DO UPDATE SET rate = $4,
			learned = CASE WHEN $5 > 0 THEN $5 ELSE target_rates.learned END, throttled = $6, updated_at = now()`,
		target, company, r.Worker, r.Rate, r.Learned, r.Throttled)
	return err
}

// LearnedRate is the rate the newest worker to learn one found, 0 when
// none has yet.
func (s *Store) LearnedRate(ctx context.Context, target, company string) (float64, error) {
	var rate float64
	err := s.Pool.QueryRow(ctx, `
		SELECT learned FROM target_rates WHERE target = $1 AND company = $2 AND learned > 0
		ORDER BY updated_at DESC LIMIT 1`, target, company).Scan(&rate)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return rate, err
}

// ActiveRates are the workers of target and company that saved their
// limiter within the last `within`: the ones writing now.
func (s *Store) ActiveRates(ctx context.Context, target, company string, within time.Duration) ([]WorkerRate, error) {
	rows, err := s.Pool.Query(ctx, `
		SELECT worker, rate, learned, throttled, updated_at FROM target_rates
		WHERE target = $1 AND company = $2 AND updated_at > now() - make_interval(secs => $3)
		ORDER BY worker`, target, company, within.Seconds())
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (WorkerRate, error) {
		var r WorkerRate
		err := row.Scan(&r.Worker, &r.Rate, &r.Learned, &r.Throttled, &r.UpdatedAt)
		return r, err
	})
}

// AddThrottled adds n throttled answers to a stage of a run.
func (s *Store) AddThrottled(ctx context.Context, runID, kind string, n int64) error {
	_, err := s.Pool.Exec(ctx, `
		INSERT INTO stage_throttles (run_id, kind, throttled) VALUES ($1, $2, $3)
		ON CONFLICT (run_id, kind) DO UPDATE SET throttled = stage_throttles.throttled + $3`, runID, kind, n)
	return err
}

// Throttled is the throttled answers of each stage of a run.
func (s *Store) Throttled(ctx context.Context, runID string) (map[string]int64, error) {
	rows, err := s.Pool.Query(ctx, `SELECT kind, throttled FROM stage_throttles WHERE run_id = $1`, runID)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	var kind string
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&kind, &n}, func() error {
		out[kind] = n
		return nil
	})
	return out, err
}
