// Package store owns orgsync's Postgres state: mappings (what the target
// holds), runs, the per-run source snapshot and plan items. Every statement
// is parameterised; entity data never leaves Postgres except towards the
// target.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/orgsync/orgsync/schema"
)

// Store is a handle on the orgsync database.
type Store struct {
	Pool *pgxpool.Pool

	reads  *group[ItemRef, Item]
	writes *group[Outcome, struct{}]
}

// The grouped item reads and writes: one statement at a time each (two
// would split the queue between them) of at most groupItems items, each
// waiting up to groupLinger for more. An ApplyItem's turn around the
// window takes hundreds of milliseconds of Temporal dispatch under load,
// so 2 x 50 ms more per item costs little, while the CPU saved goes to
// Temporal.
const (
	groupStatements = 1
	groupItems      = 500
	groupLinger     = 50 * time.Millisecond
)

// Open connects to url (not logged: it may hold a password).
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("ORGSYNC_DATABASE_URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to Postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		// pgx lists each address tried on its own line; start-up errors are
		// one line.
		return nil, fmt.Errorf("connect to Postgres at %s:%d/%s: %s (check ORGSYNC_DATABASE_URL)",
			cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, strings.Join(strings.Fields(err.Error()), " "))
	}
	s := &Store{Pool: pool}
	s.reads = newGroup(groupItems, groupStatements, groupLinger, s.getItems)
	s.writes = newGroup(groupItems, groupStatements, groupLinger, s.applied)
	return s, nil
}

// Close releases the pool.
func (s *Store) Close() { s.Pool.Close() }

// Migrate applies the embedded migrations that are not applied yet; running
// it again is a no-op, and concurrent workers serialise on goose's lock.
func (s *Store) Migrate(ctx context.Context) error {
	db := stdlib.OpenDBFromPool(s.Pool)
	defer db.Close()
	return migrate(ctx, db)
}

func migrate(ctx context.Context, db *sql.DB) error {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, schema.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}
