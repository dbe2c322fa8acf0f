package server_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/orgsync/orgsync/sandbox/server"
)

type env struct {
	t   *testing.T
	cfg server.Config
	srv *server.Server
	ts  *httptest.Server
}

func newEnv(t *testing.T, mod func(*server.Config)) *env {
	t.Helper()
	cfg := server.DefaultConfig()
	cfg.Employees, cfg.Departments = 40, 5
	if mod != nil {
		mod(&cfg)
	}
	srv := server.New(cfg)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &env{t: t, cfg: cfg, srv: srv, ts: ts}
}

// call describes one WORKBOX request; zero fields take correct values.
type call struct {
	method, res, key string
	body             any    // marshalled unless []byte
	company          string // path company id
	secret           string
	variant          string // "apikey" (default) or "sdk"
	tsOffset         time.Duration
}

type wbResult struct {
	status int
	code   string
	raw    string
}

// sign is the test's own v1 signer (not the sandbox's, not internal/ncpauth).
func sign(secret, msg string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func (e *env) wb(c call) wbResult {
	e.t.Helper()
	if c.company == "" {
		c.company = e.cfg.CompanyID
	}
	if c.secret == "" {
		c.secret = e.cfg.SecretKey
	}
	var body []byte
	switch b := c.body.(type) {
	case nil:
	case []byte:
		body = b
	default:
		body, _ = json.Marshal(b)
	}
	uri := server.WorkboxPrefix + "/organization/company/" + c.company + "/" + c.res + "/" + c.key
	ts := strconv.FormatInt(time.Now().Add(c.tsOffset).UnixMilli(), 10)
	msg := c.method + " " + uri + "\n" + ts + "\n"
	if c.variant != "sdk" {
		msg += e.cfg.APIKey + "\n"
	}
	req, _ := http.NewRequest(c.method, e.ts.URL+uri, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-ncp-apigw-timestamp", ts)
	req.Header.Set("x-ncp-iam-access-key", e.cfg.AccessKey)
	req.Header.Set("x-ncp-apigw-api-key", e.cfg.APIKey)
	req.Header.Set("x-ncp-apigw-signature-v1", sign(c.secret, msg+e.cfg.AccessKey))
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var eb struct {
		Error struct {
			ErrorCode string `json:"errorCode"`
		} `json:"error"`
	}
	_ = json.Unmarshal(raw, &eb)
	return wbResult{resp.StatusCode, eb.Error.ErrorCode, string(raw)}
}

// must sends c and fails the test unless it answers status (and code).
func (e *env) must(c call, status int, code string) {
	e.t.Helper()
	r := e.wb(c)
	if r.status != status || r.code != code {
		e.t.Fatalf("%s %s/%s: %d %q, want %d %q (%s)", c.method, c.res, c.key, r.status, r.code, status, code, r.raw)
	}
}

// admin calls the admin API; out, when set, receives the JSON answer.
func (e *env) admin(method, path string, body any, out any) int {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.ts.URL+path, rd)
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			e.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

// knox calls the Knox stand-in with the configured System-ID.
func (e *env) knox(path string) (int, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+server.KnoxPrefix+path, nil)
	req.Header.Set("System-ID", e.cfg.KnoxSystemID)
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

type m = map[string]any

func grade(name string, sort int) m { return m{"name": name, "sortOrd": sort} }

func dept(name, upr string) m { return m{"name": name, "sortOrd": "1", "uprDeptExternalKey": upr} }

func user(name, email string) m {
	return m{"name": name, "emailAddr": email, "localeTypeCd": "ko_KR", "tmznTypeCd": "Asia/Seoul", "cphNo": "+82-10-1234-5678"}
}

func fmtInt(i int) string { return strconv.Itoa(i) }
