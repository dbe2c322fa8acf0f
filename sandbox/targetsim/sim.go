// Package targetsim is the skeleton the two target stand-ins share
// (sandbox/workboxsim for WORKBOX, sandbox/workplacesim for WORKPLACE):
// four resources (two flat item lists, a department tree, members) behind
// the API gateway, bodies parsed outside the lock, the reference checks and
// usage counts that guard writes and deletes, the list and get reads and
// the strict switches. What differs between the products (paths, record
// types, field rules, error codes) each stand-in gives as a Spec.
package targetsim

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/orgsync/orgsync/sandbox/gatewaysim"
)

// Resource indexes, in sync order: Spec.Resources names them.
const (
	Grade    = iota // job grade
	Position        // job position (WORKPLACE: job)
	Dept
	Member // user (WORKPLACE: employee)
)

// Error is an error answer. Gateway errors are answered in the API
// Gateway's shape {"error":{"errorCode","message"}}, as WORKBOX answers all
// of its own; the others in WORKPLACE's service shape {"status","code",
// "message","errors"}.
type Error struct {
	Status  int
	Code    string
	Message string
	Field   string // "field: rule" a service error reports in errors[]
	Gateway bool
	NoCode  bool // a service answer without a code (Strict.NotFoundVariants)
}

func (e *Error) Error() string { return e.Code + " " + e.Message }

// gateway are the API Gateway's own answers, the same in front of both
// products: an unknown path, and the refusals the gateway itself makes.
var (
	noSuchPath = &Error{Status: http.StatusNotFound, Code: "300", Message: "Not Found Exception", Gateway: true}
	gateway    = [...]*Error{
		gatewaysim.Endpoint:    {Status: http.StatusServiceUnavailable, Code: "500", Message: "Endpoint Error", Gateway: true},
		gatewaysim.AuthFailed:  {Status: http.StatusUnauthorized, Code: "200", Message: "Authentication Failed", Gateway: true},
		gatewaysim.RateLimited: {Status: http.StatusTooManyRequests, Code: "420", Message: "Rate Limited", Gateway: true},
		gatewaysim.TooLarge:    {Status: http.StatusRequestEntityTooLarge, Code: "430", Message: "Request Entity Too Large", Gateway: true},
	}
)

// Errors are a product's answers to the skeleton's checks.
type Errors struct {
	// Refused are the product's answers to a refusal the gateway leaves
	// to the service (BadBody, Method, MediaType, SyncOff, Rejected).
	Refused                          [gatewaysim.Rejected + 1]*Error
	Company, Key, Exists             *Error
	Missing                          [4]*Error // a write or read of an absent key, by resource
	Ref                              [3]*Error // a member names an absent department, grade, position
	ParentMissing, SelfParent, Cycle *Error
	HasChildren, HasMembers, InUse   *Error
	DupName                          *Error   // nil: item names may repeat
	Unique                           []*Error // by Refs.Unique index
	// Reads and strict switches (WORKPLACE only).
	BadQuery, Internal, Plain, SeedNotFound *Error
}

func (e *Errors) refused(r gatewaysim.Refusal) *Error {
	if int(r) < len(gateway) && gateway[r] != nil {
		return gateway[r]
	}
	return e.Refused[r]
}

// Refs are what a member record points at and holds alone.
type Refs struct {
	Depts           []string // each must exist (none: no department)
	Grade, Position string   // "" for none
	Unique          []string // lower-cased values no other member may hold ("" for none)
}

// Spec is what a product adds to the skeleton.
type Spec[I, D, M any] struct {
	Gateway   gatewaysim.Config // Resources is filled from Resources
	Company   string
	Path      []string  // segments before {companyId}/{resource}
	Resources [4]string // by resource index, as in the URL
	Reads     bool      // GET of a collection or key (WORKPLACE)
	MaxKey    int       // characters of an external key
	Errors    Errors

	ParseItem   func(b []byte) (I, *Error)
	ParseDept   func(key string, b []byte) (D, *Error)
	ParseMember func(b []byte) (M, *Error)
	ItemName    func(I) string // the unique name, when Errors.DupName is set
	Parent      func(D) string // "#" for a top department
	Refs        func(M) Refs
	Success     func(status int, key string) any // a write's answer body
}

// Sim is a target stand-in. One mutex guards the state; it is held only
// for the reference checks and the map update, never while reading a
// body, sleeping or signing.
type Sim[I, D, M any] struct {
	spec     Spec[I, D, M]
	gw       *gatewaysim.Gateway // signatures, clock, faults, counters
	strict   atomic.Pointer[Strict]
	accepted [4][3]atomic.Int64 // by resource and writeMethods

	mu      sync.Mutex
	items   [2]map[string]I // by resource index
	depts   map[string]D
	members map[string]M
	kids    map[string]int      // child departments by parent key
	inDept  map[string]int      // members by department key
	use     [2]map[string]int   // members by grade, position key
	unique  []map[string]string // by Refs.Unique index: value -> member key
}

// New returns an empty stand-in.
func New[I, D, M any](spec Spec[I, D, M]) *Sim[I, D, M] {
	spec.Gateway.Resources = spec.Resources[:]
	s := &Sim[I, D, M]{spec: spec, gw: gatewaysim.New(spec.Gateway)}
	s.Reset()
	return s
}

// Reset empties the state, zeroes the counters and clears the faults and
// the strict switches.
func (s *Sim[I, D, M]) Reset() {
	s.strict.Store(&Strict{})
	for i := range s.accepted {
		for j := range s.accepted[i] {
			s.accepted[i][j].Store(0)
		}
	}
	s.mu.Lock()
	s.items = [2]map[string]I{{}, {}}
	s.depts, s.members = map[string]D{}, map[string]M{}
	s.kids, s.inDept, s.use = map[string]int{}, map[string]int{}, [2]map[string]int{{}, {}}
	s.unique = make([]map[string]string, len(s.spec.Errors.Unique))
	for i := range s.unique {
		s.unique[i] = map[string]string{}
	}
	s.mu.Unlock()
	s.gw.Reset()
}

// Snapshot returns a copy of the state. Stored values are replaced, never
// mutated in place, so sharing their maps and slices is safe.
func (s *Sim[I, D, M]) Snapshot() (items [2]map[string]I, depts map[string]D, members map[string]M) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return [2]map[string]I{maps.Clone(s.items[0]), maps.Clone(s.items[1])}, maps.Clone(s.depts), maps.Clone(s.members)
}

// ServeHTTP answers {Path...}/{companyId}/{resource}/{key} (and, with
// Reads, {Path...}/{companyId}/{resource}) below the server's prefix.
func (s *Sim[I, D, M]) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.gw.Count(func() int { return s.serve(w, r) })
}

// serve answers one request and returns the status it sent. The order of
// checks follows a gateway in front of a service: routing, the gateway's
// own, then the service's.
func (s *Sim[I, D, M]) serve(w http.ResponseWriter, r *http.Request) int {
	e := &s.spec.Errors
	company, res, key, ok := s.route(r.URL)
	if !ok {
		return writeErr(w, noSuchPath)
	}
	name := s.spec.Resources[res]
	f, b, refusal := s.gw.Admit(r, name, key)
	if refusal != gatewaysim.Passed {
		return writeErr(w, e.refused(refusal))
	}
	st := s.strict.Load()
	fail, applyFirst := st.fault(r.Method != http.MethodGet)
	if fail && !applyFirst {
		return writeErr(w, e.Internal)
	}
	answer := func(bad *Error) int { return writeErr(w, s.answer(st, bad, r.Method+" "+name, key)) }
	if company != s.spec.Company {
		return answer(e.Company)
	}
	if s.spec.Reads && r.Method == http.MethodGet {
		if key == "" {
			return s.list(w, r, res, st.PageCap)
		}
		return s.get(w, res, key, answer)
	}
	if s.spec.Reads && key == "" { // a collection takes no writes
		return answer(e.Refused[gatewaysim.Method])
	}
	if refusal := s.gw.AdmitWrite(r, f, name, key); refusal != gatewaysim.Passed {
		return answer(e.refused(refusal))
	}
	if n := utf8.RuneCountInString(key); n == 0 || n > s.spec.MaxKey || key == "#" || strings.ContainsAny(key, "\x00\r\n\t") {
		return answer(e.Key)
	}
	bad := s.Write(r.Method, res, key, b)
	if bad == nil {
		s.accepted[res][slices.Index(writeMethods[:], r.Method)].Add(1)
	}
	switch {
	case fail: // applied (or refused), but the answer is lost in a 500
		if bad == nil {
			s.gw.Wrote(r.Method)
		}
		return writeErr(w, e.Internal)
	case bad != nil:
		if bad == e.Exists {
			s.gw.Stats.DupCreates.Add(1)
		}
		return answer(bad)
	}
	status := s.gw.Wrote(r.Method)
	return writeJSON(w, status, s.spec.Success(status, key))
}

// route splits the path. The segments are unescaped one by one so that an
// escaped "/" stays in a key. Without Reads the key segment is required
// (empty, it fails the key rule); with Reads it may be absent, not empty.
func (s *Sim[I, D, M]) route(u *url.URL) (company string, res int, key string, ok bool) {
	parts := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	n := len(s.spec.Path)
	if len(parts) < n+2 || len(parts) > n+3 || !slices.Equal(parts[:n], s.spec.Path) {
		return "", 0, "", false
	}
	if res = slices.Index(s.spec.Resources[:], parts[n+1]); res < 0 {
		return "", 0, "", false
	}
	company, err1 := url.PathUnescape(parts[n])
	var err2 error
	switch {
	case len(parts) == n+3:
		if key, err2 = url.PathUnescape(parts[n+2]); key == "" && s.spec.Reads {
			return "", 0, "", false
		}
	case !s.spec.Reads:
		return "", 0, "", false
	}
	return company, res, key, err1 == nil && err2 == nil
}

func writeErr(w http.ResponseWriter, e *Error) int {
	if e.Gateway {
		return writeJSON(w, e.Status, map[string]any{"error": map[string]string{"errorCode": e.Code, "message": e.Message}})
	}
	code, _ := strconv.Atoi(e.Code)
	errs := []map[string]string{}
	if e.Field != "" {
		name, msg, _ := strings.Cut(e.Field, ": ")
		errs = append(errs, map[string]string{"field": name, "message": msg})
	}
	body := map[string]any{"status": e.Status, "code": code, "message": e.Message, "errors": errs}
	if e.NoCode {
		delete(body, "code")
	}
	return writeJSON(w, e.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) int {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return status
}

// Front is what callers of either stand-in use alike; the stand-ins embed
// it so that the generic Sim's other methods stay theirs to expose.
type Front struct {
	h     http.Handler
	reset func()
	gw    *gatewaysim.Gateway
}

// Front returns the stand-in's common face.
func (s *Sim[I, D, M]) Front() Front { return Front{s, s.Reset, s.gw} }

// ServeHTTP answers one request.
func (f Front) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.h.ServeHTTP(w, r) }

// Reset empties the state, zeroes the counters and clears the faults and
// the strict switches.
func (f Front) Reset() { f.reset() }

// SetFaults replaces the faults. A new rate limit starts with a full bucket.
func (f Front) SetFaults(x gatewaysim.Faults) error { return f.gw.SetFaults(x) }

// Faults returns the current faults.
func (f Front) Faults() gatewaysim.Faults { return f.gw.Faults() }

// Stats returns a snapshot of the counters.
func (f Front) Stats() gatewaysim.Stats { return f.gw.Snapshot() }
