package knox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const testSystemID = "C60REST0001"

func newTestClient(t *testing.T, url string, mutate ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{BaseURL: url, SystemID: testSystemID, CompanyCode: "C60"}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func asKnoxError(t *testing.T, err error) *Error {
	t.Helper()
	var ke *Error
	if !errors.As(err, &ke) {
		t.Fatalf("%T %v is not a *knox.Error", err, err)
	}
	return ke
}

// fakeKnox serves n employees of department D1 and n organizations in pages
// of PageSize, checking the request like the real service would.
func fakeKnox(t *testing.T, n int) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		q := r.URL.Query()
		if r.Header.Get("System-ID") != testSystemID {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"result":"fail","errorCode":"UNAUTHORIZED","errorMessage":"unknown System-ID"}`)
			return
		}
		if q.Get("companyCode") != "C60" {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"result":"fail","errorCode":"ORG0011","errorMessage":"Please enter companyCode as required."}`)
			return
		}
		if r.URL.Path == "/knox/titles" {
			fmt.Fprint(w, `{"result":"success","titles":[{"companyCode":"C60","titleCode":"B3K","titleName":"책임","enTitleName":"Senior Engineer","sortOrder":"54"}]}`)
			return
		}
		pg, _ := strconv.Atoi(q.Get("page"))
		if pg < 1 {
			t.Errorf("page %q", q.Get("page"))
		}
		total := (n + PageSize - 1) / PageSize
		var items []map[string]any
		for i := (pg - 1) * PageSize; i < min(n, pg*PageSize); i++ {
			switch r.URL.Path {
			case "/knox/employees":
				if q.Get("departmentCode") != "D1" {
					t.Errorf("departmentCode %q", q.Get("departmentCode"))
				}
				items = append(items, map[string]any{"epId": fmt.Sprintf("E%05d", i), "fullName": "김삼성", "departmentCode": "D1", "employeeStatus": "B"})
			case "/knox/organizations":
				items = append(items, map[string]any{"departmentCode": fmt.Sprintf("D%05d", i), "departmentOrder": "1"})
			}
		}
		list := strings.TrimPrefix(r.URL.Path, "/knox/")
		json.NewEncoder(w).Encode(map[string]any{"result": "success", "currentPage": pg, "totalPage": total, "totalCount": n, list: items})
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestEmployeesPaging(t *testing.T) {
	for _, post := range []bool{false, true} {
		t.Run(fmt.Sprint("post=", post), func(t *testing.T) {
			srv, calls := fakeKnox(t, 1203) // 3 pages: 500, 500, 203
			c := newTestClient(t, srv.URL+"/knox/", func(c *Config) { c.EmployeesPOST = post })
			var sizes []int
			seen := map[string]bool{}
			err := c.Employees(context.Background(), "D1", func(es []Employee) error {
				sizes = append(sizes, len(es))
				for _, e := range es {
					if seen[e.EpID] || e.FullName != "김삼성" || e.DepartmentCode != "D1" {
						t.Errorf("bad or repeated employee %+v", e)
					}
					seen[e.EpID] = true
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(sizes) != "[500 500 203]" || len(seen) != 1203 || calls.Load() != 3 {
				t.Errorf("pages %v, %d employees, %d calls", sizes, len(seen), calls.Load())
			}
		})
	}
}

func TestOrganizationsAndTitles(t *testing.T) {
	srv, _ := fakeKnox(t, 501)
	c := newTestClient(t, srv.URL+"/knox")
	var n, pages int
	if err := c.Organizations(context.Background(), func(os []Organization) error {
		pages++
		n += len(os)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 501 || pages != 2 {
		t.Errorf("%d organizations in %d pages", n, pages)
	}
	ts, err := c.Titles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || ts[0] != (Title{"C60", "B3K", "책임", "Senior Engineer", "54"}) {
		t.Errorf("titles %+v", ts)
	}
}

func TestEmptyAndStop(t *testing.T) {
	srv, calls := fakeKnox(t, 0)
	c := newTestClient(t, srv.URL+"/knox")
	if err := c.Organizations(context.Background(), func([]Organization) error { t.Error("fn called"); return nil }); err != nil {
		t.Fatal(err)
	}
	srv, calls = fakeKnox(t, 1500)
	c = newTestClient(t, srv.URL+"/knox")
	stop := errors.New("stop")
	if err := c.Employees(context.Background(), "D1", func([]Employee) error { return stop }); err != stop {
		t.Errorf("got %v, want fn's error", err)
	}
	if calls.Load() != 1 {
		t.Errorf("%d calls after fn failed", calls.Load())
	}
	if err := c.Employees(context.Background(), "", func([]Employee) error { return nil }); err == nil {
		t.Error("empty departmentCode accepted")
	}
}

func TestWrongSystemID(t *testing.T) {
	srv, _ := fakeKnox(t, 1)
	c := newTestClient(t, srv.URL+"/knox", func(c *Config) { c.SystemID = "NOPE" })
	_, err := c.Titles(context.Background())
	ke := asKnoxError(t, err)
	if ke.Status != 401 || ke.Code != "UNAUTHORIZED" || ke.Retryable() || !strings.Contains(err.Error(), "ORGSYNC_KNOX_SYSTEM_ID") {
		t.Errorf("got %#v", ke)
	}
}

// errorServer answers every call with status and body.
func errorServer(t *testing.T, status int, body string) *Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return newTestClient(t, srv.URL+"/knox")
}

// Seed 001 error table: status, code, message.
var seedErrors = []struct {
	status        int
	code, message string
}{
	{400, "EM0001", "Search request with more than 100 list can not be proceeded."},
	{400, "EM0004", "Please insert the search keyword."},
	{400, "EM0005", "Search keyword length is not valid."},
	{400, "EM0006", "Search keyword should be no longer than 100 characters."},
	{400, "EM0007", "Search keyword can not include the caracter."},
	{500, "EM0010", "EPWebservice.{} Abnormal."},
	{400, "EM0014", "Please enter {} as required."},
	{400, "EM0015", "Please enter {} according to the specified format."},
	{400, "EM0016", "Only one of {} can be selected."},
	{400, "EM0017", "For the requested search conditions, paging is not possible."},
	{400, "EM0018", "Please remove the {} keyword from the requested search conditions and try again."},
	{400, "ORG0003", "Please insert the search keyword."},
	{400, "ORG0004", "Search keyword must be larger than 4 bytes."},
	{400, "ORG0005", "Search keyword should be no longer than 100 characters."},
	{400, "ORG0006", "Search keyword can not include the caracter."},
	{500, "ORG0010", "ORGWebservice. {} Abnormal."},
	{400, "ORG0011", "Please enter {} as required."},
	{400, "ORG0012", "Please enter {} according to the specified format."},
	{400, "ORG0013", "Only one of {} can be selected."},
	{400, "ORG0014", "For the requested search conditions, paging is not possible."},
}

func TestSeedErrorCodes(t *testing.T) {
	if len(seedErrors) != len(Codes) {
		t.Fatalf("%d seed codes, Codes has %d", len(seedErrors), len(Codes))
	}
	for i, se := range seedErrors {
		t.Run(se.code, func(t *testing.T) {
			if Codes[i] != se.code {
				t.Errorf("Codes[%d] = %s", i, Codes[i])
			}
			c := errorServer(t, se.status, fmt.Sprintf(`{"result":"fail","errorCode":%q,"errorMessage":%q}`, se.code, se.message))
			endpoint := "employees"
			err := c.Employees(context.Background(), "D1", func([]Employee) error { return nil })
			if strings.HasPrefix(se.code, "ORG") {
				endpoint = "organizations"
				err = c.Organizations(context.Background(), func([]Organization) error { return nil })
			}
			ke := asKnoxError(t, err)
			if ke.Status != se.status || ke.Code != se.code || ke.Message != se.message || ke.Endpoint != endpoint || ke.Page != 1 {
				t.Errorf("got %#v", ke)
			}
			if ke.Meaning == "" || ke.Meaning != Meaning(se.code) {
				t.Errorf("meaning %q", ke.Meaning)
			}
			if ke.Retryable() != (se.status >= 500) {
				t.Errorf("retryable %v for HTTP %d", ke.Retryable(), se.status)
			}
			if !strings.Contains(err.Error(), se.code) || !strings.Contains(err.Error(), ke.Meaning) {
				t.Errorf("Error() = %s", err)
			}
		})
	}
}

func TestMalformedPages(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		retryable bool
		inMsg     string
	}{
		{"html on 200", 200, `<html>maintenance</html>`, false, "not valid JSON"},
		{"truncated on 200", 200, `{"result":"success","currentPage":1,"totalPage":2,"employees":[{"epId":"E1","fullN`, false, "truncated"},
		{"empty on 200", 200, ``, false, "not valid JSON"},
		{"fail on 200", 200, `{"result":"fail","errorCode":"EM0016","errorMessage":"Only one of {} can be selected."}`, false, "EM0016"},
		{"no result", 200, `{"currentPage":1,"totalPage":1}`, false, `result ""`},
		{"bad paging type", 200, `{"result":"success","currentPage":"1","totalPage":1}`, false, "not valid JSON"},
		{"record not an object", 200, `{"result":"success","currentPage":1,"totalPage":1,"employees":[1]}`, false, "not valid JSON"},
		{"html on 503", 503, `<html>busy</html>`, true, "Service Unavailable"},
		{"html on 502", 502, `bad gateway`, true, "not JSON"},
		{"wrong page", 200, `{"result":"success","currentPage":3,"totalPage":3}`, false, "got currentPage 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := errorServer(t, tt.status, tt.body)
			err := c.Employees(context.Background(), "D1", func([]Employee) error { return nil })
			ke := asKnoxError(t, err)
			if ke.Retryable() != tt.retryable || ke.Endpoint != "employees" || ke.Page != 1 {
				t.Errorf("got %#v", ke)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.inMsg) || !strings.Contains(msg, "knox employees page 1") {
				t.Errorf("Error() = %s", msg)
			}
			if strings.Contains(msg, "maintenance") || strings.Contains(msg, "fullN") {
				t.Errorf("body echoed: %s", msg)
			}
		})
	}
}

// A field of another JSON type does not sink the page.
func TestLenientRecords(t *testing.T) {
	c := errorServer(t, 200, `{"result":"success","currentPage":1,"totalPage":1,"totalCount":2,"employees":[`+
		`{"epId":"E1","titleSortOrder":54,"fullName":"김삼성","mobile":null,"nickName":{"x":1},"executiveYn":true},`+
		`{"epId":"E2","fullName":"이삼성"}]}`)
	var got []Employee
	if err := c.Employees(context.Background(), "D1", func(es []Employee) error { got = es; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].EpID != "E1" || got[0].TitleSortOrder != "54" || got[0].FullName != "김삼성" ||
		got[0].ExecutiveYn != "true" || got[0].NickName != "" || got[1].FullName != "이삼성" {
		t.Errorf("got %+v", got)
	}
}

func TestPageTooLarge(t *testing.T) {
	srv, _ := fakeKnox(t, 600)
	c := newTestClient(t, srv.URL+"/knox", func(c *Config) { c.MaxPageBytes = 1000 })
	err := c.Employees(context.Background(), "D1", func([]Employee) error { return nil })
	if ke := asKnoxError(t, err); ke.Retryable() || !strings.Contains(ke.Message, "larger than 1000 bytes") {
		t.Errorf("got %v", err)
	}
}

func TestTransportErrors(t *testing.T) {
	// Timeout: the server sleeps past the client's timeout.
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-time.After(2 * time.Second):
		}
	}))
	defer slow.Close()
	defer close(release)
	c := newTestClient(t, slow.URL, func(c *Config) { c.Timeout = 50 * time.Millisecond })
	_, err := c.Titles(context.Background())
	if ke := asKnoxError(t, err); !ke.Retryable() || ke.Status != 0 || !strings.Contains(ke.Message, "no answer within 50ms") {
		t.Errorf("timeout: %v", err)
	}

	// Connection refused.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	c = newTestClient(t, "http://"+addr+"/knox")
	err = c.Organizations(context.Background(), func([]Organization) error { return nil })
	if ke := asKnoxError(t, err); !ke.Retryable() || !strings.Contains(ke.Message, "connection error") {
		t.Errorf("refused: %v", err)
	}

	// The caller's cancellation or deadline (a stopping worker, an
	// activity timeout) says nothing about Knox: asked again, on another
	// worker, it may well answer.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c = newTestClient(t, slow.URL)
	_, err = c.Titles(ctx)
	if ke := asKnoxError(t, err); !ke.Retryable() || !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
	dctx, dcancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer dcancel()
	_, err = c.Titles(dctx)
	if ke := asKnoxError(t, err); !ke.Retryable() || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("caller's deadline: %v", err)
	}
}

func TestNewValidates(t *testing.T) {
	for _, cfg := range []Config{
		{BaseURL: "knox", SystemID: "S", CompanyCode: "C"},
		{BaseURL: "http://h", CompanyCode: "C"},
		{BaseURL: "http://h", SystemID: "S"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}
