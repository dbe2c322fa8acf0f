package knoxsim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
)

// searchAttrs are the employee search attributes of which a call may use
// only one (seed 001: "3~10번 속성 중 1개의 속성만 사용 가능").
var searchAttrs = []string{"fullName", "departmentCode", "employeeNumber", "name", "epIds", "userIds", "emailAddresses", "titleCode"}

const oneOfMsg = "Only one of fullName, departmentCode, employeeNumber, name, epIds, userIds, emailAddresses, titleCode can be selected."

// resultSpec is the POST body of an employee search.
type resultSpec struct {
	ResultType string   `json:"resultType"`
	Attributes []string `json:"attributes"`
}

func (c *Company) employees(r *http.Request) (any, *failure) {
	spec, bad := readSpec(r)
	if bad != nil {
		return nil, bad
	}
	q := r.URL.Query()
	cc := q.Get("companyCode")
	if cc != "" && cc != c.cfg.CompanyCode {
		return nil, fail(http.StatusBadRequest, "EM0015", "Please enter companyCode according to the specified format.")
	}
	p, bad := page(q.Get("page"), "EM0015")
	if bad != nil {
		return nil, bad
	}
	var attr, val string
	for _, a := range searchAttrs {
		if v := q.Get(a); v != "" {
			if attr != "" {
				return nil, fail(http.StatusBadRequest, "EM0016", oneOfMsg)
			}
			attr, val = a, v
		}
	}
	if attr == "" {
		return nil, fail(http.StatusBadRequest, "EM0004", "Please insert the search keyword.")
	}
	var list []string
	if strings.HasSuffix(attr, "s") { // epIds, userIds, emailAddresses
		list = strings.Split(val, ",")
		if len(list) > listMax {
			return nil, fail(http.StatusBadRequest, "EM0001", "Search request with more than 100 list can not be proceeded.")
		}
		for _, v := range list {
			if bad := keyword(v, "EM0006", "EM0007"); bad != nil {
				return nil, bad
			}
		}
	} else if bad := keyword(val, "EM0006", "EM0007"); bad != nil {
		return nil, bad
	}
	if attr == "titleCode" && (cc == "" || p == 0) {
		return nil, fail(http.StatusBadRequest, "EM0014", "Please enter companyCode, page as required.")
	}
	if p != 0 && !(attr == "departmentCode" && cc != "" || attr == "titleCode" || attr == "name") {
		return nil, fail(http.StatusBadRequest, "EM0017", "For the requested search conditions, paging is not possible.")
	}

	c.mu.RLock()
	d := c.d
	found := d.search(attr, val, list)
	from, to, cur, total := window(len(found), p)
	out := make([]any, 0, to-from)
	for _, e := range found[from:to] {
		out = append(out, d.empOut(e))
	}
	c.mu.RUnlock()

	if spec.ResultType == "optional" {
		for i, e := range out {
			out[i] = project(e, spec.Attributes)
		}
	}
	return pageBody("employees", out, cur, total, len(found)), nil
}

// search returns the matching employees in a stable order. The department
// search, the one a sync uses, is a slice of the index: O(page).
func (d *dataset) search(attr, val string, list []string) []*employee {
	switch attr {
	case "departmentCode":
		return d.byDept[val]
	case "epIds":
		var out []*employee
		seen := map[string]bool{}
		for _, id := range list {
			if e := d.emps[id]; e != nil && !seen[id] {
				seen[id] = true
				out = append(out, e)
			}
		}
		return out
	}
	set := map[string]bool{}
	for _, v := range list {
		set[strings.ToLower(v)] = true
	}
	var out []*employee
	for _, e := range d.emps {
		var ok bool
		switch attr {
		case "fullName":
			ok = e.fullName == val
		case "name":
			ok = strings.Contains(e.fullName, val)
		case "employeeNumber":
			ok = e.number == val
		case "titleCode":
			ok = e.title == val
		case "userIds":
			ok = set[strings.ToLower(e.userID)]
		case "emailAddresses":
			ok = set[strings.ToLower(e.email)]
		}
		if ok {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}

// readSpec reads the optional POST body {"resultType":"basic"}.
func readSpec(r *http.Request) (resultSpec, *failure) {
	spec := resultSpec{ResultType: "basic"}
	if r.Method != http.MethodPost {
		return spec, nil
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if len(bytes.TrimSpace(body)) == 0 {
		return spec, fail(http.StatusBadRequest, "EM0014", "Please enter resultType as required.")
	}
	spec.ResultType = ""
	if json.Unmarshal(body, &spec) != nil {
		return spec, fail(http.StatusBadRequest, "EM0015", "Please enter resultType according to the specified format.")
	}
	switch {
	case spec.ResultType == "":
		return spec, fail(http.StatusBadRequest, "EM0014", "Please enter resultType as required.")
	case spec.ResultType == "optional" && len(spec.Attributes) == 0:
		return spec, fail(http.StatusBadRequest, "EM0014", "Please enter attributes as required.")
	case spec.ResultType != "basic" && spec.ResultType != "optional":
		return spec, fail(http.StatusBadRequest, "EM0015", "Please enter resultType according to the specified format.")
	}
	return spec, nil
}

// project keeps only the named attributes of an employee (resultType
// optional). Slow, but optional results are not what a sync asks for.
func project(e any, attrs []string) any {
	b, err := json.Marshal(e)
	if err != nil {
		return e
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return e
	}
	out := make(map[string]json.RawMessage, len(attrs))
	for _, a := range attrs {
		if v, ok := m[a]; ok {
			out[a] = v
		}
	}
	return out
}
