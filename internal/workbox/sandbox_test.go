package workbox_test

// Integration tests against the real stand-in (sandbox/server), which
// implements docs/protocol.md from the server side.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpapi"
	"github.com/orgsync/orgsync/internal/target"
	"github.com/orgsync/orgsync/internal/workbox"
	"github.com/orgsync/orgsync/sandbox/server"
)

type sandbox struct {
	t   *testing.T
	url string
	cfg server.Config
}

func newSandbox(t *testing.T, cfg server.Config) *sandbox {
	t.Helper()
	cfg.Employees, cfg.Departments = 0, 0 // Knox is not used here
	s := server.New(cfg)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &sandbox{t: t, url: ts.URL, cfg: s.Config()}
}

// client returns a WORKBOX client with the sandbox's credentials, changed
// by mutate.
func (s *sandbox) client(mutate ...func(*workbox.Config)) *workbox.Client {
	s.t.Helper()
	cfg := workbox.Config{Account: ncpapi.Account{
		BaseURL: s.url + server.WorkboxPrefix, CompanyID: s.cfg.CompanyID,
		AccessKey: s.cfg.AccessKey, SecretKey: s.cfg.SecretKey, Timeout: 2 * time.Second,
	}, APIKey: s.cfg.APIKey}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := workbox.New(cfg)
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

func (s *sandbox) faults(f map[string]any) {
	s.t.Helper()
	b, _ := json.Marshal(f)
	resp, err := http.Post(s.url+"/admin/workbox/faults", "application/json", bytes.NewReader(b))
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		s.t.Fatalf("faults %s: HTTP %d", b, resp.StatusCode)
	}
}

// state is GET /admin/workbox/state: resource -> key -> body.
func (s *sandbox) state() map[string]map[string]map[string]any {
	s.t.Helper()
	resp, err := http.Get(s.url + "/admin/workbox/state")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var st map[string]map[string]map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		s.t.Fatal(err)
	}
	return st
}

func classOf(t *testing.T, err error, want target.Class) *target.Error {
	t.Helper()
	if got := target.ClassOf(err); got != want {
		t.Fatalf("class %s, want %s (err %v)", got, want, err)
	}
	var te *target.Error
	if err != nil && !errors.As(err, &te) {
		t.Fatalf("%T is not a *target.Error", err)
	}
	return te
}

var (
	grade = model.Entity{Kind: model.Grade, Key: "G1", Name: "책임", I18nNames: map[string]string{"en_US": "Senior"}, SortOrder: 2}
	pos   = model.Entity{Kind: model.Position, Key: "P1", Name: "팀장", SortOrder: 1}
	top   = model.Entity{Kind: model.Department, Key: "D1", Name: "본부", SortOrder: 1, ParentKey: model.TopParent}
	team  = model.Entity{Kind: model.Department, Key: "D2", Name: "개발팀", SortOrder: 3, ParentKey: "D1"}
	user  = model.Entity{Kind: model.Employee, Key: "E1", Name: "김삼성", I18nNames: map[string]string{"en_US": "Samsung Kim"},
		Email: "kim@example.com", DeptKey: "D2", GradeKey: "G1", PositionKey: "P1",
		Tel: "+82-2-1234-5678", Mobile: "+82-10-1111-2222", Locale: "ko_KR", TimeZone: "Asia/Seoul"}
)

func TestSandboxCreateUpdateDelete(t *testing.T) {
	for _, variant := range []string{"apikey", "sdk"} {
		t.Run(variant, func(t *testing.T) {
			sb := newSandbox(t, server.Config{SignatureV1: variant}) // pinned: the other variant would fail
			c := sb.client(func(c *workbox.Config) { c.SignatureV1 = variant })
			ctx := context.Background()
			for _, e := range []model.Entity{grade, pos, top, team, user} {
				if err := c.Create(ctx, e); err != nil {
					t.Fatalf("create %s %s: %v", e.Kind, e.Key, err)
				}
			}
			st := sb.state()
			if g := st["job-grade"]["G1"]; g["name"] != "책임" || g["sortOrd"] != 2.0 {
				t.Errorf("grade %v", g)
			}
			if d := st["dept"]["D2"]; d["uprDeptExternalKey"] != "D1" || d["sortOrd"] != "3" {
				t.Errorf("dept %v", d)
			}
			if u := st["user"]["E1"]; u["emailAddr"] != "kim@example.com" || u["deptExternalKey"] != "D2" ||
				u["gradeExternalKey"] != "G1" || u["positionExternalKey"] != "P1" || u["cphNo"] != "+82-10-1111-2222" ||
				u["tmznTypeCd"] != "Asia/Seoul" || u["localeTypeCd"] != "ko_KR" {
				t.Errorf("user %v", u)
			}

			// PUT replaces the whole body: fields left empty are cleared.
			moved := user
			moved.Name, moved.DeptKey, moved.Tel, moved.PositionKey = "김삼성2", "D1", "", ""
			renamed := grade
			renamed.Name, renamed.SortOrder = "수석", 1
			toTop := team
			toTop.ParentKey = model.TopParent
			for _, e := range []model.Entity{moved, renamed, toTop, pos} {
				if err := c.Update(ctx, e); err != nil {
					t.Fatalf("update %s %s: %v", e.Kind, e.Key, err)
				}
			}
			st = sb.state()
			if u := st["user"]["E1"]; u["name"] != "김삼성2" || u["deptExternalKey"] != "D1" || u["telNo"] != nil && u["telNo"] != "" ||
				u["positionExternalKey"] != nil && u["positionExternalKey"] != "" {
				t.Errorf("user after PUT %v", u)
			}
			if g := st["job-grade"]["G1"]; g["name"] != "수석" || g["sortOrd"] != 1.0 {
				t.Errorf("grade after PUT %v", g)
			}
			if d := st["dept"]["D2"]; d["uprDeptExternalKey"] != "#" {
				t.Errorf("dept after PUT %v", d)
			}

			dels := []model.Entity{user, team, top, pos, grade}
			for _, e := range dels {
				if err := c.Delete(ctx, e.Kind, e.Key); err != nil {
					t.Fatalf("delete %s %s: %v", e.Kind, e.Key, err)
				}
			}
			for res, m := range sb.state() {
				if len(m) != 0 {
					t.Errorf("%s left: %v", res, m)
				}
			}
		})
	}
}

func TestSandboxClassification(t *testing.T) {
	sb := newSandbox(t, server.Config{})
	c := sb.client()
	ctx := context.Background()
	for _, e := range []model.Entity{grade, pos, top, team, user} {
		if err := c.Create(ctx, e); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("exists", func(t *testing.T) {
		for _, e := range []model.Entity{grade, pos, top, user} {
			te := classOf(t, c.Create(ctx, e), target.Exists)
			if te.Code != "180011" || te.Status != 409 {
				t.Errorf("%+v", te)
			}
		}
	})
	t.Run("not found", func(t *testing.T) {
		for _, e := range []model.Entity{grade, pos, top, user} {
			e.Key = "MISSING"
			if e.Kind == model.Department {
				e.ParentKey = model.TopParent
			}
			classOf(t, c.Update(ctx, e), target.NotFound)
			classOf(t, c.Delete(ctx, e.Kind, e.Key), target.NotFound)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		bad := []model.Entity{
			{Kind: model.Employee, Key: "E2", Name: "x", Email: "x@example.com", DeptKey: "NODEPT"},     // 180007 reference
			{Kind: model.Employee, Key: "E2", Name: "x", Email: "x@example.com", GradeKey: "NOGRADE"},   // 180013 reference
			{Kind: model.Employee, Key: "E2", Name: "x", Email: "x@example.com", PositionKey: "NOPOS"},  // 180015 reference
			{Kind: model.Employee, Key: "E2", Name: "x", Email: "not-an-email"},                         // 181009
			{Kind: model.Employee, Key: "E2", Name: "x", Email: "KIM@example.com"},                      // 180017 duplicate
			{Kind: model.Department, Key: "D3", Name: "x", ParentKey: "NOPARENT"},                       // 180004
			{Kind: model.Grade, Key: "G2", Name: ""},                                                    // 181001
			{Kind: model.Grade, Key: strings.Repeat("k", 37), Name: "x"},                                // 181003
			{Kind: model.Employee, Key: "E2", Name: "x", Email: "x@example.com", TimeZone: "Mars/Base"}, // 181007
		}
		for _, e := range bad {
			classOf(t, c.Create(ctx, e), target.Invalid)
		}
		// A missing reference on PUT is invalid, not not_found.
		u := user
		u.DeptKey = "NODEPT"
		if te := classOf(t, c.Update(ctx, u), target.Invalid); te.Code != "180007" {
			t.Errorf("%+v", te)
		}
		self := team
		self.ParentKey = team.Key
		classOf(t, c.Update(ctx, self), target.Invalid) // 180006
		cyc := top
		cyc.ParentKey = team.Key
		classOf(t, c.Update(ctx, cyc), target.Invalid)                    // 180009
		classOf(t, c.Delete(ctx, model.Department, "D2"), target.Invalid) // 180018 has members
		classOf(t, c.Delete(ctx, model.Grade, "G1"), target.Invalid)      // 180018 in use
	})
	t.Run("forbidden", func(t *testing.T) {
		sb.faults(map[string]any{"syncOff": []string{"dept"}})
		defer sb.faults(map[string]any{})
		te := classOf(t, c.Update(ctx, top), target.Forbidden)
		if te.Code != "180001" || !strings.Contains(te.Message, "sync switch") || !strings.Contains(te.Message, "OFF") {
			t.Errorf("%+v", te)
		}
		classOf(t, c.Update(ctx, grade), target.OK)
	})
	t.Run("throttled", func(t *testing.T) {
		sb.faults(map[string]any{"rps": 1, "burst": 1})
		defer sb.faults(map[string]any{})
		classOf(t, c.Update(ctx, grade), target.OK)
		te := classOf(t, c.Update(ctx, grade), target.Throttled)
		if te.Status != 429 || te.Code != "420" || !te.Class.Retryable() {
			t.Errorf("%+v", te)
		}
	})
	t.Run("client limiter stays under the gateway limit", func(t *testing.T) {
		sb.faults(map[string]any{"rps": 20, "burst": 1})
		defer sb.faults(map[string]any{})
		limited := sb.client(func(c *workbox.Config) { c.RateLimit = 10 })
		for range 4 {
			classOf(t, limited.Update(ctx, grade), target.OK)
		}
	})
	t.Run("transient", func(t *testing.T) {
		sb.faults(map[string]any{"errorRate": 1})
		defer sb.faults(map[string]any{})
		te := classOf(t, c.Update(ctx, grade), target.Transient)
		if te.Status != 503 || te.Code != "500" {
			t.Errorf("%+v", te)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		sb.faults(map[string]any{"latencyMs": 500})
		defer sb.faults(map[string]any{})
		slow := sb.client(func(c *workbox.Config) { c.Timeout = 50 * time.Millisecond })
		if te := classOf(t, slow.Update(ctx, grade), target.Transient); te.Status != 0 {
			t.Errorf("%+v", te)
		}
	})
	t.Run("auth wrong secret", func(t *testing.T) {
		bad := sb.client(func(c *workbox.Config) { c.SecretKey = "wrong" })
		te := classOf(t, bad.Update(ctx, grade), target.Auth)
		if te.Status != 401 || strings.Contains(te.Error(), "wrong") || !strings.Contains(te.Message, "clock") {
			t.Errorf("%+v", te)
		}
	})
	t.Run("auth wrong variant", func(t *testing.T) {
		pinned := newSandbox(t, server.Config{SignatureV1: "apikey"})
		sdk := pinned.client(func(c *workbox.Config) { c.SignatureV1 = "sdk" })
		classOf(t, sdk.Create(ctx, grade), target.Auth)
	})
	t.Run("auth clock skew", func(t *testing.T) {
		for _, skew := range []time.Duration{6 * time.Minute, -6 * time.Minute} {
			skewed := sb.client(func(c *workbox.Config) { c.Now = func() time.Time { return time.Now().Add(skew) } })
			classOf(t, skewed.Update(ctx, grade), target.Auth)
		}
		near := sb.client(func(c *workbox.Config) { c.Now = func() time.Time { return time.Now().Add(4 * time.Minute) } })
		classOf(t, near.Update(ctx, grade), target.OK)
	})
	t.Run("auth company", func(t *testing.T) {
		other := sb.client(func(c *workbox.Config) { c.CompanyID = "00000000-0000-0000-0000-000000000000" })
		te := classOf(t, other.Update(ctx, grade), target.Auth)
		if te.Code != "180000" || !strings.Contains(te.Message, "ORGSYNC_COMPANY_ID") {
			t.Errorf("%+v", te)
		}
	})
}
