package workplacesim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
)

// Strict switches make the stand-in answer the way a stricter WORKPLACE
// may, wherever the documents allow several answers: they give no page
// cap, one service code only (seed 003: 400 / -1015 "emp not found"), and
// say nothing of what a 500 leaves behind. Set with POST
// /admin/workplace/strict; the zero value is the default stand-in.
type Strict struct {
	// PageCap bounds a list page, whatever limit the client asked
	// (0: the limit, up to MaxLimit).
	PageCap int `json:"pageCap,omitempty"`
	// NotFoundVariants answers a missing key in one of three ways, chosen
	// by the request (method, resource, key): 404 with the resource's
	// code, 400 / -1015 "emp not found" for every resource (the seed's
	// only code), or 404 without a code.
	NotFoundVariants bool `json:"notFoundVariants,omitempty"`
	// PlainErrors answers every service error (4xx) as a plain 400 with
	// code -9999 and no field list. Gateway answers (401, 429) keep theirs.
	PlainErrors bool `json:"plainErrors,omitempty"`
	// ServerErrorRate is the share of requests answered 500 / -9500; half
	// of the writes so answered were applied first (the answer is lost,
	// the change is not).
	ServerErrorRate float64 `json:"serverErrorRate,omitempty"`
}

// ErrBadStrict is returned for a strict setting that cannot apply.
var ErrBadStrict = errors.New("bad strict setting")

// SetStrict replaces the strict switches.
func (s *Sim) SetStrict(st Strict) error {
	if st.PageCap < 0 || st.ServerErrorRate < 0 || st.ServerErrorRate > 1 {
		return fmt.Errorf("%w: pageCap must not be negative, serverErrorRate must be in 0..1", ErrBadStrict)
	}
	s.strict.Store(&st)
	return nil
}

// Strict returns the current strict switches.
func (s *Sim) Strict() Strict { return *s.strict.Load() }

var (
	errInternal  = svc(http.StatusInternalServerError, "-9500", "internal server error")
	errPlain     = svc(http.StatusBadRequest, "-9999", "bad request")
	errSeedNF    = svc(http.StatusBadRequest, "-1015", "emp not found")
	errNoCodeNF  = &apiError{status: http.StatusNotFound, message: "not found", noCode: true}
	errOwnMissed = map[*apiError]bool{errGradeMissing: true, errJobMissing: true, errDeptMissing: true, errEmpMissing: true}
)

// fault draws the 500s of a request: fail says the answer is a 500,
// applyFirst that a write is applied before it.
func (st *Strict) fault(write bool) (fail, applyFirst bool) {
	if st.ServerErrorRate <= 0 || rand.Float64() >= st.ServerErrorRate {
		return false, false
	}
	return true, write && rand.IntN(2) == 0
}

// answer rewrites a service error the way the switches say; method, res
// and key choose a not-found variant.
func (st *Strict) answer(e *apiError, method, res, key string) *apiError {
	if e == nil || e.gateway || e.status >= 500 {
		return e
	}
	if st.NotFoundVariants && errOwnMissed[e] {
		switch int(KeyShare(method+" "+res, key) * 3) {
		case 1:
			e = errSeedNF
		case 2:
			e = errNoCodeNF
		}
	}
	if st.PlainErrors {
		return errPlain
	}
	return e
}

// Accepted counts the writes the stand-in applied, by resource and
// method, whatever it answered (a 500 after applying included): what a
// run's report must add up to.
type Accepted map[string]map[string]int64

type acceptedCounters [4][3]atomic.Int64

var writeMethods = [3]string{http.MethodPost, http.MethodPut, http.MethodDelete}

func (a *acceptedCounters) add(res, method string) {
	for i, r := range Resources {
		for j, m := range writeMethods {
			if r == res && m == method {
				a[i][j].Add(1)
			}
		}
	}
}

func (a *acceptedCounters) reset() {
	for i := range a {
		for j := range a[i] {
			a[i][j].Store(0)
		}
	}
}

// Accepted returns the applied writes by resource and method.
func (s *Sim) Accepted() Accepted {
	out := Accepted{}
	for i, r := range Resources {
		out[r] = map[string]int64{}
		for j, m := range writeMethods {
			out[r][m] = s.accepted[i][j].Load()
		}
	}
	return out
}
