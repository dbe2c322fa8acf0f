package ncpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpauth"
	"github.com/orgsync/orgsync/internal/target"
	"github.com/orgsync/orgsync/internal/throttle"
)

// throttling answers the first n requests with status and body, with a
// Retry-After of retryAfter when set, then 200.
func throttling(t *testing.T, n int64, status int, body, retryAfter string) (string, *atomic.Int64) {
	var seen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= n {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
			return
		}
		_, _ = w.Write([]byte(`{"result":"success"}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &seen
}

func transport(l *throttle.Limiter) *Transport {
	return &Transport{Signer: ncpauth.NewV2("ak", "sk"), HTTP: NewHTTPClient(), Timeout: 5 * time.Second,
		Limiter: l, MaxBytes: 1 << 20, TooLarge: "too large"}
}

// A throttled answer, by status or by the gateway's code, is sent again
// until it is accepted: the caller never sees it, and the limiter slows.
func TestThrottledIsSentAgain(t *testing.T) {
	for name, c := range map[string]struct {
		status int
		body   string
	}{
		"429":                       {http.StatusTooManyRequests, `{"error":{"errorCode":"420","message":"Rate Limited"}}`},
		"gateway 410 under a 400":   {http.StatusBadRequest, `{"error":{"errorCode":410,"message":"Throttle Limited"}}`},
		"429 without a body at all": {http.StatusTooManyRequests, ``},
	} {
		t.Run(name, func(t *testing.T) {
			url, seen := throttling(t, 3, c.status, c.body, "")
			l := throttle.New(throttle.Config{Start: 200})
			status, _, err := transport(l).Do(context.Background(), Request{Method: "PUT", URL: url, Kind: model.Grade, What: "grade G1", Body: []byte(`{}`)})
			if err != nil || status != 200 {
				t.Fatalf("got %d, %v; want 200 after the throttles", status, err)
			}
			if seen.Load() != 4 || l.ThrottledCount() != 3 {
				t.Fatalf("%d requests, %d throttles counted; want 4 and 3", seen.Load(), l.ThrottledCount())
			}
			if l.Rate() >= 200 {
				t.Fatalf("the rate stayed at %g after throttles", l.Rate())
			}
		})
	}
}

// Retry-After holds the next request back; an answer still throttled when
// the call's time is up comes back as it is (the product classifies it
// Throttled), never as a failure of another class.
func TestRetryAfterAndDeadline(t *testing.T) {
	url, seen := throttling(t, 1, http.StatusTooManyRequests, ``, "1")
	l := throttle.New(throttle.Config{Start: 1000})
	start := time.Now()
	status, _, err := transport(l).Do(context.Background(), Request{Method: "DELETE", URL: url, What: "grade G1"})
	if err != nil || status != 200 || seen.Load() != 2 {
		t.Fatalf("got %d, %v after %d requests", status, err, seen.Load())
	}
	if el := time.Since(start); el < time.Second {
		t.Fatalf("Retry-After: 1 was not honoured: sent again after %s", el)
	}

	url, _ = throttling(t, 1<<40, http.StatusTooManyRequests, ``, "")
	ctx, cancel := context.WithTimeout(context.Background(), 7*time.Second)
	defer cancel()
	status, _, err = transport(throttle.New(throttle.Config{Start: 1000})).Do(ctx, Request{Method: "DELETE", URL: url, What: "grade G1"})
	if err != nil || status != http.StatusTooManyRequests {
		t.Fatalf("a target that throttles everything: got %d, %v; want the 429 answer back", status, err)
	}

	// No token before the deadline: Throttled, without a request.
	l = throttle.New(throttle.Config{Max: 0.5})
	tr := transport(l)
	url, seen = throttling(t, 0, 0, ``, "")
	_, _, _ = tr.Do(context.Background(), Request{Method: "DELETE", URL: url, What: "grade G1"})
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, _, err = tr.Do(ctx, Request{Method: "DELETE", URL: url, What: "grade G2"})
	if target.ClassOf(err) != target.Throttled || seen.Load() != 1 {
		t.Fatalf("a wait beyond the deadline: %v after %d requests; want throttled after 1", err, seen.Load())
	}
}
