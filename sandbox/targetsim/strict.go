package targetsim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"

	"github.com/orgsync/orgsync/sandbox/gatewaysim"
)

// Strict switches make a stand-in answer the way a stricter product may,
// wherever the documents allow several answers. WORKPLACE's documents give
// no page cap, one service code only (seed 003: 400 / -1015 "emp not
// found"), and say nothing of what a 500 leaves behind; workplacesim
// exposes the switches. The zero value is the default stand-in.
type Strict struct {
	// PageCap bounds a list page, whatever limit the client asked
	// (0: the limit, up to MaxLimit).
	PageCap int `json:"pageCap,omitempty"`
	// NotFoundVariants answers a missing key in one of three ways, chosen
	// by the request (method, resource, key): 404 with the resource's
	// code, Errors.SeedNotFound for every resource (the seed's only code),
	// or 404 without a code.
	NotFoundVariants bool `json:"notFoundVariants,omitempty"`
	// PlainErrors answers every service error (4xx) as Errors.Plain with
	// no field list. Gateway answers (401, 429) keep theirs.
	PlainErrors bool `json:"plainErrors,omitempty"`
	// ServerErrorRate is the share of requests answered Errors.Internal;
	// half of the writes so answered were applied first (the answer is
	// lost, the change is not).
	ServerErrorRate float64 `json:"serverErrorRate,omitempty"`
}

// ErrBadStrict is returned for a strict setting that cannot apply.
var ErrBadStrict = errors.New("bad strict setting")

// SetStrict replaces the strict switches.
func (s *Sim[I, D, M]) SetStrict(st Strict) error {
	if st.PageCap < 0 || st.ServerErrorRate < 0 || st.ServerErrorRate > 1 {
		return fmt.Errorf("%w: pageCap must not be negative, serverErrorRate must be in 0..1", ErrBadStrict)
	}
	s.strict.Store(&st)
	return nil
}

// Strict returns the current strict switches.
func (s *Sim[I, D, M]) Strict() Strict { return *s.strict.Load() }

var errNoCodeNF = &Error{Status: http.StatusNotFound, Message: "not found", NoCode: true}

// fault draws the 500s of a request: fail says the answer is a 500,
// applyFirst that a write is applied before it.
func (st *Strict) fault(write bool) (fail, applyFirst bool) {
	if st.ServerErrorRate <= 0 || rand.Float64() >= st.ServerErrorRate {
		return false, false
	}
	return true, write && rand.IntN(2) == 0
}

// answer rewrites a service error the way the switches say; the request
// ("METHOD resource") and key choose a not-found variant.
func (s *Sim[I, D, M]) answer(st *Strict, e *Error, req, key string) *Error {
	if e == nil || e.Gateway || e.Status >= 500 {
		return e
	}
	if st.NotFoundVariants && slices.Contains(s.spec.Errors.Missing[:], e) {
		switch int(gatewaysim.KeyShare(req, key) * 3) {
		case 1:
			e = s.spec.Errors.SeedNotFound
		case 2:
			e = errNoCodeNF
		}
	}
	if st.PlainErrors {
		return s.spec.Errors.Plain
	}
	return e
}

// Accepted counts the writes a stand-in applied, by resource and method,
// whatever it answered (a 500 after applying included): what a run's
// report must add up to.
type Accepted map[string]map[string]int64

var writeMethods = [3]string{http.MethodPost, http.MethodPut, http.MethodDelete}

// Accepted returns the applied writes by resource and method.
func (s *Sim[I, D, M]) Accepted() Accepted {
	out := Accepted{}
	for i, r := range s.spec.Resources {
		out[r] = map[string]int64{}
		for j, m := range writeMethods {
			out[r][m] = s.accepted[i][j].Load()
		}
	}
	return out
}
