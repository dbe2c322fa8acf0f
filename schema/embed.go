// Package schema holds the Postgres migrations, embedded in every binary
// and applied with goose (see internal/store.Migrate).
package schema

import "embed"

// FS holds the versioned SQL migrations.
//
//go:embed *.sql
var FS embed.FS
