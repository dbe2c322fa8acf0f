// Package target defines what the workflow needs from a groupware target
// (WORKBOX or WORKPLACE): create, update and delete one entity by external
// key, with every answer classified so that retries are decided in one place.
package target

import (
	"context"
	"errors"
	"fmt"

	"github.com/orgsync/orgsync/internal/model"
)

// Class is the outcome of one remote call.
type Class string

const (
	OK        Class = "ok"
	Exists    Class = "exists"    // create of a key the target already has
	NotFound  Class = "not_found" // update/delete of a key the target lacks
	Invalid   Class = "invalid"   // 4xx caused by the data; not retryable
	Forbidden Class = "forbidden" // 403 180001: the console's sync switch is OFF; not retryable
	Auth      Class = "auth"      // 401, unknown company: not retryable, configuration
	Throttled Class = "throttled" // 429 (gateway codes 400/410/420); retryable
	Transient Class = "transient" // 5xx, timeouts, connection errors; retryable
)

// Retryable reports whether a call of this class may succeed if repeated.
func (c Class) Retryable() bool { return c == Throttled || c == Transient }

// Error is a classified failure of a remote call. Error() is built from
// the class, status, code and Message only: it reaches logs and workflow
// history, so it holds ids and codes, never secrets or data.
type Error struct {
	Class   Class
	Status  int    // HTTP status, 0 when no response arrived
	Code    string // errorCode from the body, if any
	Message string // ours: the object (kind and key), what failed, what to do
	// Detail is the server's own words, which may repeat what was sent (a
	// name, an e-mail): kept out of Error(), stored with the item in
	// Postgres (see Text) and shown by `starter report`.
	Detail string
}

func (e *Error) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("%s (HTTP %d, code %s): %s", e.Class, e.Status, e.Code, e.Message)
	}
	if e.Status != 0 {
		return fmt.Sprintf("%s (HTTP %d): %s", e.Class, e.Status, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Class, e.Message)
}

// Text is err's message with the server's own words, if it carries any:
// the text stored with an item in Postgres, never in workflow history.
func Text(err error) string {
	var te *Error
	if errors.As(err, &te) && te.Detail != "" {
		return err.Error() + "; the target said: " + te.Detail
	}
	return err.Error()
}

// ClassOf returns the class of err: OK for nil or a Done, the Error's
// class when err wraps one, Transient for anything else (a bug or I/O error is worth a retry).
func ClassOf(err error) Class {
	if err == nil {
		return OK
	}
	var done *Done
	if errors.As(err, &done) {
		return OK
	}
	var te *Error
	if errors.As(err, &te) {
		return te.Class
	}
	return Transient
}

// Client writes one entity to the target. Implementations are safe for
// concurrent use and classify every failure as *Error.
type Client interface {
	Create(ctx context.Context, e model.Entity) error
	Update(ctx context.Context, e model.Entity) error
	Delete(ctx context.Context, kind model.Kind, key string) error
}

// Lister is implemented by targets that can list what they hold (WORKPLACE),
// for drift checks.
type Lister interface {
	List(ctx context.Context, kind model.Kind, fn func(model.Entity) error) error
}

// Reader is implemented by targets that can read one item by external key
// (WORKPLACE: GET /{resource}/{externalKey}), so that an answer whose meaning
// is unsure is settled by asking the target. A missing item is an *Error of
// class NotFound.
type Reader interface {
	Get(ctx context.Context, kind model.Kind, key string) (model.Entity, error)
}
