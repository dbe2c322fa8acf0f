package workplacesim

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"

	"golang.org/x/time/rate"
)

// Faults are switchable misbehaviours, set with POST /admin/workplace/faults.
// Setting replaces the whole set; the zero value clears everything.
type Faults struct {
	ErrorRate   float64  `json:"errorRate,omitempty"`   // share of requests answered 503 / 500
	LatencyMs   int      `json:"latencyMs,omitempty"`   // delay before every answer
	RPS         float64  `json:"rps,omitempty"`         // token bucket rate; beyond it 429 / 420
	Burst       int      `json:"burst,omitempty"`       // bucket size; 0 = ceil(rps)
	SyncOff     []string `json:"syncOff,omitempty"`     // resources whose console switch is OFF (403 / -1003)
	RejectRate  float64  `json:"rejectRate,omitempty"`  // share of keys, by hash, refused with 400 / -1050
	Reject      []string `json:"reject,omitempty"`      // resources whose every write is refused (400 / -1050)
	ClockSkewMs int64    `json:"clockSkewMs,omitempty"` // added to the stand-in's clock
}

// faultSet is Faults prepared for the hot path; it is swapped atomically so
// requests read it without a lock.
type faultSet struct {
	Faults
	limiter *rate.Limiter
}

// ErrBadFaults is returned for a fault setting that cannot apply.
var ErrBadFaults = errors.New("bad faults")

// SetFaults replaces the faults. A new rate limit starts with a full bucket.
func (s *Sim) SetFaults(f Faults) error {
	if f.ErrorRate < 0 || f.ErrorRate > 1 || f.RejectRate < 0 || f.RejectRate > 1 {
		return fmt.Errorf("%w: rates must be in 0..1", ErrBadFaults)
	}
	if f.LatencyMs < 0 || f.RPS < 0 || f.Burst < 0 {
		return fmt.Errorf("%w: latencyMs, rps and burst must not be negative", ErrBadFaults)
	}
	for _, r := range append(slices.Clone(f.SyncOff), f.Reject...) {
		if !slices.Contains(Resources, r) {
			return fmt.Errorf("%w: unknown resource %q", ErrBadFaults, r)
		}
	}
	fs := &faultSet{Faults: f}
	if f.RPS > 0 {
		burst := f.Burst
		if burst == 0 {
			burst = max(1, int(math.Ceil(f.RPS)))
		}
		fs.limiter = rate.NewLimiter(rate.Limit(f.RPS), burst)
	}
	s.faults.Store(fs)
	return nil
}

// Faults returns the current faults.
func (s *Sim) Faults() Faults { return s.faults.Load().Faults }

// rejects reports whether writes of key in res are refused: every write of
// a listed resource, or a fixed share of keys chosen by hash so that the
// same keys fail on every run and every retry.
func (f *faultSet) rejects(res, key string) bool {
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
