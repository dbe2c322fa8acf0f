package workplace_test

// Integration tests against the real stand-in (sandbox/server), which
// implements docs/protocol.md ("WORKPLACE") from the server side.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpapi"
	"github.com/orgsync/orgsync/internal/target"
	"github.com/orgsync/orgsync/internal/workplace"
	"github.com/orgsync/orgsync/sandbox/server"
	"github.com/orgsync/orgsync/sandbox/workplacesim"
)

type sandbox struct {
	t   *testing.T
	url string
	srv *server.Server
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	s := server.New(server.Config{})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &sandbox{t: t, url: ts.URL, srv: s}
}

func (s *sandbox) client(mutate ...func(*workplace.Config)) *workplace.Client {
	s.t.Helper()
	cfg := s.srv.Config()
	c := workplace.Config{Account: ncpapi.Account{BaseURL: s.url + server.WorkplacePrefix, CompanyID: cfg.CompanyID,
		AccessKey: cfg.AccessKey, SecretKey: cfg.SecretKey, Timeout: 2 * time.Second}}
	for _, m := range mutate {
		m(&c)
	}
	cl, err := workplace.New(c)
	if err != nil {
		s.t.Fatal(err)
	}
	return cl
}

func (s *sandbox) admin(method, path string, body any) (int, string) {
	s.t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, s.url+"/admin/workplace"+path, rd)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.String()
}

func (s *sandbox) faults(f map[string]any) {
	s.t.Helper()
	if code, body := s.admin(http.MethodPost, "/faults", f); code != 200 {
		s.t.Fatalf("faults: %d %s", code, body)
	}
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
	grade  = model.Entity{Kind: model.Grade, Key: "G1", Name: "책임", I18nNames: map[string]string{"en_US": "Senior"}, SortOrder: 2}
	grade2 = model.Entity{Kind: model.Grade, Key: "G2", Name: "선임", SortOrder: 3}
	pos    = model.Entity{Kind: model.Position, Key: "P1", Name: "팀장", SortOrder: 1}
	top    = model.Entity{Kind: model.Department, Key: "D1", Name: "본부", SortOrder: 1, ParentKey: model.TopParent}
	team   = model.Entity{Kind: model.Department, Key: "D2", Name: "개발팀", SortOrder: 3, ParentKey: "D1"}
	user   = model.Entity{Kind: model.Employee, Key: "E1", Name: "김삼성", I18nNames: map[string]string{"en_US": "Samsung Kim"},
		Email: "kim@example.com", DeptKey: "D2", GradeKey: "G1", PositionKey: "P1",
		Tel: "+82-2-1234-5678", Mobile: "+82-10-1111-2222", Locale: "ko_KR", TimeZone: "Asia/Seoul"}
)

func TestSandboxCreateUpdateListDelete(t *testing.T) {
	sb := newSandbox(t)
	c := sb.client()
	ctx := context.Background()
	for _, e := range []model.Entity{grade, grade2, pos, top, team, user} {
		if err := c.Create(ctx, e); err != nil {
			t.Fatalf("create %s %s: %v", e.Kind, e.Key, err)
		}
	}
	st := sb.srv.WorkplaceState()
	if g := st.Grades["G1"]; g.Name != "책임" || g.SortOrder != "2" || !g.ItemUsed || g.I18nNames["en_US"] != "Senior" {
		t.Errorf("grade %+v", g)
	}
	if d := st.Depts["D2"]; d.ParentDeptExternalKey != "D1" || d.DispOrd != "3" || d.DeptExternalKey != "D2" {
		t.Errorf("dept %+v", d)
	}
	if u := st.Employees["E1"]; u.LoginID != "kim" || u.EmailAddress != "kim@example.com" || u.EmployYmd != workplace.DefaultEmployYmd ||
		u.DeptExternalKey != "D2" || u.GradeCdExternalKey != "G1" || u.JobCdExternalKey != "P1" || u.CellphoneNo != "+82-10-1111-2222" {
		t.Errorf("employee %+v", u)
	}

	// PUT replaces the whole body.
	moved := user
	moved.Name, moved.DeptKey, moved.Tel, moved.PositionKey = "김삼성2", "D1", "", ""
	toTop := team
	toTop.ParentKey = model.TopParent
	for _, e := range []model.Entity{moved, toTop} {
		if err := c.Update(ctx, e); err != nil {
			t.Fatalf("update %s: %v", e.Key, err)
		}
	}
	if u := sb.srv.WorkplaceState().Employees["E1"]; u.Name != "김삼성2" || u.DeptExternalKey != "D1" || u.TelephoneNo != "" || u.JobCdExternalKey != "" {
		t.Errorf("employee after PUT %+v", u)
	}

	// List maps back to the model; Normalize(what was sent) equals it.
	for _, want := range []model.Entity{grade, grade2, pos, top, toTop, moved} {
		var got []model.Entity
		err := c.List(ctx, want.Kind, func(e model.Entity) error {
			if e.Key == want.Key {
				got = append(got, e)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !bytes.Equal(c.Normalize(want).Hash(), c.Normalize(got[0]).Hash()) {
			t.Errorf("listed %s %s: %+v, want %+v", want.Kind, want.Key, got, c.Normalize(want))
		}
	}

	for _, e := range []model.Entity{user, team, top, pos, grade, grade2} {
		if err := c.Delete(ctx, e.Kind, e.Key); err != nil {
			t.Fatalf("delete %s %s: %v", e.Kind, e.Key, err)
		}
	}
	st = sb.srv.WorkplaceState()
	if len(st.Grades)+len(st.Jobs)+len(st.Depts)+len(st.Employees) != 0 {
		t.Errorf("left: %+v", st)
	}
}

func TestSandboxListPages(t *testing.T) {
	sb := newSandbox(t)
	ctx := context.Background()
	c := sb.client()
	const n = 23
	for i := range n {
		e := model.Entity{Kind: model.Position, Key: fmt.Sprintf("P%02d", i), Name: fmt.Sprintf("직책%d", i), SortOrder: i}
		if err := c.Create(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, size := range []int{1, 5, 23, 100} {
		paged := sb.client(func(c *workplace.Config) { c.PageSize = size })
		before := sb.srv.Workplace().Stats().Requests
		var keys []string
		if err := paged.List(ctx, model.Position, func(e model.Entity) error { keys = append(keys, e.Key); return nil }); err != nil {
			t.Fatal(err)
		}
		reqs := sb.srv.Workplace().Stats().Requests - before
		if len(keys) != n || keys[0] != "P00" || keys[n-1] != "P22" {
			t.Fatalf("page size %d: %d keys %v", size, len(keys), keys)
		}
		if want := int64(n/size + 1); size < n && reqs != want && reqs != want-1 {
			t.Errorf("page size %d: %d requests", size, reqs)
		}
	}
	// The list stops when fn fails, with fn's error.
	stop := errors.New("stop")
	if err := c.List(ctx, model.Position, func(model.Entity) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("err %v", err)
	}
}

func TestSandboxClassification(t *testing.T) {
	sb := newSandbox(t)
	c := sb.client()
	ctx := context.Background()
	for _, e := range []model.Entity{grade, grade2, pos, top, team, user} {
		if err := c.Create(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("exists", func(t *testing.T) {
		for _, e := range []model.Entity{grade, pos, top, user} {
			te := classOf(t, c.Create(ctx, e), target.Exists)
			if te.Code != workplace.CodeExists || te.Status != 409 {
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
			if e.Kind == model.Grade || e.Kind == model.Position {
				e.Name = "새이름"
			}
			classOf(t, c.Update(ctx, e), target.NotFound)
			classOf(t, c.Delete(ctx, e.Kind, e.Key), target.OK) // gone is what a delete wants
		}
	})
	t.Run("invalid", func(t *testing.T) {
		for _, tc := range []struct {
			e    model.Entity
			code string
		}{
			{model.Entity{Kind: model.Grade, Key: "G3", Name: "책임", SortOrder: 1}, workplace.CodeDuplicateName},
			{model.Entity{Kind: model.Position, Key: "P2", Name: " 팀장 ", SortOrder: 1}, workplace.CodeDuplicateName},
			{model.Entity{Kind: model.Employee, Key: "E2", Name: "x", Email: "x@example.com", DeptKey: "NODEPT"}, workplace.CodeDeptNotFound},
			{model.Entity{Kind: model.Employee, Key: "E2", Name: "x", Email: "x@example.com"}, workplace.CodeField},
			{model.Entity{Kind: model.Employee, Key: "E2", Name: "x", Email: "x@example.com", DeptKey: "D1", GradeKey: "NOG"}, workplace.CodeGradeNotFound},
			{model.Entity{Kind: model.Employee, Key: "E2", Name: "x", Email: "x@example.com", DeptKey: "D1", PositionKey: "NOP"}, workplace.CodeJobNotFound},
			{model.Entity{Kind: model.Employee, Key: "E2", Name: "x", Email: "kim@other.com", DeptKey: "D1"}, workplace.CodeDuplicateID},
			{model.Entity{Kind: model.Employee, Key: "E2", Name: "x", Email: "KIM@example.com", LoginID: "kim2", DeptKey: "D1"}, workplace.CodeDuplicateID},
			{model.Entity{Kind: model.Employee, Key: "E2", Name: "x", Email: "x@example.com", DeptKey: "D1", EmployYmd: "2020-13-01"}, workplace.CodeField},
			{model.Entity{Kind: model.Employee, Key: "E2", Name: "x", Email: "x@example.com", DeptKey: "D1", TimeZone: "Mars/Base"}, workplace.CodeField},
			{model.Entity{Kind: model.Department, Key: "D3", Name: "x", ParentKey: "NOPARENT"}, workplace.CodeParentMissing},
			{model.Entity{Kind: model.Grade, Key: "G4", Name: ""}, workplace.CodeField},
		} {
			te := classOf(t, c.Create(ctx, tc.e), target.Invalid)
			if te.Code != tc.code {
				t.Errorf("%s %s: code %s, want %s (%v)", tc.e.Kind, tc.e.Key, te.Code, tc.code, te)
			}
		}
		u := user
		u.DeptKey = "NODEPT"
		if te := classOf(t, c.Update(ctx, u), target.Invalid); te.Code != workplace.CodeDeptNotFound {
			t.Errorf("%+v", te)
		}
		self := team
		self.ParentKey = team.Key
		classOf(t, c.Update(ctx, self), target.Invalid)
		cyc := top
		cyc.ParentKey = team.Key
		if te := classOf(t, c.Update(ctx, cyc), target.Invalid); te.Code != workplace.CodeCycle {
			t.Errorf("%+v", te)
		}
		for _, e := range []model.Entity{team, top, grade, pos} {
			if te := classOf(t, c.Delete(ctx, e.Kind, e.Key), target.Invalid); te.Code != workplace.CodeInUse {
				t.Errorf("%s: %+v", e.Key, te)
			}
		}
		// A rename onto its own name is not a duplicate.
		classOf(t, c.Update(ctx, grade), target.OK)
	})
	t.Run("field error names the field", func(t *testing.T) {
		e := user
		e.Key, e.Email, e.EmployYmd = "E9", "e9@example.com", "20200101"
		te := classOf(t, c.Create(ctx, e), target.Invalid)
		if !strings.Contains(te.Message, "employYmd") {
			t.Errorf("%+v", te)
		}
	})
	t.Run("forbidden", func(t *testing.T) {
		sb.faults(map[string]any{"syncOff": []string{"department"}})
		defer sb.faults(map[string]any{})
		classOf(t, c.Update(ctx, top), target.Forbidden)
		classOf(t, c.Update(ctx, grade), target.OK)
	})
	t.Run("throttled", func(t *testing.T) {
		sb.faults(map[string]any{"rps": 1, "burst": 1})
		defer sb.faults(map[string]any{})
		classOf(t, c.Update(ctx, grade), target.OK)
		te := classOf(t, c.Update(ctx, grade), target.Throttled)
		if te.Status != 429 || te.Code != "420" {
			t.Errorf("%+v", te)
		}
		// A read is asked again after a pause: throttling is waiting.
		err := c.List(ctx, model.Grade, func(model.Entity) error { return nil })
		classOf(t, err, target.OK)
	})
	t.Run("transient", func(t *testing.T) {
		sb.faults(map[string]any{"errorRate": 1})
		defer sb.faults(map[string]any{})
		te := classOf(t, c.Update(ctx, grade), target.Transient)
		if te.Status != 503 || te.Code != "500" {
			t.Errorf("%+v", te)
		}
	})
	t.Run("rejected", func(t *testing.T) {
		sb.faults(map[string]any{"reject": []string{"employee"}})
		defer sb.faults(map[string]any{})
		if te := classOf(t, c.Update(ctx, user), target.Invalid); te.Code != workplace.CodeRejected {
			t.Errorf("%+v", te)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		sb.faults(map[string]any{"latencyMs": 500})
		defer sb.faults(map[string]any{})
		slow := sb.client(func(c *workplace.Config) { c.Timeout = 50 * time.Millisecond })
		if te := classOf(t, slow.Update(ctx, grade), target.Transient); te.Status != 0 {
			t.Errorf("%+v", te)
		}
	})
	t.Run("auth", func(t *testing.T) {
		bad := sb.client(func(c *workplace.Config) { c.SecretKey = "wrong" })
		te := classOf(t, bad.Update(ctx, grade), target.Auth)
		if te.Status != 401 || strings.Contains(te.Error(), "wrong") {
			t.Errorf("%+v", te)
		}
		classOf(t, bad.List(ctx, model.Grade, func(model.Entity) error { return nil }), target.Auth)
		for _, skew := range []time.Duration{6 * time.Minute, -6 * time.Minute} {
			skewed := sb.client(func(c *workplace.Config) { c.Now = func() time.Time { return time.Now().Add(skew) } })
			classOf(t, skewed.Update(ctx, grade), target.Auth)
		}
		near := sb.client(func(c *workplace.Config) { c.Now = func() time.Time { return time.Now().Add(4 * time.Minute) } })
		classOf(t, near.Update(ctx, grade), target.OK)
		other := sb.client(func(c *workplace.Config) { c.CompanyID = "00000000-0000-0000-0000-000000000000" })
		if te := classOf(t, other.Update(ctx, grade), target.Auth); te.Code != workplace.CodeCompany {
			t.Errorf("%+v", te)
		}
	})
}

// The admin API edits WORKPLACE by hand and shows state and counters.
func TestSandboxAdmin(t *testing.T) {
	sb := newSandbox(t)
	c := sb.client()
	ctx := context.Background()
	for _, e := range []model.Entity{grade, top} {
		if err := c.Create(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	code, body := sb.admin(http.MethodGet, "/grade/G1", nil)
	if code != 200 || !strings.Contains(body, `"책임"`) {
		t.Fatalf("get: %d %s", code, body)
	}
	if code, body := sb.admin(http.MethodPut, "/grade/G1", workplacesim.Item{Name: "바뀜", ItemUsed: true, SortOrder: "2"}); code != 200 {
		t.Fatalf("put: %d %s", code, body)
	}
	if code, body := sb.admin(http.MethodPut, "/department/HAND", map[string]any{"name": "수동"}); code != 200 {
		t.Fatalf("put unknown: %d %s", code, body)
	}
	if code, _ := sb.admin(http.MethodDelete, "/department/D1", nil); code != 200 {
		t.Fatalf("delete: %d", code)
	}
	if code, _ := sb.admin(http.MethodDelete, "/department/D1", nil); code != 404 {
		t.Fatalf("second delete: %d", code)
	}
	if code, _ := sb.admin(http.MethodPut, "/user/X", map[string]any{}); code != 400 {
		t.Fatalf("unknown resource: %d", code)
	}
	code, body = sb.admin(http.MethodGet, "/state", nil)
	var st workplacesim.State
	if code != 200 || json.Unmarshal([]byte(body), &st) != nil || st.Grades["G1"].Name != "바뀜" ||
		st.Depts["HAND"].ParentDeptExternalKey != "#" || len(st.Depts) != 1 {
		t.Fatalf("state: %d %s", code, body)
	}
	code, body = sb.admin(http.MethodGet, "/stats", nil)
	var stats workplacesim.Stats
	if code != 200 || json.Unmarshal([]byte(body), &stats) != nil || stats.Creates != 2 || stats.Writes != 2 {
		t.Fatalf("stats: %d %s", code, body)
	}
	if code, _ := sb.admin(http.MethodPost, "/faults", map[string]any{"syncOff": []string{"dept"}}); code != 400 {
		t.Fatalf("bad fault resource accepted: %d", code)
	}
	code, body = sb.admin(http.MethodGet, "/accepted", nil)
	var acc workplacesim.Accepted
	if code != 200 || json.Unmarshal([]byte(body), &acc) != nil || acc["grade"]["POST"] != 1 || acc["department"]["POST"] != 1 {
		t.Fatalf("accepted: %d %s", code, body)
	}
	if code, _ := sb.admin(http.MethodPost, "/strict", map[string]any{"serverErrorRate": 2}); code != 400 {
		t.Fatalf("bad strict setting accepted: %d", code)
	}
	if code, body := sb.admin(http.MethodPost, "/strict", map[string]any{"pageCap": 1, "plainErrors": true}); code != 200 {
		t.Fatalf("strict: %d %s", code, body)
	}
	if st := sb.srv.Workplace().Strict(); st.PageCap != 1 || !st.PlainErrors {
		t.Fatalf("strict %+v", st)
	}
	// Reset empties WORKPLACE too.
	resp, err := http.Post(sb.url+"/admin/reset", "application/json", strings.NewReader(`{"employees":0,"departments":0}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if st := sb.srv.WorkplaceState(); len(st.Grades)+len(st.Depts) != 0 || sb.srv.Workplace().Stats().Requests != 0 ||
		sb.srv.Workplace().Strict() != (workplacesim.Strict{}) {
		t.Fatalf("after reset: %+v", st)
	}
}
