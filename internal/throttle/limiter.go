// Package throttle owns the client side of a target's quota: an adaptive
// rate limiter that finds the quota on its own (nobody outside NAVER knows
// the real WORKBOX or WORKPLACE quota) and the worker's activity slots,
// which follow its rate.
//
// The limiter is a golang.org/x/time/rate token bucket whose rate follows
// CUBIC, as in the AWS SDKs' adaptive retry mode: a throttled answer cuts
// the rate to Beta times what the target accepted, and while writes
// succeed the rate grows back along a cubic curve that is flat near the
// rate that last worked and probes upward beyond it. Before the first
// throttle the rate doubles every GrowEvery ("slow start"). It grows only
// while requests wait for it (a rate nobody is held back by says nothing
// about the quota), and never beyond Max when the operator set one
// (ORGSYNC_TARGET_RPS).
package throttle

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Tuning of the limiter.
const (
	// Initial is the rate of a first run, requests/s: low, because the
	// quota may be low (NAVER WORKS asks 1 call/s for org writes), and
	// slow start doubles it quickly.
	Initial = 8.0
	// Min is the floor of the rate: even a target that throttles
	// everything is asked again now and then.
	Min = 0.5
	// Beta is the share of the accepted rate kept after a throttle.
	Beta = 0.7
	// Cubic scales the probe: the rate is wmax·(1 + Cubic·(t−K)³), so it
	// is back at wmax after K = ∛((1−Beta)/Cubic) ≈ 5.3 s and 5% above
	// it 2.9 s later, at any scale.
	Cubic = 0.002
	// SlowStart is slow start's growth every GrowEvery. Not doubling: the
	// target's bucket hides the quota until it is empty, and all the rate
	// beyond the quota by then is answered 429 until the cut.
	SlowStart = 1.5
	GrowEvery = 300 * time.Millisecond
	// Binding: the rate grows only if a request waited for it this
	// recently.
	Binding = 500 * time.Millisecond
	// SlowRate: below this plateau CUBIC's clock slows down (pace).
	SlowRate = 10.0
	// Requeue: a rise of the rate by this factor since the waiting
	// requests took their turns has them take new ones (Limiter.requeue);
	// a smaller one waits for the queue to turn over.
	Requeue = 1.1
	// Grace: a throttled request sent this soon after a cut (or within
	// two requests' time of it) does not cut again. The target's bucket is empty right after a cut and refills
	// only at the margin the cut left, so the answers of the next moments
	// say nothing of the new rate; without it, cuts cascade to Min.
	Grace = 100 * time.Millisecond
)

// Config sets up a Limiter. Zero fields take the package's defaults.
type Config struct {
	// Start is the rate to begin with: the last rate that worked (kept in
	// Postgres), or 0 for a first run (Initial, or Max when set).
	Start float64
	// Max bounds the rate (ORGSYNC_TARGET_RPS); 0 = none.
	Max float64
	// Now is the clock (tests).
	Now func() time.Time
}

// Limiter is the adaptive limiter of one target on one worker. It is safe
// for concurrent use.
type Limiter struct {
	now func() time.Time
	max float64

	mu         sync.Mutex
	lim        *rate.Limiter // the bucket; replaced on a cut (requeue)
	cur        float64       // the rate in force
	slowStart  bool          // no throttle yet: double every GrowEvery
	wmax       float64       // CUBIC's plateau: the accepted rate at the last cut
	cutAt      time.Time     // the last cut (or, with a learned rate, the start)
	grownAt    time.Time     // slow start's last doubling
	pauseUntil time.Time     // a Retry-After in force
	cut        chan struct{} // closed to requeue the waiting requests
	queued     float64       // the rate of the bucket's first turns
	waitedAt   time.Time     // the last request that waited for a token
	accepted   meter         // answers that were not throttled
	latency    float64       // moving mean of an answer's time, seconds

	throttled atomic.Int64
}

// New returns a limiter. With cfg.Start (a learned rate) it begins on
// CUBIC's plateau at that rate; without, in slow start from Initial, or
// at Max when the operator set one.
func New(cfg Config) *Limiter {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	l := &Limiter{now: now, max: cfg.Max}
	start, t := cfg.Start, now()
	switch {
	case start > 0:
		// Begin where the curve is flat: K seconds after a cut from it.
		l.wmax, l.cutAt = start, t.Add(-plateau(start))
	case cfg.Max > 0:
		start = cfg.Max
		l.wmax, l.cutAt = start, t.Add(-plateau(start))
	default:
		start, l.slowStart, l.grownAt = Initial, true, t
	}
	l.cur = l.bound(start)
	l.lim = rate.NewLimiter(rate.Limit(l.cur), 1)
	l.cut, l.queued = make(chan struct{}), l.cur
	return l
}

// plateau is K, the time CUBIC takes to climb back to wmax after a cut.
func plateau(wmax float64) time.Duration {
	return time.Duration(math.Cbrt((1-Beta)/Cubic) / pace(wmax) * float64(time.Second))
}

// pace is how fast CUBIC's clock runs at plateau wmax: in real time from
// SlowRate up, slower below, so that a probe costs the same share of
// requests at any rate (a probe beyond the quota costs a throttle or two
// at any rate; at 2 requests/s, one every 7 s would be 10% of them).
func pace(wmax float64) float64 { return min(1, wmax/SlowRate) }

// bound keeps r within Min and Max.
func (l *Limiter) bound(r float64) float64 {
	if l.max > 0 {
		r = min(r, l.max)
	}
	return max(r, Min)
}

// ErrDeadline is Wait's error when ctx's deadline comes before the turn
// of the request.
var ErrDeadline = errors.New("throttle: the wait for the target's rate would outlast the deadline")

// Wait blocks until a request may be sent: after a Retry-After in force,
// then for a token. It fails when ctx ends, or at once (ErrDeadline) when
// its deadline comes before the request's turn. A request waiting when
// the rate is cut queues again at the new rate: otherwise the turns taken
// at the old rate would keep overrunning the quota for up to a second.
func (l *Limiter) Wait(ctx context.Context) error {
	for {
		l.mu.Lock()
		pause, cut, lim := l.pauseUntil.Sub(l.now()), l.cut, l.lim
		l.mu.Unlock()
		if pause > 0 {
			if err := sleep(ctx, pause, nil); err != nil {
				return err
			}
			continue
		}
		r := lim.Reserve() // burst 1, one token: always possible
		d := r.Delay()
		if err := sleep(ctx, d, cut); err != nil {
			r.Cancel()
			if errors.Is(err, errCut) {
				continue
			}
			return err
		}
		if d > 0 {
			l.mu.Lock()
			l.waitedAt = l.now()
			l.mu.Unlock()
		}
		return nil
	}
}

var errCut = errors.New("the rate was cut")

// sleep waits d, unless ctx ends first, d would outlast ctx's deadline
// (ErrDeadline) or cut is closed (errCut).
func sleep(ctx context.Context, d time.Duration, cut <-chan struct{}) error {
	if d <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return ErrDeadline
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-cut:
		return errCut
	case <-t.C:
		return nil
	}
}

// Accepted records an answer that was not a throttle (success, or an
// error the target would give at any rate) and its time d: the rate may
// grow.
func (l *Limiter) Accepted(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.now()
	l.accepted.add(t)
	l.latency += 0.1 * (d.Seconds() - l.latency)
	if t.Sub(l.waitedAt) > Binding {
		return // the rate holds nobody back: no news of the quota
	}
	next := l.cur
	if l.slowStart {
		if t.Sub(l.grownAt) < GrowEvery {
			return
		}
		next, l.grownAt = SlowStart*l.cur, t
	} else {
		s := (t.Sub(l.cutAt) - plateau(l.wmax)).Seconds() * pace(l.wmax)
		next = l.wmax * (1 + Cubic*s*s*s)
	}
	l.set(next)
}

// Throttled records a throttled answer to a call under ctx sent at
// sentAt; retryAfter is the target's Retry-After (0 if none), which holds
// every request back that long. An answer to a request sent before the
// last cut (or within Grace after it) does not cut again: the cut was
// made for it.
func (l *Limiter) Throttled(ctx context.Context, sentAt time.Time, retryAfter time.Duration) {
	l.throttled.Add(1)
	count(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.now()
	if retryAfter > 0 {
		l.pauseUntil = later(l.pauseUntil, t.Add(retryAfter))
		l.requeue()
	}
	grace := max(Grace, time.Duration(2/l.cur*float64(time.Second)))
	if !l.slowStart && sentAt.Before(l.cutAt.Add(grace)) {
		return
	}
	// The quota is near what the target accepted just now; the limit can
	// be far above it after slow start's last doubling.
	w := l.cur
	if acc := l.accepted.rate(t); acc > 0 {
		w = min(w, acc)
	}
	l.slowStart, l.wmax, l.cutAt = false, w, t
	l.set(Beta * w)
	l.requeue()
}

// requeue sends the waiting requests to queue again on a new bucket at
// the rate in force (after a pause, if one is set). A waiting request
// holds a turn taken at the rate of its time: after a cut the old turns
// would overrun the quota for as long as the queue is, after a rise they
// would hold the new rate back as long.
func (l *Limiter) requeue() {
	close(l.cut)
	l.cut = make(chan struct{})
	l.lim = rate.NewLimiter(rate.Limit(l.cur), 1)
	l.queued = l.cur
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// set puts rate r (bounded) in force.
func (l *Limiter) set(r float64) {
	r = l.bound(r)
	if r == l.cur {
		return
	}
	l.cur = r
	l.lim.SetLimitAt(l.now(), rate.Limit(r))
	if r > Requeue*l.queued {
		l.requeue()
	}
}

// Rate is the rate in force, requests/s.
func (l *Limiter) Rate() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cur
}

// Learned is the rate worth starting the next run from: the rate the
// target accepted at the last cut, or the rate in force when it has been
// probed beyond that without a throttle. In slow start (no throttle yet)
// it is the rate before the last doubling, which worked; 0 before the
// first doubling (nothing learned).
func (l *Limiter) Learned() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.slowStart {
		if l.cur <= Initial {
			return 0
		}
		return l.bound(l.cur / 2)
	}
	return l.bound(max(l.cur, l.wmax))
}

// Latency is the moving mean of an accepted answer's time.
func (l *Limiter) Latency() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Duration(l.latency * float64(time.Second))
}

// ThrottledCount is how many throttled answers the limiter has seen.
func (l *Limiter) ThrottledCount() int64 { return l.throttled.Load() }
