package gatewaysim

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sync/atomic"

	"golang.org/x/time/rate"
)

// Faults are switchable misbehaviours, set with POST /admin/{product}/faults.
// Setting replaces the whole set; the zero value clears everything. The
// gateway applies latency, clock skew, the rate limit and the error rate;
// the stand-in behind it applies SyncOff and the rejections with its own
// codes.
type Faults struct {
	ErrorRate   float64  `json:"errorRate,omitempty"`   // share of requests answered 503 / 500
	LatencyMs   int      `json:"latencyMs,omitempty"`   // delay before every answer
	RPS         float64  `json:"rps,omitempty"`         // token bucket rate; beyond it 429 / 420
	Burst       int      `json:"burst,omitempty"`       // bucket size; 0 = ceil(rps)
	SyncOff     []string `json:"syncOff,omitempty"`     // resources whose sync switch is OFF (403)
	RejectRate  float64  `json:"rejectRate,omitempty"`  // share of keys, by hash, whose writes are refused (400)
	Reject      []string `json:"reject,omitempty"`      // resources whose every write is refused (400)
	ClockSkewMs int64    `json:"clockSkewMs,omitempty"` // added to the stand-in's clock
	// HalveAfter halves RPS (and the bucket) once this many requests have
	// passed the rate limit: the target's other tenants got busy. 0 = never.
	HalveAfter int64 `json:"halveAfter,omitempty"`
}

// FaultSet is Faults prepared for the hot path; the Gateway swaps it
// atomically so requests read it without a lock.
type FaultSet struct {
	Faults
	limiter *rate.Limiter
	passed  atomic.Int64 // requests the rate limit let through
}

// allow applies the rate limit, halving it after HalveAfter passes.
func (f *FaultSet) allow() bool {
	if f.limiter == nil {
		return true
	}
	if !f.limiter.Allow() {
		return false
	}
	if n := f.passed.Add(1); f.HalveAfter > 0 && n == f.HalveAfter {
		f.limiter.SetLimit(rate.Limit(f.RPS / 2))
		f.limiter.SetBurst(max(1, f.limiter.Burst()/2))
	}
	return true
}

// ErrBadFaults is returned for a fault setting that cannot apply.
var ErrBadFaults = errors.New("bad faults")

// prepare checks f against the stand-in's resources. A new rate limit
// starts with a full bucket.
func prepare(f Faults, resources []string) (*FaultSet, error) {
	if f.ErrorRate < 0 || f.ErrorRate > 1 || f.RejectRate < 0 || f.RejectRate > 1 {
		return nil, fmt.Errorf("%w: rates must be in 0..1", ErrBadFaults)
	}
	if f.LatencyMs < 0 || f.RPS < 0 || f.Burst < 0 || f.HalveAfter < 0 {
		return nil, fmt.Errorf("%w: latencyMs, rps, burst and halveAfter must not be negative", ErrBadFaults)
	}
	for _, r := range append(slices.Clone(f.SyncOff), f.Reject...) {
		if !slices.Contains(resources, r) {
			return nil, fmt.Errorf("%w: unknown resource %q", ErrBadFaults, r)
		}
	}
	fs := &FaultSet{Faults: f}
	if f.RPS > 0 {
		burst := f.Burst
		if burst == 0 {
			burst = max(1, int(math.Ceil(f.RPS)))
		}
		fs.limiter = rate.NewLimiter(rate.Limit(f.RPS), burst)
	}
	return fs, nil
}

// Rejects reports whether writes of key in res are refused: every write of
// a listed resource, or a fixed share of keys chosen by hash so that the
// same keys fail on every run and every retry.
func (f *FaultSet) Rejects(res, key string) bool {
	if slices.Contains(f.Reject, res) {
		return true
	}
	if f.RejectRate <= 0 {
		return false
	}
	return KeyShare(res, key) < f.RejectRate
}

// KeyShare maps (resource, key) to a fixed number in [0,1): the keys with
// KeyShare below rejectRate are the rejected ones. Exported so tests can
// predict them.
func KeyShare(res, key string) float64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(res))
	_, _ = h.Write([]byte{'/'})
	_, _ = h.Write([]byte(key))
	// FNV's high bits barely move for keys that differ in the last
	// character (K1, K2, ...); a murmur3 finaliser spreads them.
	z := h.Sum64()
	z ^= z >> 33
	z *= 0xff51afd7ed558ccd
	z ^= z >> 33
	z *= 0xc4ceb9fe1a85ec53
	z ^= z >> 33
	return float64(z>>11) / float64(1<<53)
}
