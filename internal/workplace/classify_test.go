package workplace

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpapi"
	"github.com/orgsync/orgsync/internal/ncpapi/ncpapitest"
	"github.com/orgsync/orgsync/internal/target"
)

// answered is a target.Client whose every call gets one fixed answer,
// classified: the table tests what each answer means on its own. What the
// client then does with an unsure answer (read the object back) is
// tested against the stand-in (sandbox_test.go, strict_test.go).
type answered struct {
	status int
	body   string
}

func (a answered) Create(_ context.Context, e model.Entity) error {
	return classify(http.MethodPost, Resource(e.Kind), e.Key, a.status, []byte(a.body))
}

func (a answered) Update(_ context.Context, e model.Entity) error {
	return classify(http.MethodPut, Resource(e.Kind), e.Key, a.status, []byte(a.body))
}

func (a answered) Delete(_ context.Context, k model.Kind, key string) error {
	return classify(http.MethodDelete, Resource(k), key, a.status, []byte(a.body))
}

func gwBody(code, msg string) string { return ncpapitest.GatewayBody(code, msg) }

func svcBody(status int, code, msg string) string {
	return fmt.Sprintf(`{"status":%d,"code":%s,"message":%q,"errors":[]}`, status, code, msg)
}

func TestClassification(t *testing.T) {
	grade := model.Entity{Kind: model.Grade, Key: "G1", Name: "책임", SortOrder: 1}
	job := model.Entity{Kind: model.Position, Key: "P1", Name: "팀장", SortOrder: 1}
	dept := model.Entity{Kind: model.Department, Key: "D1", Name: "개발팀", ParentKey: "#"}
	emp := model.Entity{Kind: model.Employee, Key: "U1", Name: "김삼성", Email: "a@example.com", DeptKey: "D1"}

	row := ncpapitest.Row
	ncpapitest.Classification(t, []ncpapitest.Case{
		row("created", "create", grade, 201, `{"status":201,"externalKey":"G1"}`, target.OK, "", ""),
		row("updated", "update", dept, 200, `{}`, target.OK, "", ""),
		row("deleted empty", "delete", emp, 200, ``, target.OK, "", ""),

		row("exists on POST", "create", grade, 409, svcBody(409, "-1010", "external key already exists"), target.Exists, "-1010", "already exists"),
		row("exists code on PUT is invalid", "update", grade, 409, svcBody(409, "-1010", "exists"), target.Invalid, "-1010", ""),
		row("exists as string code", "create", job, 409, `{"status":409,"code":"-1010","message":"exists"}`, target.Exists, "-1010", ""),

		row("grade not found on PUT", "update", grade, 404, svcBody(404, "-1011", "grade not found"), target.NotFound, "-1011", "grade G1"),
		row("job not found on DELETE", "delete", job, 404, svcBody(404, "-1012", "job not found"), target.NotFound, "-1012", "job P1"),
		row("dept not found on DELETE", "delete", dept, 404, svcBody(404, "-1014", "dept not found"), target.NotFound, "-1014", ""),
		row("emp not found on PUT (seed 003)", "update", emp, 400, svcBody(400, "-1015", "emp not found"), target.NotFound, "-1015", "emp not found"),
		row("referenced dept missing on employee PUT", "update", emp, 400, svcBody(400, "-1014", "dept not found"), target.Invalid, "-1014", ""),
		row("referenced grade missing on employee POST", "create", emp, 400, svcBody(400, "-1011", "grade not found"), target.Invalid, "-1011", ""),
		row("own code on POST is invalid", "create", dept, 404, svcBody(404, "-1014", "dept not found"), target.Invalid, "-1014", ""),
		row("parent missing", "create", dept, 400, svcBody(400, "-1016", "parent dept not found"), target.Invalid, "-1016", ""),
		row("cycle", "update", dept, 400, svcBody(400, "-1018", "cycle"), target.Invalid, "-1018", ""),
		row("duplicate name", "create", grade, 409, svcBody(409, "-1020", "name already exists"), target.Invalid, "-1020", "name already exists"),
		row("duplicate login", "create", emp, 409, svcBody(409, "-1021", "loginId already exists"), target.Invalid, "-1021", ""),
		row("field rule names the field", "create", emp, 400,
			`{"status":400,"code":-1030,"message":"invalid request field","errors":[{"field":"employYmd","message":"must be yyyy-MM-dd"}]}`,
			target.Invalid, "-1030", "employYmd: must be yyyy-MM-dd"),
		row("in use", "delete", grade, 400, svcBody(400, "-1040", "in use"), target.Invalid, "-1040", ""),
		row("404 without body", "delete", grade, 404, `not found`, target.Invalid, "", "Not Found"),
		row("gateway 404", "create", grade, 404, gwBody("300", "Not Found Exception"), target.Invalid, "300", ""),

		row("sync off", "create", dept, 403, svcBody(403, "-1003", "organization sync is not enabled"), target.Forbidden, "-1003", "WORKPLACE admin console"),
		row("gateway forbidden", "create", dept, 403, gwBody("230", "Forbidden"), target.Invalid, "230", ""),

		row("gateway auth", "create", grade, 401, gwBody("200", "Authentication Failed"), target.Auth, "200", "machine clock"),
		row("permission denied", "create", grade, 401, gwBody("210", "Permission Denied"), target.Auth, "210", "signature v2"),
		row("401 without body", "delete", grade, 401, ``, target.Auth, "", ""),
		row("unknown company", "create", grade, 400, svcBody(400, "-1001", "company not found"), target.Auth, "-1001", "ORGSYNC_COMPANY_ID"),

		row("rate limited", "create", grade, 429, gwBody("420", "Rate Limited"), target.Throttled, "420", ""),
		row("quota", "update", grade, 429, gwBody("400", "Quota Exceeded"), target.Throttled, "400", ""),
		row("throttle numeric", "create", grade, 429, `{"error":{"errorCode":410,"message":"Throttle Limited"}}`, target.Throttled, "410", ""),
		row("429 without body", "delete", emp, 429, ``, target.Throttled, "", ""),
		row("service 400 is not a gateway quota", "create", grade, 400, svcBody(400, "400", "odd"), target.Invalid, "400", ""),

		row("endpoint error", "create", grade, 503, gwBody("500", "Endpoint Error"), target.Transient, "500", ""),
		row("endpoint timeout", "update", dept, 504, gwBody("510", "Endpoint Timeout"), target.Transient, "510", ""),
		row("service 500", "delete", emp, 500, svcBody(500, "-1999", "internal"), target.Transient, "-1999", ""),
		row("html 502", "create", grade, 502, `<html>bad gateway</html>`, target.Transient, "", "Bad Gateway"),
		row("error on 200", "create", grade, 200, svcBody(409, "-1010", "exists"), target.Exists, "-1010", ""),
	}, func(_ *testing.T, status int, body string) target.Client { return answered{status, body} })
}

func TestBodies(t *testing.T) {
	emp := model.Entity{Kind: model.Employee, Key: "E1", Name: "김", Email: "kim.s@example.com", DeptKey: "D1", GradeKey: "G1", PositionKey: "P1"}
	b := Body(emp, DefaultEmployYmd).(EmployeeBody)
	if b.LoginID != "kim.s" || b.EmployYmd != DefaultEmployYmd || b.GradeCdExternalKey != "G1" || b.JobCdExternalKey != "P1" ||
		b.ConcurrentDeptExternalKeys == nil || b.I18nNames == nil {
		t.Errorf("employee body %+v", b)
	}
	emp.LoginID, emp.EmployYmd = "skim", "2019-03-02"
	if b := Body(emp, DefaultEmployYmd).(EmployeeBody); b.LoginID != "skim" || b.EmployYmd != "2019-03-02" {
		t.Errorf("explicit login/hire date not kept: %+v", b)
	}
	g := Body(model.Entity{Kind: model.Grade, Key: "G", Name: "n", SortOrder: 7}, "").(ItemBody)
	if g.SortOrder != "7" || !g.ItemUsed {
		t.Errorf("grade body %+v", g)
	}
	d := Body(model.Entity{Kind: model.Department, Key: "D", Name: "n", SortOrder: 3}, "").(DeptBody)
	if d.DeptExternalKey != "D" || d.ParentDeptExternalKey != "#" || d.DispOrd != "3" {
		t.Errorf("dept body %+v", d)
	}
}

func TestConfigRedacts(t *testing.T) {
	cfg := Config{Account: ncpapi.Account{BaseURL: "http://x", CompanyID: "c", AccessKey: "ak", SecretKey: "TOPSECRET"}}
	for _, s := range []string{cfg.String(), fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg)} {
		if strings.Contains(s, "TOPSECRET") {
			t.Fatalf("secret printed: %s", s)
		}
	}
	c, _ := New(cfg)
	if s := fmt.Sprintf("%v %+v %#v", c, c, c); strings.Contains(s, "TOPSECRET") {
		t.Fatalf("secret printed: %s", s)
	}
	for _, bad := range []Config{
		{Account: ncpapi.Account{BaseURL: "x", CompanyID: "c", AccessKey: "a", SecretKey: "s"}},
		{Account: ncpapi.Account{BaseURL: "http://x", AccessKey: "a", SecretKey: "s"}},
		{Account: ncpapi.Account{BaseURL: "http://x", CompanyID: "c", AccessKey: "a"}},
		{Account: ncpapi.Account{BaseURL: "http://x", CompanyID: "c", AccessKey: "a", SecretKey: "s"}, DefaultEmployYmd: "2020/01/01"},
	} {
		if _, err := New(bad); err == nil {
			t.Errorf("New(%v) accepted", bad)
		}
	}
}
