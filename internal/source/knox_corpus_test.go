package source

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/orgsync/orgsync/internal/knox"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/sandbox/knoxsim"
	"github.com/orgsync/orgsync/sandbox/server"
)

// Record-level corpus against the Knox stand-in, without Temporal or
// Postgres: each bad record is emitted once with a FieldError naming its
// key and field, and no string emitted holds U+0000 (Postgres cannot store
// it, so one such character used to fail the whole stage).
func TestKnoxCorpusRecords(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.Employees, cfg.Departments = 30, 3
	sb := server.New(cfg)
	hs := httptest.NewServer(sb)
	defer hs.Close()
	c, err := knox.New(knox.Config{BaseURL: hs.URL + "/knox", SystemID: cfg.KnoxSystemID, CompanyCode: cfg.KnoxCompanyCode})
	if err != nil {
		t.Fatal(err)
	}
	src := &Knox{Client: c, Parallel: 2}

	var dept string
	k := sb.Knox()
	if err := src.Fetch(context.Background(), model.Department, func(e model.Entity, _ *model.FieldError) error {
		if dept == "" {
			dept = e.Key
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	put := func(kind, key string, m map[string]string) {
		t.Helper()
		b, _ := json.Marshal(m)
		if err := k.PutRaw(kind, key, b); err != nil {
			t.Fatal(err)
		}
	}
	emp := func(id string, edit func(map[string]string)) map[string]string {
		m := map[string]string{"epId": id, "fullName": "홍길동", "emailAddress": "c" + strings.ToLower(id) + "@corpus.example.com",
			"departmentCode": dept, "titleCode": "T01", "gradeName": "사원", "timeZone": "Asia/Seoul"}
		edit(m)
		return m
	}
	cases := []struct {
		kind, adminKey string
		body           map[string]string
		want           model.Kind
		key, field     string
	}{
		{knoxsim.KindTitles, "TN1", map[string]string{"titleCode": "TN1", "titleName": "널\u0000문자", "sortOrder": "1"}, model.Grade, "TN1", "name"},
		{knoxsim.KindTitles, "TS1", map[string]string{"titleCode": "TS1", "titleName": "순서", "sortOrder": "1.5"}, model.Grade, "TS1", "sortOrder"},
		{knoxsim.KindOrganizations, "DN1", map[string]string{"departmentCode": "DN1", "departmentName": "부서", "departmentOrder": "1", "enDepartmentName": "Team\u0000"}, model.Department, "DN1", "i18nNames.en_US"},
		{knoxsim.KindOrganizations, "DE1", map[string]string{"departmentCode": "DE1", "departmentName": "부서", "uprDepartmentCode": "DE1"}, model.Department, "DE1", "parentKey"},
		{knoxsim.KindEmployees, "EN1", emp("EN1", func(m map[string]string) { m["userId"] = "kim\u0000" }), model.Employee, "EN1", "loginId"},
		{knoxsim.KindEmployees, "EN2", emp("EN2\u0000", nil2), model.Employee, "EN2\uFFFD", "key"},
		{knoxsim.KindEmployees, "EN3", emp("EN3", func(m map[string]string) { m["emailAddress"] = "a@b" }), model.Employee, "EN3", "email"},
		{knoxsim.KindEmployees, "EN4", emp("EN4", func(m map[string]string) { m["preferredLanguage"] = "klingon" }), model.Employee, "EN4", "locale"},
		{knoxsim.KindEmployees, "EN5", emp("EN5", func(m map[string]string) { m["mobile"] = "12" }), model.Employee, "EN5", "mobile"},
	}
	for _, c := range cases {
		put(c.kind, c.adminKey, c.body)
	}

	bad := map[string]*model.FieldError{}
	for _, kind := range []model.Kind{model.Grade, model.Department, model.Employee} {
		err := src.Fetch(context.Background(), kind, func(e model.Entity, fe *model.FieldError) error {
			b, _ := json.Marshal(e)
			if strings.Contains(string(b), `\u0000`) || (fe != nil && strings.ContainsRune(fe.Reason+fe.Key, 0)) {
				t.Errorf("%s %q: U+0000 emitted: %s", e.Kind, e.Key, b)
			}
			if fe != nil {
				if fe.Key != e.Key || fe.Kind != e.Kind {
					t.Errorf("%s %q: the error names %s %q", e.Kind, e.Key, fe.Kind, fe.Key)
				}
				bad[string(e.Kind)+"/"+e.Key] = fe
			}
			return nil
		})
		if err != nil {
			t.Fatalf("fetch %s: %v", kind, err)
		}
	}
	for _, c := range cases {
		fe := bad[string(c.want)+"/"+c.key]
		if fe == nil || fe.Field != c.field || fe.Reason == "" {
			t.Errorf("%s %q: want a failure of field %q, got %+v", c.want, c.key, c.field, fe)
			continue
		}
		t.Logf("%s", fe.Error())
	}
	if len(bad) != len(cases) {
		t.Errorf("%d records failed, want %d: %v", len(bad), len(cases), bad)
	}
}

func nil2(map[string]string) {}
