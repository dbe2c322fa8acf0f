package knox

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func init() { firstBusyDelay, maxBusyDelay = time.Millisecond, 10*time.Millisecond }

// busyKnox answers the first n calls with status (and Retry-After when
// set), then the titles.
func busyKnox(t *testing.T, n int32, status int, retryAfter string) (*Client, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= n {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(status)
			fmt.Fprint(w, `{"result":"fail","errorCode":"","errorMessage":"busy"}`)
			return
		}
		fmt.Fprint(w, `{"result":"success","titles":[{"titleCode":"T1","titleName":"사원"}]}`)
	}))
	t.Cleanup(srv.Close)
	return newTestClient(t, srv.URL+"/knox"), &calls
}

// A busy Knox (429, 503) is asked again, not a source error: 429 for as
// long as the caller allows, honouring Retry-After; 503 busyTries times,
// then a retryable error for the activity's retry policy.
func TestBusyKnoxIsAskedAgain(t *testing.T) {
	c, calls := busyKnox(t, 20, http.StatusTooManyRequests, "")
	ts, err := c.Titles(context.Background())
	if err != nil || len(ts) != 1 || calls.Load() != 21 {
		t.Fatalf("after 20 429s: %v, %d titles, %d calls", err, len(ts), calls.Load())
	}

	c, calls = busyKnox(t, 1, http.StatusTooManyRequests, "1")
	start := time.Now()
	if _, err := c.Titles(context.Background()); err != nil || calls.Load() != 2 {
		t.Fatalf("after a 429 with Retry-After: %v, %d calls", err, calls.Load())
	}
	if el := time.Since(start); el < time.Second {
		t.Fatalf("Retry-After: 1 not honoured: asked again after %s", el)
	}

	c, calls = busyKnox(t, busyTries-1, http.StatusServiceUnavailable, "")
	if _, err := c.Titles(context.Background()); err != nil || calls.Load() != busyTries {
		t.Fatalf("after %d 503s: %v, %d calls", busyTries-1, err, calls.Load())
	}
	c, calls = busyKnox(t, 1000, http.StatusServiceUnavailable, "")
	_, err = c.Titles(context.Background())
	if ke := asKnoxError(t, err); ke.Status != 503 || !ke.Retryable() || calls.Load() != busyTries {
		t.Fatalf("a Knox always 503: %v after %d calls; want a retryable 503 after %d", err, calls.Load(), busyTries)
	}

	// A 429 the caller's time ran out on is retryable, not a source error.
	c, _ = busyKnox(t, 1<<30, http.StatusTooManyRequests, "")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = c.Titles(ctx)
	if ke := asKnoxError(t, err); ke.Status != 429 || !ke.Retryable() {
		t.Fatalf("a 429 at the deadline: %v", err)
	}
}
