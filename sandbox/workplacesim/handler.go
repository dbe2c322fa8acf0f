package workplacesim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
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

// MaxLimit is the largest page a list answers.
const MaxLimit = 1000

// ServeHTTP answers /company/{companyId}/{resource}[/{key}] (the server
// strips /organization/apigw/v2; signatures cover the full request URI,
// prefix and query included).
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.gw.Count(func() int { return s.serve(w, r) })
}

func (s *Sim) serve(w http.ResponseWriter, r *http.Request) int {
	company, res, key, ok := route(r.URL)
	if !ok {
		return writeErr(w, errNoSuchPath)
	}
	f, b, refusal := s.gw.Admit(r, res, key)
	if refusal != gatewaysim.Passed {
		return writeErr(w, refused[refusal])
	}
	st := s.strict.Load()
	fail, applyFirst := st.fault(r.Method != http.MethodGet)
	if fail && !applyFirst {
		return writeErr(w, errInternal)
	}
	answer := func(e *apiError) int { return writeErr(w, st.answer(e, r.Method, res, key)) }
	if company != s.cfg.CompanyID {
		return answer(errCompany)
	}
	if r.Method == http.MethodGet {
		if key == "" {
			return s.list(w, r, res, st.PageCap)
		}
		return s.get(w, res, key, answer)
	}
	if key == "" {
		return answer(errMethod)
	}
	if refusal := s.gw.AdmitWrite(r, f, res, key); refusal != gatewaysim.Passed {
		return answer(refused[refusal])
	}
	if bad := validKey(key); bad != nil {
		return answer(bad)
	}
	bad := s.write(r.Method, res, key, b)
	if bad == nil {
		s.accepted.add(res, r.Method)
	}
	switch {
	case fail: // applied (or refused), but the answer is lost in a 500
		if bad == nil {
			s.gw.Wrote(r.Method)
		}
		return writeErr(w, errInternal)
	case bad != nil:
		if bad == errExists {
			s.gw.Stats.DupCreates.Add(1)
		}
		return answer(bad)
	}
	status := s.gw.Wrote(r.Method)
	return writeJSON(w, status, map[string]any{"status": status, "externalKey": key})
}

func (s *Sim) write(method, res, key string, b []byte) *apiError {
	create := method == http.MethodPost
	if method == http.MethodDelete {
		s.mu.Lock()
		defer s.mu.Unlock()
		switch res {
		case ResDept:
			return s.deleteDept(key)
		case ResEmp:
			return s.deleteEmployee(key)
		}
		return s.deleteItem(res, key)
	}
	switch res {
	case ResDept:
		d, bad := parseDept(key, b)
		if bad != nil {
			return bad
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.putDept(key, d, create)
	case ResEmp:
		u, bad := parseEmployee(b)
		if bad != nil {
			return bad
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.putEmployee(key, u, create)
	}
	it, bad := parseItem(b)
	if bad != nil {
		return bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.putItem(res, key, it, create)
}

// list answers GET /company/{id}/{res}?offset=&limit= with
// {"offset","limit","total","elements":[{externalKey, body fields...}]},
// in external-key order. Defaults: offset 0, limit 10 (as MCC documents).
func (s *Sim) list(w http.ResponseWriter, r *http.Request, res string, pageCap int) int {
	q := r.URL.Query()
	offset, limit := 0, 10
	var err error
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return writeErr(w, errBadQuery)
		}
	}
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > MaxLimit {
			return writeErr(w, errBadQuery)
		}
	}
	if pageCap > 0 {
		limit = min(limit, pageCap)
	}
	s.mu.Lock()
	keys := s.keys(res)
	total := len(keys)
	if offset > total {
		offset = total
	}
	keys = keys[offset:min(total, offset+limit)]
	elems := make([]map[string]any, 0, len(keys))
	for _, k := range keys {
		elems = append(elems, s.element(res, k))
	}
	s.mu.Unlock()
	return writeJSON(w, http.StatusOK, map[string]any{"offset": offset, "limit": limit, "total": total, "elements": elems})
}

func (s *Sim) get(w http.ResponseWriter, res, key string, answer func(*apiError) int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.keys(res), key) {
		return answer(map[string]*apiError{ResGrade: errGradeMissing, ResJob: errJobMissing, ResDept: errDeptMissing, ResEmp: errEmpMissing}[res])
	}
	return writeJSON(w, http.StatusOK, s.element(res, key))
}

// keys returns the sorted keys of a resource; s.mu is held.
func (s *Sim) keys(res string) []string {
	var out []string
	switch res {
	case ResGrade:
		out = mapKeys(s.st.Grades)
	case ResJob:
		out = mapKeys(s.st.Jobs)
	case ResDept:
		out = mapKeys(s.st.Depts)
	case ResEmp:
		out = mapKeys(s.st.Employees)
	}
	sort.Strings(out)
	return out
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// element is one list entry: the stored body plus externalKey; s.mu is held.
func (s *Sim) element(res, key string) map[string]any {
	var v any
	switch res {
	case ResGrade:
		v = s.st.Grades[key]
	case ResJob:
		v = s.st.Jobs[key]
	case ResDept:
		v = s.st.Depts[key]
	case ResEmp:
		v = s.st.Employees[key]
	}
	b, _ := json.Marshal(v)
	m := map[string]any{}
	_ = json.Unmarshal(b, &m)
	m["externalKey"] = key
	return m
}

// route splits /company/{companyId}/{resource}[/{key}].
func route(u *url.URL) (company, res, key string, ok bool) {
	parts := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	if (len(parts) != 3 && len(parts) != 4) || parts[0] != "company" || !slices.Contains(Resources, parts[2]) {
		return "", "", "", false
	}
	var err1, err2 error
	company, err1 = url.PathUnescape(parts[1])
	if len(parts) == 4 {
		if key, err2 = url.PathUnescape(parts[3]); key == "" {
			return "", "", "", false
		}
	}
	return company, parts[2], key, err1 == nil && err2 == nil
}

func writeErr(w http.ResponseWriter, e *apiError) int {
	if e.gateway {
		return writeJSON(w, e.status, map[string]any{"error": map[string]string{"errorCode": e.code, "message": e.message}})
	}
	code, _ := strconv.Atoi(e.code)
	errs := []map[string]string{}
	if e.field != "" {
		name, msg, _ := strings.Cut(e.field, ": ")
		errs = append(errs, map[string]string{"field": name, "message": msg})
	}
	body := map[string]any{"status": e.status, "code": code, "message": e.message, "errors": errs}
	if e.noCode {
		delete(body, "code")
	}
	return writeJSON(w, e.status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) int {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return status
}
