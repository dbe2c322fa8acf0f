package throttle

import (
	"context"
	"errors"
	"math"
	"net/http"
	"testing"
	"time"
)

// clock is a settable time for the limiter.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Unix(1_000_000, 0)} }
func near(a, b float64) bool             { return math.Abs(a-b) <= 0.01*math.Max(1, math.Abs(b)) }

// held says a request just waited for the rate: it binds.
func (l *Limiter) held(t time.Time) { l.waitedAt = t }

// drive sends and gets accepted answers at the limiter's own rate for d,
// in 50 ms steps, as a worker saturating the limiter does.
func drive(l *Limiter, c *clock, d time.Duration, quota float64) (throttled int) {
	for end := c.t.Add(d); c.t.Before(end); c.advance(50 * time.Millisecond) {
		n := int(math.Round(l.Rate() * 0.05))
		if n == 0 && l.Rate() > 0 {
			n = 1
		}
		l.held(c.t)
		for i := range n {
			if quota > 0 && float64(i+1) > quota*0.05 {
				l.Throttled(context.Background(), c.t, 0)
				throttled++
				continue
			}
			l.Accepted(10 * time.Millisecond)
		}
	}
	return throttled
}

func TestSlowStartGrowsFastThenSettlesUnderTheQuota(t *testing.T) {
	c := newClock()
	l := New(Config{Now: c.now})
	if l.Rate() != Initial || l.Learned() != 0 {
		t.Fatalf("a first run starts at %g (learned %g), want %g and nothing learned", l.Rate(), l.Learned(), Initial)
	}
	drive(l, c, 3*time.Second, 0)
	if l.Rate() < 100 {
		t.Fatalf("after 3 s of slow start without a throttle the rate is %g, want >= 100", l.Rate())
	}
	// Against a quota of 40/s: cut, then the rate stays near the quota.
	c2 := newClock()
	l = New(Config{Now: c2.now})
	throttled := drive(l, c2, 60*time.Second, 40)
	if r := l.Rate(); r < 0.6*40 || r > 1.3*40 {
		t.Fatalf("after a minute against a quota of 40/s the rate is %g", r)
	}
	if lr := l.Learned(); lr < 0.7*40 || lr > 1.3*40 {
		t.Fatalf("learned %g against a quota of 40/s", lr)
	}
	if throttled == 0 || l.ThrottledCount() != int64(throttled) {
		t.Fatalf("throttled %d, counted %d", throttled, l.ThrottledCount())
	}
	t.Logf("quota 40/s: rate %.1f, learned %.1f, %d throttled answers in 60 s", l.Rate(), l.Learned(), throttled)
}

func TestCutIsBetaOfTheAcceptedRateOncePerCut(t *testing.T) {
	c := newClock()
	l := New(Config{Start: 100, Now: c.now})
	for range 50 { // 50 accepted/s over the last second
		l.Accepted(0)
		c.advance(20 * time.Millisecond)
	}
	l.Throttled(context.Background(), c.t, 0)
	if !near(l.Rate(), Beta*50) {
		t.Fatalf("after a throttle at 50 accepted/s the rate is %g, want %g", l.Rate(), Beta*50)
	}
	l.Throttled(context.Background(), c.t.Add(-time.Millisecond), 0) // sent before the cut
	if !near(l.Rate(), Beta*50) {
		t.Fatalf("a throttle of a request sent before the cut cut again: %g", l.Rate())
	}
	// CUBIC: back at wmax after K, above it later, and only while
	// requests wait for the rate.
	c.advance(plateau(50))
	l.held(c.t)
	l.Accepted(0)
	if r := l.Rate(); !near(r, 50) {
		t.Fatalf("K after the cut the rate is %g, want 50", r)
	}
	c.advance(3 * time.Second)
	l.held(c.t)
	l.Accepted(0)
	if r := l.Rate(); r <= 50 {
		t.Fatalf("3 s past the plateau the rate is %g, want > 50", r)
	}
}

// Below SlowRate, CUBIC's clock slows down: the same share of requests
// between two probes at any rate.
func TestProbesFewerAtLowRates(t *testing.T) {
	if k2, k50 := plateau(2), plateau(50); !near(k2.Seconds(), k50.Seconds()*SlowRate/2) {
		t.Fatalf("K at 2/s is %s, at 50/s %s: want %g times longer", k2, k50, SlowRate/2)
	}
}

func TestGrowsOnlyWithUse(t *testing.T) {
	c := newClock()
	l := New(Config{Start: 10, Now: c.now})
	for range 100 {
		c.advance(time.Second)
		l.Accepted(0) // 1 request/s against a limit of 10: none waits
	}
	if r := l.Rate(); r > 10 {
		t.Fatalf("a limiter used at 1/s grew to %g", r)
	}
}

func TestMaxBoundsEverything(t *testing.T) {
	c := newClock()
	l := New(Config{Max: 20, Now: c.now})
	if l.Rate() != 20 {
		t.Fatalf("with ORGSYNC_TARGET_RPS=20 and nothing learned the start is %g, want 20", l.Rate())
	}
	drive(l, c, 30*time.Second, 0)
	if l.Rate() != 20 {
		t.Fatalf("rate %g above the bound 20", l.Rate())
	}
	if l := New(Config{Start: 500, Max: 20, Now: c.now}); l.Rate() != 20 {
		t.Fatalf("a learned 500 under a bound of 20 starts at %g", l.Rate())
	}
}

func TestRetryAfterHoldsRequestsBack(t *testing.T) {
	l := New(Config{Start: 1000})
	l.Throttled(context.Background(), time.Now(), time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx); !errors.Is(err, ErrDeadline) {
		t.Fatalf("a wait under a Retry-After of 1 min with 100 ms left: %v", err)
	}
	l = New(Config{Start: 1000})
	l.Throttled(context.Background(), time.Now(), 50*time.Millisecond)
	start := time.Now()
	if err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 50*time.Millisecond {
		t.Fatalf("Retry-After 50ms: waited only %s", time.Since(start))
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"": 0, "3": 3 * time.Second, "-1": 0, "soon": 0, "86400": MaxRetryAfter,
		now.Add(10 * time.Second).Format(http.TimeFormat): 10 * time.Second,
	} {
		if got := RetryAfter(h, now); got != want {
			t.Errorf("Retry-After %q: %s, want %s", h, got, want)
		}
	}
}
