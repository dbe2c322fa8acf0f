package knoxsim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

const sysID = "C60REST0001"

func newCompany(t *testing.T, emp, dept int, seed int64) *Company {
	t.Helper()
	c, err := New(Config{SystemID: sysID, CompanyCode: "C60", Employees: emp, Departments: dept, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// get calls the handler in-process and decodes the answer.
func get(t *testing.T, c *Company, target string, hdr bool) (int, map[string]json.RawMessage) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if hdr {
		r.Header.Set("System-ID", sysID)
	}
	w := httptest.NewRecorder()
	c.ServeHTTP(w, r)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("%s: body is not JSON: %v: %.200s", target, err, w.Body)
	}
	return w.Code, m
}

func str(m map[string]json.RawMessage, k string) string {
	var s string
	_ = json.Unmarshal(m[k], &s)
	return s
}

func num(m map[string]json.RawMessage, k string) int {
	var n int
	_ = json.Unmarshal(m[k], &n)
	return n
}

func TestPagingOneBigDepartment(t *testing.T) {
	c := newCompany(t, 1200, 1, 1)
	seen := map[string]bool{}
	sizes := []int{500, 500, 200, 0}
	var last string
	for p, want := range sizes {
		code, m := get(t, c, "/employees?companyCode=C60&departmentCode=C60AA000&page="+itoa(p+1), true)
		if code != 200 || str(m, "result") != "success" {
			t.Fatalf("page %d: %d %v", p+1, code, m)
		}
		if num(m, "totalPage") != 3 || num(m, "totalCount") != 1200 || num(m, "currentPage") != p+1 {
			t.Errorf("page %d: totalPage %s totalCount %s currentPage %s", p+1, m["totalPage"], m["totalCount"], m["currentPage"])
		}
		var emps []Employee
		if err := json.Unmarshal(m["employees"], &emps); err != nil {
			t.Fatal(err)
		}
		if len(emps) != want {
			t.Fatalf("page %d: %d employees, want %d", p+1, len(emps), want)
		}
		for _, e := range emps {
			if seen[e.EpID] {
				t.Fatalf("epId %s on two pages", e.EpID)
			}
			if e.EpID <= last {
				t.Fatalf("order not stable: %s after %s", e.EpID, last)
			}
			seen[e.EpID], last = true, e.EpID
			if e.DepartmentCode != "C60AA000" || e.DepartmentName == "" || e.TitleName == "" {
				t.Fatalf("join missing: %+v", e)
			}
		}
	}
	if len(seen) != 1200 {
		t.Errorf("saw %d distinct employees, want 1200", len(seen))
	}
}

func TestSearchRules(t *testing.T) {
	c := newCompany(t, 50, 5, 1)
	for _, tc := range []struct {
		target string
		status int
		code   string
	}{
		{"/employees?companyCode=C60&departmentCode=C60AA000&fullName=김민수", 400, "EM0016"},
		{"/employees?companyCode=C60&departmentCode=C60AA000&titleCode=T01&page=1", 400, "EM0016"},
		{"/employees?companyCode=C60", 400, "EM0004"},
		{"/employees?companyCode=C60&titleCode=T01", 400, "EM0014"},
		{"/employees?companyCode=C60&epIds=" + strings.Repeat("x,", 100) + "x", 400, "EM0001"},
		{"/employees?companyCode=C60&fullName=김*", 400, "EM0007"},
		{"/employees?companyCode=C60&epIds=a&page=1", 400, "EM0017"},
		{"/employees?companyCode=C60&departmentCode=C60AA000&page=x", 400, "EM0015"},
		{"/employees?companyCode=C99&departmentCode=C60AA000", 400, "EM0015"},
		{"/organizations?page=1", 400, "ORG0003"},
		{"/organizations?companyCode=C60&departmentCode=A&uprDepartmentCode=B", 400, "ORG0013"},
		{"/organizations?companyCode=C60&departmentCode=C60AA000&page=1", 400, "ORG0014"},
		{"/titles", 400, "ORG0003"},
		{"/nothing", 404, "NOT_FOUND"},
	} {
		code, m := get(t, c, tc.target, true)
		if code != tc.status || str(m, "errorCode") != tc.code || str(m, "result") != "fail" {
			t.Errorf("%s: %d %s, want %d %s", tc.target, code, m["errorCode"], tc.status, tc.code)
		}
	}
	if code, m := get(t, c, "/organizations?companyCode=C60&departmentCode=C60AA000", true); code != 200 || num(m, "totalCount") != 1 {
		t.Errorf("single department lookup: %d %v", code, m)
	}
}

func TestSystemID(t *testing.T) {
	c := newCompany(t, 10, 2, 1)
	code, m := get(t, c, "/titles?companyCode=C60", false)
	if code != 401 || str(m, "errorCode") != "UNAUTHORIZED" || str(m, "result") != "fail" {
		t.Errorf("missing System-ID: %d %v", code, m)
	}
	r := httptest.NewRequest(http.MethodGet, "/titles?companyCode=C60", nil)
	r.Header.Set("System-ID", "OTHER")
	w := httptest.NewRecorder()
	c.ServeHTTP(w, r)
	if w.Code != 401 {
		t.Errorf("unknown System-ID: %d", w.Code)
	}
	code, m = get(t, c, "/titles?companyCode=C60", true)
	var titles []Title
	_ = json.Unmarshal(m["titles"], &titles)
	if code != 200 || len(titles) < 10 || titles[0].TitleCode != "T01" {
		t.Errorf("titles: %d %d", code, len(titles))
	}
}

func TestPostWithResultType(t *testing.T) {
	c := newCompany(t, 30, 1, 1)
	for body, want := range map[string]int{`{"resultType":"basic"}`: 200, `{}`: 400, `{"resultType":"optional","attributes":["userId"]}`: 200} {
		r := httptest.NewRequest(http.MethodPost, "/employees?companyCode=C60&departmentCode=C60AA000&page=1", strings.NewReader(body))
		r.Header.Set("System-ID", sysID)
		w := httptest.NewRecorder()
		c.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("POST %s: %d, want %d", body, w.Code, want)
		}
		if strings.Contains(body, "optional") && (strings.Contains(w.Body.String(), "fullName") || !strings.Contains(w.Body.String(), "userId")) {
			t.Errorf("optional result not projected: %.200s", w.Body)
		}
	}
}

func TestDeterministic(t *testing.T) {
	dump := func(seed int64) string {
		c := newCompany(t, 300, 12, seed)
		var b strings.Builder
		_, m := get(t, c, "/organizations?companyCode=C60&page=1", true)
		b.Write(m["organizations"])
		for _, code := range c.d.orgKeys {
			_, m := get(t, c, "/employees?companyCode=C60&departmentCode="+code+"&page=1", true)
			b.Write(m["employees"])
		}
		return b.String()
	}
	a, b, other := dump(7), dump(7), dump(8)
	if a != b {
		t.Error("same seed gave different companies")
	}
	if a == other {
		t.Error("different seeds gave the same company")
	}
}

func TestGenerateLarge(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	c := newCompany(t, 100_000, 5_000, 1)
	took := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("generated 100k employees / 5k departments in %s, heap +%d MB", took, (int64(after.HeapAlloc)-int64(before.HeapAlloc))>>20)
	if took > 5*time.Second { // ~0.2 s normally; generous for a shared CI box
		t.Errorf("generation took %s", took)
	}
	d := c.d
	if len(d.emps) != 100_000 || len(d.orgs) != 5_000 {
		t.Fatalf("counts %d %d", len(d.emps), len(d.orgs))
	}
	emails, users, tops, perDept := map[string]bool{}, map[string]bool{}, 0, 0
	for _, e := range d.emps {
		if len(e.epID) != 20 || emails[e.email] || users[e.userID] || !strings.HasSuffix(e.email, "@samsung.example") {
			t.Fatalf("bad or duplicate employee %+v", e)
		}
		emails[e.email], users[e.userID] = true, true
	}
	for _, o := range d.orgs {
		if o.upr == "" {
			tops++
		}
		if l := d.level(o); l > 4 {
			t.Fatalf("department %s at level %d", o.code, l)
		}
	}
	for _, l := range d.byDept {
		perDept += len(l)
	}
	if tops < 1 || tops > 5 || perDept != 100_000 {
		t.Errorf("tops %d, indexed %d", tops, perDept)
	}
	// A page is a slice of the department index, not a scan.
	start = time.Now()
	for _, code := range d.orgKeys[:200] {
		get(t, c, "/employees?companyCode=C60&departmentCode="+code+"&page=1", true)
	}
	t.Logf("200 department pages in %s", time.Since(start))
}

func TestChanges(t *testing.T) {
	c := newCompany(t, 20, 4, 1)
	ep, err := c.Hire("C60AA001")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Move(ep, "C60AA002"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rename(ep, "홍길동"); err != nil {
		t.Fatal(err)
	}
	if err := c.Regrade(ep, "T05"); err != nil {
		t.Fatal(err)
	}
	_, m := get(t, c, "/employees?companyCode=C60&epIds="+ep, true)
	var emps []Employee
	_ = json.Unmarshal(m["employees"], &emps)
	if len(emps) != 1 || emps[0].DepartmentCode != "C60AA002" || emps[0].FullName != "홍길동" || emps[0].TitleName != "차장" || emps[0].SirName != "홍" {
		t.Fatalf("after changes: %+v", emps)
	}
	if err := c.MoveDept("C60AA000", "C60AA001"); err == nil {
		t.Error("moving a department below its child should fail")
	}
	if err := c.Retire(ep); err != nil {
		t.Fatal(err)
	}
	if err := c.Retire(ep); err == nil {
		t.Error("retiring twice should fail")
	}
	if err := c.PutRaw(KindEmployees, "RAW1", []byte(`{"epId":"RAW1","departmentCode":"C60AA003","fullName":123,"emailAddress":"not-an-email"}`)); err != nil {
		t.Fatal(err)
	}
	_, m = get(t, c, "/employees?companyCode=C60&departmentCode=C60AA003", true)
	if !strings.Contains(string(m["employees"]), `"fullName":123`) {
		t.Errorf("raw record not served verbatim: %s", m["employees"])
	}
}

func itoa(n int) string { return string(pad(nil, n, 1)) }
