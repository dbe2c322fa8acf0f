package workflows_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/workflows"
)

// echoingTarget stands in front of the WORKPLACE stand-in and, for the
// employees it is given, answers as a careless server would, repeating
// what was sent: twice a 503 whose message holds the name and the e-mail,
// twice a 429 (gateway code 420) naming the e-mail, or always a 400 whose
// errors[] echoes the e-mail. Everything else passes through.
type echoingTarget struct {
	next  http.Handler
	mu    sync.Mutex
	fault map[string]string // e-mail -> "5xx", "throttle" or "errors"
	hits  map[string]int
}

func (p *echoingTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	p.mu.Lock()
	kind, email, name := "", "", ""
	var sent struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(body, &sent)
	for e, k := range p.fault {
		if bytes.Contains(body, []byte(e)) {
			kind, email, name = k, e, sent.Name
		}
	}
	n := p.hits[email]
	if kind != "" {
		p.hits[email]++
	}
	p.mu.Unlock()
	answer := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	switch {
	case kind == "5xx" && n < 2:
		answer(503, map[string]any{"error": map[string]string{"errorCode": "500",
			"message": fmt.Sprintf("internal error while saving %s <%s>", name, email)}})
	case kind == "throttle" && n < 2:
		answer(429, map[string]any{"error": map[string]string{"errorCode": "420",
			"message": "rate limited: " + email}})
	case kind == "errors":
		answer(400, map[string]any{"status": 400, "code": -1050, "message": "request rejected",
			"errors": []map[string]string{{"field": "email", "message": "'" + email + "' is not allowed"}}})
	default:
		p.next.ServeHTTP(w, r)
	}
}

// The run fails in every way we know: an item throttled, an item answered
// 503 with a message holding a name and an e-mail, an item refused with a
// WORKPLACE errors[] echoing its e-mail, invalid source records, and (a
// second run) an HR export without its header row. Afterwards no value
// from any of these appears in any decoded workflow history or in the
// logs, and no credential appears in the logs; the texts are in Postgres,
// with the items.
func TestNoDataOrTextInHistory(t *testing.T) {
	const secret = "S3CR3T-leak-test-key"
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 30, Departments: 3, Target: "workplace", SecretKey: secret})
	s.Config.SecretKey = config.Secret(secret)
	logs := &testenv.LockedBuffer{}
	s.LogTo = logs

	emps := s.Source(t)[model.Employee]
	proxy := &echoingTarget{fault: map[string]string{emps[0].Email: "5xx", emps[1].Email: "throttle", emps[2].Email: "errors"}, hits: map[string]int{}}
	up, _ := url.Parse(s.URL)
	proxy.next = httputil.NewSingleHostReverseProxy(up)
	front := httptest.NewServer(proxy)
	defer front.Close()
	s.Config.WorkplaceURL = strings.Replace(s.Config.WorkplaceURL, s.URL, front.URL, 1)

	// Invalid records: an e-mail that is not one, a name with a control
	// character; their values reach the item's reason in Postgres.
	dept, grade := emps[3].DeptKey, emps[3].GradeKey
	invalid := map[string][2]string{"LEAK1": {"박보검", "bogum.park-at-example.com"}, "LEAK2": {"최\x1b[2J우식", "wooshik.choi@example.com"}}
	for key, v := range invalid {
		raw, _ := json.Marshal(map[string]string{"epId": key, "fullName": v[0], "emailAddress": v[1],
			"departmentCode": dept, "titleCode": grade, "gradeName": "사원", "employeeStatus": "B"})
		if err := s.Sandbox.Knox().PutRaw("employees", key, raw); err != nil {
			t.Fatal(err)
		}
	}
	stop := s.StartWorker(t)
	rep := s.Sync(t, workflows.Input{})
	if rep.Status != plan.RunCompletedFailing {
		t.Fatalf("first run: %+v", rep)
	}
	stop()
	for e, k := range proxy.fault {
		if proxy.hits[e] == 0 {
			t.Fatalf("fault %s for %s never fired", k, e)
		}
	}

	// A second run reads an HR export whose employees file has no header.
	dir := t.TempDir()
	headerless := []string{"E900", "홍길동", "gildong.hong@example.com", dept, grade, "", "010-5555-0199"}
	if err := os.WriteFile(filepath.Join(dir, "employees.csv"), []byte(strings.Join(headerless, ",")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.Config.Source, s.Config.FileDir = "file", dir
	s.StartWorker(t)
	bad := s.Sync(t, workflows.Input{Stages: []string{string(model.Employee)}})
	if bad.Status != plan.RunFailed || !strings.Contains(bad.Message, "required column") {
		t.Fatalf("header-less run: %+v", bad)
	}

	histories := allHistories(t, s, rep.RunID, bad.RunID)
	for _, proof := range []string{"HTTP 503", "throttled", s.Config.CompanyID} {
		if !strings.Contains(histories, proof) {
			t.Fatalf("the histories lack %q: the failures did not reach them, or payloads were not decoded", proof)
		}
	}
	values := []string{headerless[1], headerless[2], headerless[6]}
	for _, e := range emps[:3] {
		values = append(values, e.Email, e.Name)
	}
	for _, v := range invalid {
		values = append(values, v[0], v[1])
	}
	for _, v := range values {
		if strings.Contains(histories, v) {
			t.Errorf("%q appears in a workflow history", v)
		}
		if strings.Contains(logs.String(), v) {
			t.Errorf("%q appears in the logs", v)
		}
	}
	for _, c := range []string{secret, s.Config.AccessKey.Reveal()} {
		if strings.Contains(logs.String(), c) {
			t.Errorf("a credential appears in the logs")
		}
	}

	// The texts are kept where the operator reads them: with the items.
	items, err := s.Store.FailedItems(context.Background(), rep.RunID)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := json.Marshal(items)
	for _, v := range []string{emps[2].Email, invalid["LEAK1"][1]} {
		if !strings.Contains(string(stored), v) {
			t.Errorf("%q is not in the stored failures: %s", v, stored)
		}
	}
	t.Logf("checked %d values in %d KiB of history and %d KiB of logs", len(values), len(histories)/1024, len(logs.String())/1024)
}
