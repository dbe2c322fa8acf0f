// Package source reads the organisation from the HR side (Knox, or HR
// export files) and maps it into the canonical model.
package source

import (
	"context"

	"github.com/orgsync/orgsync/internal/model"
)

// Source streams the records of a kind.
type Source interface {
	// Loads names the kinds that one Fetch of kind produces: Knox has no
	// list of positions and derives them from employees, so fetching
	// either yields both. Every other kind loads itself.
	Loads(kind model.Kind) []model.Kind
	// Fetch emits every record of the kinds in Loads(kind). An error means
	// the source failed outright (unreachable, 5xx, a page that is not
	// JSON): the stage fails and nothing is deleted.
	Fetch(ctx context.Context, kind model.Kind, emit model.Emit) error
}

// Error is a source failure that retrying will not fix (a 4xx, a page that
// is not JSON). Activities report it as non-retryable.
type Error struct {
	Msg string
}

func (e *Error) Error() string { return e.Msg }
