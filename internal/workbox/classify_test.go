package workbox

import (
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpapi"
	"github.com/orgsync/orgsync/internal/ncpapi/ncpapitest"
	"github.com/orgsync/orgsync/internal/target"
)

// canned answers one fixed status and body to every request.
func canned(t *testing.T, status int, body string) *Client {
	t.Helper()
	return newTestClient(t, ncpapi.Account{BaseURL: ncpapitest.Canned(t, status, body) + "/workbox/workbox/openapi/v1"})
}

func errBody(code, msg string) string { return ncpapitest.GatewayBody(code, msg) }

func TestClassification(t *testing.T) {
	grade := model.Entity{Kind: model.Grade, Key: "G1", Name: "책임", SortOrder: 1}
	dept := model.Entity{Kind: model.Department, Key: "D1", Name: "개발팀", ParentKey: "#"}
	user := model.Entity{Kind: model.Employee, Key: "U1", Name: "김삼성", Email: "a@example.com", DeptKey: "D1"}
	pos := model.Entity{Kind: model.Position, Key: "P1", Name: "팀장", SortOrder: 1}

	row := ncpapitest.Row
	ncpapitest.Classification(t, []ncpapitest.Case{
		row("created", "create", grade, 201, `{"result":"success"}`, target.OK, "", ""),
		row("updated", "update", dept, 200, `{"result":"success"}`, target.OK, "", ""),
		row("deleted", "delete", user, 200, `{"result":"success"}`, target.OK, "", ""),
		row("echo body success", "create", dept, 201, `{"name":"x","sortOrd":"1"}`, target.OK, "", ""),
		row("empty success", "delete", pos, 200, ``, target.OK, "", ""),

		row("exists on POST", "create", grade, 409, errBody("180011", "External key exists"), target.Exists, "180011", "External key exists"),
		row("180011 on PUT is invalid", "update", grade, 409, errBody("180011", "External key exists"), target.Invalid, "180011", ""),

		row("grade not found on PUT", "update", grade, 404, errBody("180013", "Job grade not found"), target.NotFound, "180013", "job-grade G1"),
		row("position not found on DELETE", "delete", pos, 404, errBody("180015", "Job position not found"), target.NotFound, "180015", ""),
		row("dept not found on DELETE", "delete", dept, 404, errBody("180007", "Department not found"), target.NotFound, "180007", ""),
		row("user not found on PUT", "update", user, 404, errBody("180019", "User not found"), target.NotFound, "180019", ""),
		row("referenced dept missing on user PUT", "update", user, 400, errBody("180007", "Department not found"), target.Invalid, "180007", ""),
		row("referenced grade missing on user POST", "create", user, 400, errBody("180013", "Job grade not found"), target.Invalid, "180013", ""),
		row("referenced position missing on user PUT", "update", user, 400, errBody("180015", "Job position not found"), target.Invalid, "180015", ""),
		row("parent missing", "create", dept, 400, errBody("180004", "Upper dept external key not found"), target.Invalid, "180004", ""),
		row("own code on POST is invalid", "create", dept, 404, errBody("180007", "Department not found"), target.Invalid, "180007", ""),
		row("parent is itself", "update", dept, 400, errBody("180006", "Upper externalKey can not be the current dept externalKey"), target.Invalid, "180006", ""),
		row("parent is descendant", "update", dept, 400, errBody("180009", "Upper dept can not be the current dept's sub dept"), target.Invalid, "180009", ""),
		row("duplicate email", "create", user, 409, errBody("180017", "User login ID already exist"), target.Invalid, "180017", ""),
		row("field rule", "create", user, 400, errBody("181009", "User email address format error"), target.Invalid, "181009", "format error"),
		row("in use", "delete", grade, 400, errBody("180018", "Bad request"), target.Invalid, "180018", ""),
		row("body too large", "create", user, 413, errBody("430", "Request Entity Too Large"), target.Invalid, "430", ""),
		row("404 without code", "delete", grade, 404, `not found`, target.Invalid, "", "Not Found"),

		row("sync off", "create", dept, 403, errBody("180001", "Forbidden, please check the sync setting in console"), target.Forbidden, "180001", "sync switch for 부서 (department) is OFF"),
		row("sync off user", "update", user, 403, errBody("180001", "Forbidden"), target.Forbidden, "180001", "구성원 (member) is OFF"),
		row("sync off code wins over status", "create", grade, 400, errBody("180001", "Forbidden"), target.Forbidden, "180001", ""),

		row("gateway auth", "create", grade, 401, errBody("200", "Authentication Failed"), target.Auth, "200", "machine clock"),
		row("gateway permission denied", "create", grade, 401, errBody("210", "Permission Denied"), target.Auth, "210", "API key"),
		row("401 without body", "delete", grade, 401, ``, target.Auth, "", "5 or more minutes"),
		row("unknown company", "create", grade, 400, errBody("180000", "Company does not exist"), target.Auth, "180000", "ORGSYNC_COMPANY_ID"),

		row("rate limited", "create", grade, 429, errBody("420", "Rate Limited"), target.Throttled, "420", ""),
		row("quota exceeded", "create", grade, 429, errBody("400", "Quota Exceeded"), target.Throttled, "400", ""),
		row("throttle limited", "update", dept, 429, errBody("410", "Throttle Limited"), target.Throttled, "410", ""),
		row("429 without body", "delete", user, 429, ``, target.Throttled, "", ""),
		row("gateway code wins over status", "create", grade, 400, errBody("420", "Rate Limited"), target.Throttled, "420", ""),
		row("numeric code", "create", grade, 429, `{"error":{"errorCode":420,"message":"Rate Limited"}}`, target.Throttled, "420", ""),

		row("endpoint error", "create", grade, 503, errBody("500", "Endpoint Error"), target.Transient, "500", ""),
		row("endpoint timeout", "update", dept, 504, errBody("510", "Endpoint Timeout"), target.Transient, "510", ""),
		row("unexpected", "delete", user, 500, errBody("900", "Unexpected Error"), target.Transient, "900", ""),
		row("html 502", "create", grade, 502, `<html>bad gateway</html>`, target.Transient, "", "Bad Gateway"),
		row("internal", "create", grade, 500, errBody("180024", "Internal server error"), target.Transient, "180024", ""),

		row("other 4xx", "create", grade, 400, errBody("100", "Bad Request Exception"), target.Invalid, "100", "Bad Request Exception"),
		row("error on 200", "create", grade, 200, errBody("180011", "External key exists"), target.Exists, "180011", ""),
	}, func(t *testing.T, status int, body string) target.Client { return canned(t, status, body) })
}
