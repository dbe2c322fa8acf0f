package knox

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"
)

// Knox answers 429 (too many requests) or 503 (unavailable) when it is
// busy. Both mean "ask again later", never a source error: the call is
// asked again after the answer's Retry-After, or a growing, jittered
// delay. A 429 is asked again for as long as the caller's context allows
// (throttling is waiting); a 503 busyTries times in all, after which it
// goes back as a retryable error for the activity's own retry policy.
const busyTries = 3

// firstBusyDelay and maxBusyDelay bound the delay between two asks of a
// busy Knox that sent no Retry-After (a var: tests shorten it).
var firstBusyDelay, maxBusyDelay = time.Second, 30 * time.Second

// busy reports whether an answer's status asks to come back later.
func busy(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// fetchPatiently is fetch, asked again while Knox is busy.
func (c *Client) fetchPatiently(ctx context.Context, method, endpoint string, q url.Values, n int) (*page, error) {
	delay := firstBusyDelay
	var last error // the last busy answer
	for unavailable := 0; ; {
		p, err := c.fetch(ctx, method, endpoint, q, n)
		if err != nil && last != nil && ctx.Err() != nil {
			return nil, last // the time ran out while asking again: Knox was busy, it said nothing else
		}
		var ke *Error
		if err == nil || !errors.As(err, &ke) || !busy(ke.Status) {
			return p, err
		}
		last = err
		if ke.Status == http.StatusServiceUnavailable {
			if unavailable++; unavailable >= busyTries {
				return p, err
			}
		}
		wait := ke.RetryAfter
		if wait == 0 {
			wait = delay/2 + rand.N(delay)
			delay = min(2*delay, maxBusyDelay)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return p, err
		case <-t.C:
		}
	}
}
