package throttle

// What the limiter hears of a call besides its answer: a per-call count
// of throttled answers (for the run's report) and the target's
// Retry-After.

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

type counterKey struct{}

// Counting returns a ctx under which the throttled answers of every call
// are counted in n (an item's, a batch's), for the run's report.
func Counting(ctx context.Context) (context.Context, *atomic.Int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, counterKey{}, n), n
}

// count adds a throttled answer to ctx's counter, if it has one.
func count(ctx context.Context) {
	if n, ok := ctx.Value(counterKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
}

// MaxRetryAfter bounds the Retry-After honoured: a longer one (or a date
// far ahead, from a wrong clock) would stall every write of the run.
const MaxRetryAfter = time.Minute

// RetryAfter reads a Retry-After header, seconds or an HTTP date, as the
// wait from now: 0 when absent, unreadable or past, at most MaxRetryAfter.
func RetryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	var d time.Duration
	if s, err := strconv.Atoi(h); err == nil {
		d = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), MaxRetryAfter)
}
