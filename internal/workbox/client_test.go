package workbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpapi"
	"github.com/orgsync/orgsync/internal/ncpauth"
	"github.com/orgsync/orgsync/internal/target"
)

const (
	testCompany = "578c7009-bdad-4493-9835-72302cf988c6"
	testAccess  = "ACCESSKEYID"
	testSecret  = "SECRET-DO-NOT-LEAK"
	testAPIKey  = "APIKEY-DO-NOT-LEAK"
)

// newTestClient fills the credentials the tests do not care about.
func newTestClient(t *testing.T, a ncpapi.Account) *Client {
	t.Helper()
	if a.CompanyID == "" {
		a.CompanyID = testCompany
	}
	a.AccessKey, a.SecretKey = testAccess, testSecret
	c, err := New(Config{Account: a, APIKey: testAPIKey})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func asTargetError(t *testing.T, err error) *target.Error {
	t.Helper()
	var te *target.Error
	if !errors.As(err, &te) {
		t.Fatalf("%T %v is not a *target.Error", err, err)
	}
	return te
}

type seen struct {
	method, uri string
	header      http.Header
	body        []byte
}

// recorder answers like WORKBOX on success and records every request.
func recorder(t *testing.T) (*httptest.Server, func() []seen) {
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r.Method, r.URL.RequestURI(), r.Header.Clone(), b})
		mu.Unlock()
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusCreated)
		}
		fmt.Fprint(w, `{"result":"success"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []seen { mu.Lock(); defer mu.Unlock(); return append([]seen(nil), got...) }
}

func TestRequests(t *testing.T) {
	srv, requests := recorder(t)
	now := time.UnixMilli(1505290625682)
	c := newTestClient(t, ncpapi.Account{BaseURL: srv.URL + "/workbox/workbox/openapi/v1/", Now: func() time.Time { return now }})
	ctx := context.Background()
	en := map[string]string{"en_US": "Senior"}
	calls := []struct {
		run      func() error
		method   string
		resource string
		key      string
		body     string // "" = no body
	}{
		{func() error {
			return c.Create(ctx, model.Entity{Kind: model.Grade, Key: "G1", Name: "책임", I18nNames: en, SortOrder: 3})
		},
			"POST", "job-grade", "G1", `{"name":"책임","i18nNames":{"en_US":"Senior"},"sortOrd":3}`},
		{func() error {
			return c.Update(ctx, model.Entity{Kind: model.Position, Key: "P1", Name: "팀장", SortOrder: 0})
		},
			"PUT", "job-position", "P1", `{"name":"팀장","i18nNames":{},"sortOrd":0}`},
		{func() error {
			return c.Create(ctx, model.Entity{Kind: model.Department, Key: "D1", Name: "본부", SortOrder: 12, ParentKey: model.TopParent})
		}, "POST", "dept", "D1", `{"name":"본부","i18nNames":{},"sortOrd":"12","uprDeptExternalKey":"#"}`},
		{func() error {
			return c.Update(ctx, model.Entity{Kind: model.Department, Key: "D2", Name: "팀", SortOrder: 1})
		},
			"PUT", "dept", "D2", `{"name":"팀","i18nNames":{},"sortOrd":"1","uprDeptExternalKey":"#"}`},
		{func() error {
			return c.Update(ctx, model.Entity{Kind: model.Department, Key: "D3", Name: "파트", SortOrder: 2, ParentKey: "D2"})
		}, "PUT", "dept", "D3", `{"name":"파트","i18nNames":{},"sortOrd":"2","uprDeptExternalKey":"D2"}`},
		{func() error {
			return c.Create(ctx, model.Entity{Kind: model.Employee, Key: "E1", Name: "김삼성", I18nNames: map[string]string{"en_US": "Samsung Kim"},
				Email: "kim@example.com", LoginID: "kim", DeptKey: "D1", GradeKey: "G1", PositionKey: "P1",
				Tel: "KR+82 0212345678", Mobile: "KR+82 01011112222", Locale: "ko_KR", TimeZone: "Asia/Seoul", EmployYmd: "2020-01-01"})
		}, "POST", "user", "E1", `{"name":"김삼성","i18nNames":{"en_US":"Samsung Kim"},"deptExternalKey":"D1","gradeExternalKey":"G1",` +
			`"positionExternalKey":"P1","emailAddr":"kim@example.com","telNo":"KR+82 0212345678","cphNo":"KR+82 01011112222",` +
			`"localeTypeCd":"ko_KR","tmznTypeCd":"Asia/Seoul"}`},
		{func() error {
			return c.Update(ctx, model.Entity{Kind: model.Employee, Key: "E1", Name: "김삼성", Email: "kim@example.com", DeptKey: "D1"})
		}, "PUT", "user", "E1", `{"name":"김삼성","i18nNames":{},"deptExternalKey":"D1","emailAddr":"kim@example.com"}`},
		{func() error { return c.Delete(ctx, model.Employee, "E1") }, "DELETE", "user", "E1", ""},
		{func() error { return c.Delete(ctx, model.Department, "D3") }, "DELETE", "dept", "D3", ""},
		{func() error { return c.Delete(ctx, model.Position, "P1") }, "DELETE", "job-position", "P1", ""},
		{func() error { return c.Delete(ctx, model.Grade, "G 1/x") }, "DELETE", "job-grade", "G%201%2Fx", ""},
	}
	for i, call := range calls {
		if err := call.run(); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	got := requests()
	if len(got) != len(calls) {
		t.Fatalf("%d requests, want %d", len(got), len(calls))
	}
	for i, call := range calls {
		r := got[i]
		wantURI := "/workbox/workbox/openapi/v1/organization/company/" + testCompany + "/" + call.resource + "/" + call.key
		if r.method != call.method || r.uri != wantURI {
			t.Errorf("call %d: %s %s, want %s %s", i, r.method, r.uri, call.method, wantURI)
		}
		if string(r.body) != call.body {
			t.Errorf("call %d: body\n%s\nwant\n%s", i, r.body, call.body)
		}
		h := r.header
		wantSig := ncpauth.SignV1(ncpauth.V1APIKey, r.method, r.uri, now.UnixMilli(), testAPIKey, testAccess, testSecret)
		if h.Get("x-ncp-apigw-signature-v1") != wantSig || h.Get("x-ncp-apigw-timestamp") != "1505290625682" ||
			h.Get("x-ncp-iam-access-key") != testAccess || h.Get("x-ncp-apigw-api-key") != testAPIKey ||
			h.Get("Content-Type") != "application/json" {
			t.Errorf("call %d: headers %v", i, h)
		}
	}
}

func TestSDKVariantAndNoAPIKey(t *testing.T) {
	srv, requests := recorder(t)
	c, err := New(Config{Account: ncpapi.Account{BaseURL: srv.URL, CompanyID: testCompany, AccessKey: testAccess, SecretKey: testSecret}, SignatureV1: "sdk"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(context.Background(), model.Grade, "G1"); err != nil {
		t.Fatal(err)
	}
	r := requests()[0]
	ts := r.header.Get("x-ncp-apigw-timestamp")
	var ms int64
	fmt.Sscan(ts, &ms)
	if d := time.Since(time.UnixMilli(ms)); d < 0 || d > time.Minute {
		t.Errorf("timestamp %s is not now", ts)
	}
	if want := ncpauth.SignV2("DELETE", r.uri, ms, testAccess, testSecret); r.header.Get("x-ncp-apigw-signature-v1") != want {
		t.Errorf("sdk signature %s, want %s", r.header.Get("x-ncp-apigw-signature-v1"), want)
	}
}

func TestNewValidates(t *testing.T) {
	ok := Config{Account: ncpapi.Account{BaseURL: "http://h/x", CompanyID: "c", AccessKey: "a", SecretKey: "s"}, APIKey: "k"}
	for name, mutate := range map[string]func(*Config){
		"relative url": func(c *Config) { c.BaseURL = "/workbox" },
		"no company":   func(c *Config) { c.CompanyID = "" },
		"no secret":    func(c *Config) { c.SecretKey = "" },
		"no api key":   func(c *Config) { c.APIKey = "" },
		"bad variant":  func(c *Config) { c.SignatureV1 = "v3" },
		"negative rps": func(c *Config) { c.RateLimit = -1 },
	} {
		cfg := ok
		mutate(&cfg)
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), testSecret) {
			t.Errorf("%s: secret in error", name)
		}
	}
	if _, err := New(ok); err != nil {
		t.Errorf("valid config refused: %v", err)
	}
}

func TestTimeoutIsTransient(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-time.After(2 * time.Second):
		}
	}))
	defer srv.Close()
	defer close(release)
	var status = -1
	c := newTestClient(t, ncpapi.Account{BaseURL: srv.URL, Timeout: 50 * time.Millisecond,
		Observe: func(k model.Kind, m string, s int, d time.Duration) { status = s }})
	start := time.Now()
	err := c.Create(context.Background(), model.Entity{Kind: model.Grade, Key: "G1", Name: "x"})
	if time.Since(start) > time.Second {
		t.Errorf("timeout not honoured: %s", time.Since(start))
	}
	te := asTargetError(t, err)
	if te.Class != target.Transient || te.Status != 0 || !strings.Contains(te.Message, "no answer within 50ms") {
		t.Errorf("got %v", err)
	}
	if status != 0 {
		t.Errorf("observed status %d, want 0", status)
	}
}

func TestConnectionErrorIsTransient(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	c := newTestClient(t, ncpapi.Account{BaseURL: "http://" + addr})
	err = c.Delete(context.Background(), model.Employee, "E1")
	if te := asTargetError(t, err); te.Class != target.Transient || !strings.Contains(te.Message, "user E1") {
		t.Errorf("got %v", err)
	}
}

func TestResponseTooLarge(t *testing.T) {
	big := strings.Repeat("x", MaxResponseBytes+10)
	c := canned(t, 200, big)
	err := c.Delete(context.Background(), model.Grade, "G1")
	if te := asTargetError(t, err); te.Class != target.Transient || !strings.Contains(te.Message, "response too large") {
		t.Errorf("got %v", err)
	}
	// Exactly the limit is fine.
	c = canned(t, 200, `{"result":"success"}`+strings.Repeat(" ", MaxResponseBytes-20))
	if err := c.Delete(context.Background(), model.Grade, "G1"); err != nil {
		t.Errorf("1 MiB answer refused: %v", err)
	}
}

func TestRateLimit(t *testing.T) {
	srv, requests := recorder(t)
	c := newTestClient(t, ncpapi.Account{BaseURL: srv.URL, RateLimit: 20}) // one every 50ms
	start := time.Now()
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			if err := c.Delete(context.Background(), model.Grade, fmt.Sprint("G", i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if el := time.Since(start); el < 240*time.Millisecond {
		t.Errorf("6 requests at 20/s took %s, want >= 250ms", el)
	}
	if n := len(requests()); n != 6 {
		t.Errorf("%d requests", n)
	}

	// A wait longer than the caller's deadline ends without a request,
	// throttled: the item waits for capacity, it did not fail.
	c = newTestClient(t, ncpapi.Account{BaseURL: srv.URL, RateLimit: 0.5})
	_ = c.Delete(context.Background(), model.Grade, "first")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := c.Delete(ctx, model.Grade, "second")
	if target.ClassOf(err) != target.Throttled {
		t.Errorf("got %v", err)
	}
	if n := len(requests()); n != 7 {
		t.Errorf("%d requests, want 7", n)
	}
}

func TestCanceled(t *testing.T) {
	srv, _ := recorder(t)
	c := newTestClient(t, ncpapi.Account{BaseURL: srv.URL})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.Delete(ctx, model.Grade, "G1")
	if !errors.Is(err, context.Canceled) || target.ClassOf(err) != target.Transient {
		t.Errorf("got %v", err)
	}
}

func TestObserve(t *testing.T) {
	type obs struct {
		kind   model.Kind
		method string
		status int
	}
	var got []obs
	c := canned(t, 409, errBody("180011", "External key exists"))
	c.api.T.Observe = func(k model.Kind, m string, s int, d time.Duration) { got = append(got, obs{k, m, s}) }
	_ = c.Create(context.Background(), model.Entity{Kind: model.Department, Key: "D1", Name: "x"})
	if len(got) != 1 || got[0] != (obs{model.Department, "POST", 409}) {
		t.Errorf("observed %v", got)
	}
}

// Errors carry the key, code and server message, never credentials or the
// personal data of the request body.
func TestNoSecretsOrBodiesInErrors(t *testing.T) {
	for _, status := range []int{400, 401, 429, 503} {
		c := canned(t, status, errBody("181004", "Tel number format error"))
		err := c.Create(context.Background(), model.Entity{Kind: model.Employee, Key: "E1", Name: "김비밀",
			Email: "secret.person@example.com", Tel: "010-9999-8888"})
		for _, s := range []string{testSecret, testAPIKey, "김비밀", "secret.person", "9999"} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("%d: error %q contains %q", status, err, s)
			}
		}
	}
	cfg := Config{Account: ncpapi.Account{BaseURL: "http://h", CompanyID: "c", AccessKey: "a", SecretKey: testSecret}, APIKey: testAPIKey}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("cfg", "cfg", cfg)
	c, _ := New(cfg)
	js, _ := json.Marshal(cfg)
	for _, out := range []string{string(js), fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), logged.String(),
		fmt.Sprintf("%v", c), fmt.Sprintf("%+v", *c)} {
		if strings.Contains(out, testSecret) || strings.Contains(out, testAPIKey) {
			t.Errorf("credential printed: %s", out)
		}
	}
}
