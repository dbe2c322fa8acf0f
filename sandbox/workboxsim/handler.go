package workboxsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/orgsync/orgsync/sandbox/gatewaysim"
)

// MaxBody is the largest accepted request body; beyond it 413 / 430.
const MaxBody = gatewaysim.MaxBody

// refused answers the gateway's refusals.
var refused = [...]*apiError{
	gatewaysim.Endpoint:    errEndpoint,
	gatewaysim.AuthFailed:  errAuth,
	gatewaysim.RateLimited: errRateLimited,
	gatewaysim.BadBody:     errBadBody,
	gatewaysim.TooLarge:    errTooLarge,
	gatewaysim.Method:      errMethod,
	gatewaysim.MediaType:   errMediaType,
	gatewaysim.SyncOff:     errSyncOff,
	gatewaysim.Rejected:    errRejected,
}

// ServeHTTP answers /organization/company/{companyId}/{resource}/{key}
// (the server strips the /workbox/workbox/openapi/v1 prefix; signatures are
// checked against the full request URI, prefix included).
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.gw.Count(func() int { return s.serve(w, r) })
}

// serve answers one request and returns the status it sent. The order of
// checks follows a gateway in front of a service: routing, latency,
// authentication, throttling, injected errors, body size; then the
// service's own checks.
func (s *Sim) serve(w http.ResponseWriter, r *http.Request) int {
	company, res, key, ok := route(r.URL)
	if !ok {
		return writeErr(w, errNoSuchPath)
	}
	f, b, refusal := s.gw.Admit(r, res, key)
	if refusal != gatewaysim.Passed {
		return writeErr(w, refused[refusal])
	}
	if company != s.cfg.CompanyID {
		return writeErr(w, errCompany)
	}
	if refusal := s.gw.AdmitWrite(r, f, res, key); refusal != gatewaysim.Passed {
		return writeErr(w, refused[refusal])
	}
	if bad := validKey(key); bad != nil {
		return writeErr(w, bad)
	}
	if bad := s.write(r.Method, res, key, b); bad != nil {
		if bad == errExists {
			s.gw.Stats.DupCreates.Add(1)
		}
		return writeErr(w, bad)
	}
	status := s.gw.Wrote(r.Method)
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `{"result":"success"}`)
	return status
}

// write parses the body outside the lock, then applies it under the lock.
func (s *Sim) write(method, res, key string, b []byte) *apiError {
	create := method == http.MethodPost
	if method == http.MethodDelete {
		s.mu.Lock()
		defer s.mu.Unlock()
		switch res {
		case ResDept:
			return s.deleteDept(key)
		case ResUser:
			return s.deleteUser(key)
		}
		return s.deleteItem(res, key)
	}
	switch res {
	case ResDept:
		d, bad := parseDept(b)
		if bad != nil {
			return bad
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.putDept(key, d, create)
	case ResUser:
		u, bad := parseUser(b)
		if bad != nil {
			return bad
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.putUser(key, u, create)
	}
	it, bad := parseItem(b)
	if bad != nil {
		return bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.putItem(res, key, it, create)
}

// route splits /organization/company/{companyId}/{resource}/{key}. The
// segments are unescaped one by one so that an escaped "/" stays in a key.
func route(u *url.URL) (company, res, key string, ok bool) {
	parts := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	if len(parts) != 5 || parts[0] != "organization" || parts[1] != "company" || !slices.Contains(Resources, parts[3]) {
		return "", "", "", false
	}
	var err1, err2 error
	company, err1 = url.PathUnescape(parts[2])
	key, err2 = url.PathUnescape(parts[4])
	return company, parts[3], key, err1 == nil && err2 == nil
}

func writeErr(w http.ResponseWriter, e *apiError) int {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"errorCode": e.code, "message": e.message}})
	return e.status
}
