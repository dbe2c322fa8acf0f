package workplace

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/target"
)

// The documents give one service code for sure (seed 003: 400 / -1015
// "emp not found"); the rest of api.go's table is what we have seen or
// guessed. So no answer whose meaning is unsure decides an outcome on its
// own: the client asks the target (GET by key) and decides from what it
// holds. Known codes only save that read.

// readAttempts bounds the tries of one read (a list page, a GET by key):
// reads change nothing, so a 5xx, a lost answer or throttling is simply
// asked again, after a short jittered pause.
const readAttempts = 8

// Get reads one object by external key. A key the target does not hold is
// a *target.Error of class NotFound, whatever status and code the server
// chose to say so: a 4xx of unknown meaning counts as "missing" once the
// resource's list has answered, which proves the company, credentials
// and path are good. The API Gateway's own refusals never mean "missing".
func (c *Client) Get(ctx context.Context, kind model.Kind, key string) (model.Entity, error) {
	res := Resource(kind)
	body, err := c.read(ctx, func() ([]byte, error) { return c.api.Do(ctx, http.MethodGet, kind, key, "", nil) })
	var te *target.Error
	var gw *gatewayError
	if errors.As(err, &te) && te.Class == target.Invalid && missingStatus[te.Status] && !errors.As(err, &gw) {
		if perr := c.probe(ctx, kind); perr != nil {
			return model.Entity{}, perr
		}
		te.Class = target.NotFound
	}
	if err != nil {
		return model.Entity{}, err
	}
	var el element
	if err := json.Unmarshal(body, &el); err != nil || !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		return model.Entity{}, &target.Error{Class: target.Transient, Status: 200,
			Message: fmt.Sprintf("%s %s: answer is not an object", res, key)}
	}
	if el.ExternalKey == "" {
		el.ExternalKey = key
	}
	e := toEntity(kind, el)
	e.Key = key
	return e, nil
}

// missingStatus are the statuses a GET by key may say "missing" with. Not
// 403, 405, 406 or 415: those say the read itself is refused, and a write
// must never be settled on a read that did not happen.
var missingStatus = map[int]bool{
	http.StatusBadRequest: true, http.StatusNotFound: true, http.StatusConflict: true,
	http.StatusGone: true, http.StatusUnprocessableEntity: true,
}

// probe checks once per resource that its list answers.
func (c *Client) probe(ctx context.Context, kind model.Kind) error {
	if _, ok := c.readable.Load(kind); ok {
		return nil
	}
	_, err := c.read(ctx, func() ([]byte, error) {
		return c.api.Do(ctx, http.MethodGet, kind, "", "?offset=0&limit=1", nil)
	})
	if err != nil {
		return err
	}
	c.readable.Store(kind, true)
	return nil
}

// read calls get until it answers, or fails in a way a retry cannot mend,
// or readAttempts are spent.
func (c *Client) read(ctx context.Context, get func() ([]byte, error)) ([]byte, error) {
	pause := 20 * time.Millisecond
	for attempt := 1; ; attempt++ {
		body, err := get()
		if !target.ClassOf(err).Retryable() || attempt == readAttempts || ctx.Err() != nil {
			return body, err
		}
		d := pause/2 + rand.N(pause)
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(d):
		}
		pause = min(2*pause, time.Second)
	}
}

// unsure reports whether the outcome of a write is unknown: a 5xx or a
// lost answer (the write may have been applied), or a 4xx that is not a
// validation error the client recognises for this method and resource
// (it may mean "missing" or "exists" in words we do not know).
func unsure(method, res string, err error) bool {
	var te *target.Error
	if !errors.As(err, &te) {
		return false
	}
	switch te.Class {
	case target.Transient:
		return te.Status == 0 || te.Status >= 500
	case target.Invalid:
		return te.Status >= 400 && te.Status < 500 && !recognised(method, res, te.Code)
	}
	return false
}

// recognised reports whether code is a validation error the client knows
// for method on res: the target refused the data, and the item stays as
// it was.
func recognised(method, res, code string) bool {
	switch code {
	case CodeRejected:
		return true
	case CodeInUse:
		return method == http.MethodDelete
	case CodeField, CodeDuplicateName, CodeDuplicateID, CodeParentMissing, CodeSelfParent, CodeCycle:
		return method != http.MethodDelete
	case CodeGradeNotFound, CodeJobNotFound, CodeDeptNotFound:
		// An employee's references; on the resource itself, its own key.
		return method != http.MethodDelete && res == "employee"
	}
	return false
}

// settle returns the answer of a write, or, when its outcome is unsure,
// decides it by reading the object back:
//   - DELETE: gone is done; still there, the answer stands (a 5xx is
//     retried, a 4xx refused the delete).
//   - POST: missing, the answer stands; there and equal to what was sent
//     after a 5xx or lost answer, this call created it; otherwise it is
//     target.Exists (the caller adopts it).
//   - PUT: missing is target.NotFound (the caller creates it); there and
//     equal to what was sent, done; otherwise the answer stands.
//
// When the object cannot be read, the write is retried later (Transient).
func (c *Client) settle(ctx context.Context, method string, e model.Entity, answer error) error {
	if !unsure(method, Resource(e.Kind), answer) {
		return answer
	}
	var orig *target.Error
	errors.As(answer, &orig) // unsure only passes *target.Error
	note := func(class target.Class, why string) error {
		return &target.Error{Class: class, Status: orig.Status, Code: orig.Code, Message: orig.Message + " (read back: " + why + ")"}
	}
	got, err := c.Get(ctx, e.Kind, e.Key)
	switch target.ClassOf(err) {
	case target.OK:
	case target.NotFound:
		switch method {
		case http.MethodDelete:
			return nil
		case http.MethodPut:
			return note(target.NotFound, "the object is missing")
		}
		return answer
	default:
		if ctx.Err() != nil || !target.ClassOf(err).Retryable() {
			return answer // a read the target refuses for good cannot settle anything
		}
		return note(target.Transient, "could not read it: "+err.Error())
	}
	same := bytes.Equal(c.Normalize(e).Hash(), c.Normalize(got).Hash())
	switch method {
	case http.MethodPost:
		if same && orig.Class == target.Transient {
			return nil
		}
		return note(target.Exists, "the object exists")
	case http.MethodPut:
		if same {
			return nil
		}
	}
	return answer
}
