package knoxsim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// PageSize is Knox's page size when a page is asked for.
const PageSize = 500

// unpagedMax is how many records Knox returns when no page is given.
const unpagedMax = 2000

// listMax is the longest epIds/userIds/emailAddresses list (EM0001).
const listMax = 100

// failure is a Knox error answer.
type failure struct {
	status     int
	code, text string
}

func fail(status int, code, text string) *failure { return &failure{status, code, text} }

// ServeHTTP answers /titles, /organizations and /employees (the server
// strips the /knox prefix).
func (c *Company) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := c.Faults()
	if f.LatencyMs > 0 {
		select {
		case <-time.After(time.Duration(f.LatencyMs) * time.Millisecond):
		case <-r.Context().Done():
			return
		}
	}
	if r.Header.Get("System-ID") != c.cfg.SystemID {
		writeFail(w, fail(http.StatusUnauthorized, "UNAUTHORIZED", "System-ID is missing or not registered."))
		return
	}
	endpoint := strings.Trim(r.URL.Path, "/")
	var (
		body any
		bad  *failure
	)
	switch {
	case endpoint == KindTitles && r.Method == http.MethodGet:
		body, bad = c.titles(r)
	case endpoint == KindOrganizations && r.Method == http.MethodGet:
		body, bad = c.organizations(r)
	case endpoint == KindEmployees && (r.Method == http.MethodGet || r.Method == http.MethodPost):
		body, bad = c.employees(r)
	case endpoint == KindTitles || endpoint == KindOrganizations || endpoint == KindEmployees:
		bad = fail(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "Method "+r.Method+" is not supported.")
	default:
		bad = fail(http.StatusNotFound, "NOT_FOUND", "No such API.")
	}
	// Injected faults apply after the real work so latency and locking
	// behave as they would for a slow or broken backend.
	if f.Status != 0 && (f.StatusFor == "" || f.StatusFor == endpoint) {
		code := "EM0010"
		if endpoint != KindEmployees {
			code = "ORG0010"
		}
		bad = fail(f.Status, code, "Webservice.{} Abnormal. (injected)")
	}
	if bad != nil {
		writeFail(w, bad)
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(body)
	out := buf.Bytes()
	switch endpoint {
	case f.NotJSON:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "<html><head><title>Knox Portal</title></head><body>System maintenance</body></html>")
		return
	case f.Truncate:
		out = out[:len(out)/2]
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_, _ = w.Write(out)
}

func writeFail(w http.ResponseWriter, f *failure) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(f.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"result": "fail", "errorCode": f.code, "errorMessage": f.text})
}

// checkCompany applies the companyCode rules shared by the org endpoints.
func (c *Company) checkCompany(cc, missing, format string) *failure {
	switch cc {
	case "":
		return fail(http.StatusBadRequest, missing, "Please insert the search keyword.")
	case c.cfg.CompanyCode:
		return nil
	}
	return fail(http.StatusBadRequest, format, "Please enter companyCode according to the specified format.")
}

func (c *Company) titles(r *http.Request) (any, *failure) {
	if bad := c.checkCompany(r.URL.Query().Get("companyCode"), "ORG0003", "ORG0012"); bad != nil {
		return nil, bad
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	list := make([]any, 0, len(c.d.titleKeys))
	for _, k := range c.d.titleKeys {
		list = append(list, c.d.titleOut(c.d.titles[k]))
	}
	return map[string]any{"result": "success", "titles": list}, nil
}

// page parses the page parameter: 0 when absent.
func page(q string, code string) (int, *failure) {
	if q == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(q)
	if err != nil || n < 1 {
		return 0, fail(http.StatusBadRequest, code, "Please enter page according to the specified format.")
	}
	return n, nil
}

// window returns the bounds of page p (0 = unpaged) over n records and the
// page numbers Knox reports.
func window(n, p int) (from, to, current, total int) {
	total = (n + PageSize - 1) / PageSize
	if p == 0 {
		return 0, min(n, unpagedMax), 1, total
	}
	from = min(n, (p-1)*PageSize)
	return from, min(n, from+PageSize), p, total
}

func pageBody(listName string, list []any, current, total, count int) map[string]any {
	return map[string]any{
		"result": "success", "currentPage": current, "totalPage": total,
		"totalCount": count, listName: list,
	}
}

// keyword applies Knox's keyword rules (length, wildcard characters).
func keyword(v, tooLong, wildcard string) *failure {
	if len([]rune(v)) > 100 {
		return fail(http.StatusBadRequest, tooLong, "Search keyword should be no longer than 100 characters.")
	}
	if strings.ContainsAny(v, "*%") {
		return fail(http.StatusBadRequest, wildcard, "Search keyword can not include the caracter.")
	}
	return nil
}

func (c *Company) organizations(r *http.Request) (any, *failure) {
	q := r.URL.Query()
	if bad := c.checkCompany(q.Get("companyCode"), "ORG0003", "ORG0012"); bad != nil {
		return nil, bad
	}
	p, bad := page(q.Get("page"), "ORG0012")
	if bad != nil {
		return nil, bad
	}
	var attr, val string
	for _, a := range []string{"uprDepartmentCode", "departmentCode", "departmentName"} {
		if v := q.Get(a); v != "" {
			if attr != "" {
				return nil, fail(http.StatusBadRequest, "ORG0013", "Only one of uprDepartmentCode, departmentCode, departmentName can be selected.")
			}
			attr, val = a, v
		}
	}
	if attr != "" {
		if bad := keyword(val, "ORG0005", "ORG0006"); bad != nil {
			return nil, bad
		}
		if attr == "departmentName" && len(val) < 4 {
			return nil, fail(http.StatusBadRequest, "ORG0004", "Search keyword must be larger than 4 bytes.")
		}
		if p != 0 {
			return nil, fail(http.StatusBadRequest, "ORG0014", "For the requested search conditions, paging is not possible.")
		}
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	d := c.d
	keys := d.orgKeys
	if attr != "" {
		keys = nil
		for _, k := range d.orgKeys {
			o := d.orgs[k]
			if (attr == "departmentCode" && o.code == val) || (attr == "uprDepartmentCode" && o.upr == val) ||
				(attr == "departmentName" && o.name == val) {
				keys = append(keys, k)
			}
		}
	}
	from, to, cur, total := window(len(keys), p)
	list := make([]any, 0, to-from)
	for _, k := range keys[from:to] {
		list = append(list, d.orgOut(d.orgs[k]))
	}
	return pageBody("organizations", list, cur, total, len(keys)), nil
}
