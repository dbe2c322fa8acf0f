package workbox

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/target"
)

// codeInUse is the documented refusal of a DELETE: a department with
// children or members, a grade or position in use.
const codeInUse = "180018"

// deleteAttempts bounds the sends of one DELETE within a call.
const deleteAttempts = 4

// Delete removes an object; a missing key is target.NotFound. WORKBOX cannot be
// read back, so a DELETE whose answer was lost or a 5xx is sent again
// here, at once: that is when the object may be gone already. A re-sent
// DELETE answered with the documented not-found code is done; answered
// with a 4xx we do not recognise (not "in use", not the gateway's), it is
// done too, but only as a target.Done whose note the run's report shows:
// the first send most likely removed the object and the server words
// "missing" in a way the documents do not give.
func (c *Client) Delete(ctx context.Context, kind model.Kind, key string) error {
	pause := 100 * time.Millisecond
	var first error
	for attempt := 1; ; attempt++ {
		_, err := c.api.Do(ctx, http.MethodDelete, kind, key, "", nil)
		if target.ClassOf(err) == target.NotFound {
			return err // the documented "missing": the caller counts it done
		}
		var te *target.Error
		resent := first != nil
		if resent && errors.As(err, &te) && te.Class == target.Invalid && te.Status >= 400 && te.Status < 500 && te.Code != codeInUse {
			return &target.Done{Note: "deleted: the DELETE's first answer was lost (" + first.Error() +
				"); re-sent, it was answered " + te.Error() + ", which WORKBOX does not document: taken as already deleted"}
		}
		if !lost(err) || attempt == deleteAttempts || ctx.Err() != nil {
			return err
		}
		if first == nil {
			first = err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause/2 + rand.N(pause)):
		}
		pause *= 2
	}
}

// lost reports whether a write may have been applied without our knowing:
// a 5xx or no answer at all.
func lost(err error) bool {
	var te *target.Error
	return errors.As(err, &te) && te.Class == target.Transient && (te.Status == 0 || te.Status >= 500)
}
