package server_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/orgsync/orgsync/sandbox/server"
)

type knoxPage struct {
	Result      string            `json:"result"`
	TotalCount  int               `json:"totalCount"`
	Employees   []json.RawMessage `json:"employees"`
	ErrorCode   string            `json:"errorCode"`
	CurrentPage int               `json:"currentPage"`
}

func (e *env) employees(dept string) (int, knoxPage) {
	e.t.Helper()
	code, b := e.knox("/employees?companyCode=C60&departmentCode=" + dept + "&page=1")
	var p knoxPage
	_ = json.Unmarshal(b, &p)
	return code, p
}

func TestAdminResetAndChanges(t *testing.T) {
	e := newEnv(t, nil)
	var ok struct {
		OK          bool   `json:"ok"`
		Employees   int    `json:"employees"`
		Departments int    `json:"departments"`
		EpID        string `json:"epId"`
		Error       string `json:"error"`
	}
	if e.admin("POST", "/admin/reset", m{"employees": 30, "departments": 3, "seed": 9}, &ok) != 200 || !ok.OK || ok.Employees != 30 || ok.Departments != 3 {
		t.Fatalf("reset: %+v", ok)
	}
	if code := e.admin("POST", "/admin/knox/change", m{"op": "hire", "departmentCode": "C60AA001"}, &ok); code != 200 || ok.EpID == "" {
		t.Fatalf("hire: %d %+v", code, ok)
	}
	ep := ok.EpID
	has := func(dept, ep string) bool {
		_, p := e.employees(dept)
		for _, r := range p.Employees {
			if strings.Contains(string(r), ep) {
				return true
			}
		}
		return false
	}
	if !has("C60AA001", ep) {
		t.Fatal("hired employee not listed")
	}
	for _, c := range []m{
		{"op": "move", "epId": ep, "departmentCode": "C60AA002"},
		{"op": "rename", "epId": ep, "fullName": "홍길동"},
		{"op": "regrade", "epId": ep, "titleCode": "T04"},
		{"op": "rename-dept", "departmentCode": "C60AA002", "departmentName": "신설팀"},
		{"op": "move-dept", "departmentCode": "C60AA002", "uprDepartmentCode": ""},
	} {
		if code := e.admin("POST", "/admin/knox/change", c, &ok); code != 200 || !ok.OK {
			t.Fatalf("%v: %d %+v", c, code, ok)
		}
	}
	if !has("C60AA002", ep) || has("C60AA001", ep) {
		t.Fatal("move not visible")
	}
	_, b := e.knox("/employees?companyCode=C60&epIds=" + ep)
	for _, want := range []string{`"fullName":"홍길동"`, `"titleCode":"T04"`, `"departmentName":"신설팀"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("missing %s in %s", want, b)
		}
	}
	_, b = e.knox("/organizations?companyCode=C60&departmentCode=C60AA002")
	if !strings.Contains(string(b), `"uprDepartmentCode":""`) || !strings.Contains(string(b), `"departmentLevel":"1"`) {
		t.Errorf("move-dept not visible: %s", b)
	}
	for _, c := range []struct {
		body m
		want int
	}{
		{m{"op": "retire", "epId": ep}, 200},
		{m{"op": "retire", "epId": ep}, 404},
		{m{"op": "hire", "departmentCode": "NOPE"}, 404},
		{m{"op": "fire"}, 400},
		{m{"op": "clear-employees"}, 200},
	} {
		if code := e.admin("POST", "/admin/knox/change", c.body, &ok); code != c.want {
			t.Errorf("%v: %d, want %d (%s)", c.body, code, c.want, ok.Error)
		}
	}
	if _, p := e.employees("C60AA000"); p.TotalCount != 0 {
		t.Errorf("clear-employees left %d", p.TotalCount)
	}
	if e.admin("POST", "/admin/reset", m{"employees": 5, "departments": 0}, nil) != 400 {
		t.Error("employees without departments accepted")
	}
}

func TestAdminRawRecords(t *testing.T) {
	e := newEnv(t, nil)
	garbage := m{"epId": "BAD1", "departmentCode": "C60AA000", "fullName": strings.Repeat("가", 300), "emailAddress": 42, "titleCode": nil}
	if e.admin("PUT", "/admin/knox/employees/BAD1", garbage, nil) != 200 {
		t.Fatal("raw put")
	}
	_, b := e.knox("/employees?companyCode=C60&epIds=BAD1")
	if !strings.Contains(string(b), `"emailAddress":42`) {
		t.Fatalf("raw record not served: %.300s", b)
	}
	if e.admin("PUT", "/admin/knox/organizations/ZZ1", m{"departmentCode": "ZZ1", "uprDepartmentCode": "ZZ1"}, nil) != 200 {
		t.Fatal("raw org")
	}
	_, b = e.knox("/organizations?companyCode=C60&uprDepartmentCode=ZZ1")
	if !strings.Contains(string(b), `"totalCount":1`) {
		t.Errorf("self-parented raw org not found by parent: %s", b)
	}
	if e.admin("PUT", "/admin/knox/titles/T99", m{"titleCode": "T99", "sortOrder": "abc"}, nil) != 200 {
		t.Fatal("raw title")
	}
	if e.admin("DELETE", "/admin/knox/employees/BAD1", nil, nil) != 200 || e.admin("DELETE", "/admin/knox/employees/BAD1", nil, nil) != 404 {
		t.Error("raw delete")
	}
	if e.admin("DELETE", "/admin/knox/titles/T01", nil, nil) != 200 {
		t.Error("delete generated title")
	}
	if e.admin("PUT", "/admin/knox/widgets/X", m{}, nil) != 404 {
		t.Error("unknown kind accepted")
	}
}

func TestAdminKnoxFaults(t *testing.T) {
	e := newEnv(t, nil)
	e.admin("POST", "/admin/knox/faults", m{"notJSON": "organizations"}, nil)
	code, b := e.knox("/organizations?companyCode=C60&page=1")
	if code != 200 || json.Valid(b) {
		t.Errorf("notJSON: %d %.80s", code, b)
	}
	e.admin("POST", "/admin/knox/faults", m{"truncate": "employees"}, nil)
	code, b = e.knox("/employees?companyCode=C60&departmentCode=C60AA000&page=1")
	if code != 200 || json.Valid(b) {
		t.Errorf("truncate: %d %.80s", code, b)
	}
	if _, b = e.knox("/titles?companyCode=C60"); !json.Valid(b) {
		t.Error("truncate hit another endpoint")
	}
	e.admin("POST", "/admin/knox/faults", m{"status": 503, "statusFor": "employees"}, nil)
	if code, _ = e.knox("/employees?companyCode=C60&departmentCode=C60AA000&page=1"); code != 503 {
		t.Errorf("status fault: %d", code)
	}
	if code, _ = e.knox("/titles?companyCode=C60"); code != 200 {
		t.Errorf("status fault hit titles: %d", code)
	}
	e.admin("POST", "/admin/knox/faults", m{}, nil)
	if code, _ = e.knox("/employees?companyCode=C60&departmentCode=C60AA000&page=1"); code != 200 {
		t.Errorf("after clear: %d", code)
	}
	if e.admin("POST", "/admin/knox/faults", m{"notJSON": "everything"}, nil) != 400 {
		t.Error("bad endpoint accepted")
	}
}

func TestConfigFromEnv(t *testing.T) {
	keys := []string{"ORGSYNC_SANDBOX_ADDR", "ORGSYNC_COMPANY_ID", "ORGSYNC_NCP_ACCESS_KEY", "ORGSYNC_NCP_SECRET_KEY",
		"ORGSYNC_NCP_API_KEY", "ORGSYNC_KNOX_SYSTEM_ID", "ORGSYNC_KNOX_COMPANY_CODE", "ORGSYNC_SANDBOX_EMPLOYEES",
		"ORGSYNC_SANDBOX_DEPARTMENTS", "ORGSYNC_SANDBOX_SEED", "ORGSYNC_SIGNATURE_V1"}
	for _, k := range keys {
		t.Setenv(k, "") // restores the original on cleanup
		os.Unsetenv(k)
	}
	c, err := server.ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.String() != server.DefaultConfig().String() {
		t.Errorf("defaults differ:\n%s\n%s", c, server.DefaultConfig())
	}
	t.Setenv("ORGSYNC_SANDBOX_EMPLOYEES", "77")
	t.Setenv("ORGSYNC_SIGNATURE_V1", "sdk")
	if c, err = server.ConfigFromEnv(); err != nil || c.Employees != 77 || c.SignatureV1 != "sdk" {
		t.Errorf("env not read: %v %+v", err, c)
	}
	if strings.Contains(c.String(), c.SecretKey) || strings.Contains(c.String(), c.APIKey) {
		t.Error("String leaks a secret")
	}
	t.Setenv("ORGSYNC_SIGNATURE_V1", "v2")
	if _, err = server.ConfigFromEnv(); err == nil {
		t.Error("bad signature variant accepted")
	}
}

func TestKnoxThroughServer(t *testing.T) {
	e := newEnv(t, nil)
	resp, err := e.ts.Client().Get(e.ts.URL + "/knox/titles?companyCode=C60")
	if err != nil || resp.StatusCode != 401 {
		t.Fatalf("no System-ID: %v %d", err, resp.StatusCode)
	}
	resp.Body.Close()
	code, b := e.knox("/employees?companyCode=C60&departmentCode=C60AA000&fullName=x")
	if code != 400 || !strings.Contains(string(b), "EM0016") {
		t.Errorf("EM0016: %d %s", code, b)
	}
}
