package server_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orgsync/orgsync/sandbox/server"
	"github.com/orgsync/orgsync/sandbox/workboxsim"
)

func TestSignature(t *testing.T) {
	e := newEnv(t, nil)
	e.must(call{method: "POST", res: "job-grade", key: "G1", body: grade("사원", 1)}, 201, "")
	e.must(call{method: "POST", res: "job-grade", key: "G2", body: grade("대리", 2), variant: "sdk"}, 201, "")
	e.must(call{method: "PUT", res: "job-grade", key: "G2", body: grade("대리", 3), secret: "WRONG"}, 401, "200")
	e.must(call{method: "PUT", res: "job-grade", key: "G2", body: grade("대리", 3), tsOffset: -6 * time.Minute}, 401, "200")
	e.must(call{method: "PUT", res: "job-grade", key: "G2", body: grade("대리", 3), tsOffset: 6 * time.Minute}, 401, "200")
	e.must(call{method: "PUT", res: "job-grade", key: "G2", body: grade("대리", 3), tsOffset: -4 * time.Minute}, 200, "")
	e.must(call{method: "POST", res: "job-grade", key: "G3", body: grade("과장", 3), company: "00000000-0000-0000-0000-000000000000"}, 400, "180000")

	pinned := newEnv(t, func(c *server.Config) { c.SignatureV1 = "apikey" })
	pinned.must(call{method: "POST", res: "job-grade", key: "G1", body: grade("사원", 1), variant: "sdk"}, 401, "200")
	pinned.must(call{method: "POST", res: "job-grade", key: "G1", body: grade("사원", 1)}, 201, "")
	sdk := newEnv(t, func(c *server.Config) { c.SignatureV1 = "sdk" })
	sdk.must(call{method: "POST", res: "job-grade", key: "G1", body: grade("사원", 1)}, 401, "200")
	sdk.must(call{method: "POST", res: "job-grade", key: "G1", body: grade("사원", 1), variant: "sdk"}, 201, "")
}

func TestValidation(t *testing.T) {
	e := newEnv(t, nil)
	e.must(call{method: "POST", res: "job-grade", key: "G1", body: grade("사원", 1)}, 201, "")
	e.must(call{method: "POST", res: "job-position", key: "P1", body: grade("팀장", 1)}, 201, "")
	e.must(call{method: "POST", res: "dept", key: "D1", body: dept("본사", "#")}, 201, "")
	long := strings.Repeat("가", 101)
	withUser := func(k string, v any) m { u := user("김민수", "minsu@samsung.example"); u[k] = v; return u }
	for _, tc := range []struct {
		name     string
		res, key string
		body     any
		status   int
		code     string
	}{
		{"grade ok, 100 chars", "job-grade", "G2", grade(strings.Repeat("가", 100), 2), 201, ""},
		{"grade name missing", "job-grade", "G3", m{"sortOrd": 1}, 400, "181001"},
		{"grade name blank", "job-grade", "G3", grade("  ", 1), 400, "181001"},
		{"grade name too long", "job-grade", "G3", grade(long, 1), 400, "181002"},
		{"grade name not a string", "job-grade", "G3", m{"name": 5, "sortOrd": 1}, 400, "181002"},
		{"grade sortOrd missing", "job-grade", "G3", m{"name": "x"}, 400, "181010"},
		{"grade sortOrd not a number", "job-grade", "G3", m{"name": "x", "sortOrd": "abc"}, 400, "181011"},
		{"grade sortOrd fraction", "job-grade", "G3", m{"name": "x", "sortOrd": 1.5}, 400, "181011"},
		{"grade i18n bad locale", "job-grade", "G3", m{"name": "x", "sortOrd": 1, "i18nNames": m{"en": "x"}}, 400, "181006"},
		{"grade i18n ok", "job-grade", "G3", m{"name": "x", "sortOrd": 1, "i18nNames": m{"en_US": "Staff"}}, 201, ""},
		{"key 37 chars", "job-grade", strings.Repeat("k", 37), grade("x", 1), 400, "181003"},
		{"key 36 chars", "job-grade", strings.Repeat("k", 36), grade("x", 1), 201, ""},
		{"not JSON", "job-grade", "G4", []byte("{"), 400, "180018"},
		{"dept parent missing", "dept", "D2", dept("개발팀", "NOPE"), 400, "180004"},
		{"dept parent empty", "dept", "D2", dept("개발팀", ""), 400, "180004"},
		{"dept self parent", "dept", "D2", dept("개발팀", "D2"), 400, "180006"},
		{"dept sortOrd int accepted", "dept", "D3", m{"name": "팀", "sortOrd": 2, "uprDeptExternalKey": "D1"}, 201, ""},
		{"user ok", "user", "U1", withUser("deptExternalKey", "D1"), 201, ""},
		{"user email missing", "user", "U2", m{"name": "x"}, 400, "181008"},
		{"user email bad", "user", "U2", withUser("emailAddr", "no-at-sign"), 400, "181009"},
		{"user tel letters", "user", "U2", withUser("telNo", "02-CALL-ME"), 400, "181004"},
		{"user tel too long", "user", "U2", withUser("telNo", strings.Repeat("1", 31)), 400, "181004"},
		{"user tel parens ok", "user", "U2", m{"name": "x", "emailAddr": "x@samsung.example", "telNo": "+82 (2) 6155-1234"}, 201, ""},
		{"user email taken", "user", "U9", withUser("telNo", "+82 (2) 6155-1234"), 409, "180017"},
		{"user mobile bad", "user", "U3", withUser("cphNo", "010.1234.5678"), 400, "181005"},
		{"user locale bad", "user", "U3", withUser("localeTypeCd", "ko"), 400, "181006"},
		{"user zone bad", "user", "U3", withUser("tmznTypeCd", "Asia/Nowhere"), 400, "181007"},
		{"user dept missing", "user", "U3", withUser("deptExternalKey", "NOPE"), 400, "180007"},
		{"user grade missing", "user", "U3", withUser("gradeExternalKey", "NOPE"), 400, "180013"},
		{"user position missing", "user", "U3", withUser("positionExternalKey", "NOPE"), 400, "180015"},
		{"grade exists", "job-grade", "G1", grade("사원", 1), 409, "180011"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			e.must(call{method: "POST", res: tc.res, key: tc.key, body: tc.body}, tc.status, tc.code)
		})
	}
	e.t = t
	// PUT/DELETE of a missing key: the resource's own not-found, with 404.
	e.must(call{method: "PUT", res: "dept", key: "NOPE", body: dept("x", "#")}, 404, "180007")
	e.must(call{method: "PUT", res: "job-grade", key: "NOPE", body: grade("x", 1)}, 404, "180013")
	e.must(call{method: "DELETE", res: "job-position", key: "NOPE"}, 404, "180015")
	e.must(call{method: "DELETE", res: "user", key: "NOPE"}, 404, "180019")
	e.must(call{method: "POST", res: "job-grade", key: "BIG", body: []byte(`{"name":"` + strings.Repeat("x", 1<<20) + `","sortOrd":1}`)}, 413, "430")
}

func TestDeptTreeAndDeletes(t *testing.T) {
	e := newEnv(t, nil)
	e.must(call{method: "POST", res: "dept", key: "D1", body: dept("본사", "#")}, 201, "")
	e.must(call{method: "POST", res: "dept", key: "D2", body: dept("개발실", "D1")}, 201, "")
	e.must(call{method: "POST", res: "dept", key: "D3", body: dept("개발팀", "D2")}, 201, "")
	e.must(call{method: "PUT", res: "dept", key: "D1", body: dept("본사", "D3")}, 400, "180009")
	e.must(call{method: "PUT", res: "dept", key: "D1", body: dept("본사", "D1")}, 400, "180006")
	e.must(call{method: "DELETE", res: "dept", key: "D2"}, 400, "180018") // has a child

	e.must(call{method: "POST", res: "job-grade", key: "G1", body: grade("사원", 1)}, 201, "")
	u := user("김민수", "minsu@samsung.example")
	u["deptExternalKey"], u["gradeExternalKey"] = "D3", "G1"
	e.must(call{method: "POST", res: "user", key: "U1", body: u}, 201, "")
	e.must(call{method: "DELETE", res: "dept", key: "D3"}, 400, "180018")      // has a member
	e.must(call{method: "DELETE", res: "job-grade", key: "G1"}, 400, "180018") // in use

	// Moving D3 to the top frees D2; moving the member frees D3 and G1.
	e.must(call{method: "PUT", res: "dept", key: "D3", body: dept("개발팀", "#")}, 200, "")
	e.must(call{method: "DELETE", res: "dept", key: "D2"}, 200, "")
	delete(u, "gradeExternalKey")
	u["deptExternalKey"] = "D1"
	e.must(call{method: "PUT", res: "user", key: "U1", body: u}, 200, "")
	e.must(call{method: "DELETE", res: "dept", key: "D3"}, 200, "")
	e.must(call{method: "DELETE", res: "job-grade", key: "G1"}, 200, "")

	st := e.srv.WorkboxState()
	if len(st.Depts) != 1 || st.Users["U1"].DeptExternalKey != "D1" || len(st.Grades) != 0 {
		t.Errorf("state: %+v", st)
	}
}

func TestDuplicateEmail(t *testing.T) {
	e := newEnv(t, nil)
	e.must(call{method: "POST", res: "user", key: "U1", body: user("김민수", "minsu@samsung.example")}, 201, "")
	e.must(call{method: "POST", res: "user", key: "U2", body: user("이민수", "MinSu@Samsung.Example")}, 409, "180017")
	e.must(call{method: "PUT", res: "user", key: "U1", body: user("김민수", "minsu@samsung.example")}, 200, "")
	e.must(call{method: "DELETE", res: "user", key: "U1"}, 200, "")
	e.must(call{method: "POST", res: "user", key: "U2", body: user("이민수", "minsu@samsung.example")}, 201, "")
}

func TestStatsCountDuplicateCreates(t *testing.T) {
	e := newEnv(t, nil)
	e.must(call{method: "POST", res: "job-grade", key: "G1", body: grade("사원", 1)}, 201, "")
	e.must(call{method: "POST", res: "job-grade", key: "G1", body: grade("사원", 1)}, 409, "180011")
	e.must(call{method: "POST", res: "job-grade", key: "G1", body: grade("사원", 1)}, 409, "180011")
	e.must(call{method: "PUT", res: "job-grade", key: "G1", body: grade("사원", 2)}, 200, "")
	e.must(call{method: "DELETE", res: "job-grade", key: "G1"}, 200, "")
	var st workboxsim.Stats
	if e.admin("GET", "/admin/stats", nil, &st) != 200 {
		t.Fatal("stats")
	}
	if st.DuplicateCreates != 2 || st.Creates != 1 || st.Updates != 1 || st.Deletes != 1 || st.Requests != 5 ||
		st.Writes != 5 || st.ByStatus["409"] != 2 || st.ByStatus["201"] != 1 {
		t.Errorf("stats %+v", st)
	}
	if got := e.srv.Stats(); got.DuplicateCreates != 2 {
		t.Errorf("in-process stats %+v", got)
	}
	e.admin("POST", "/admin/reset", m{"employees": 10, "departments": 2}, nil)
	if got := e.srv.Stats(); got.Requests != 0 || got.DuplicateCreates != 0 {
		t.Errorf("reset left counters: %+v", got)
	}
}

func TestFaultRateLimit(t *testing.T) {
	e := newEnv(t, nil)
	if e.admin("POST", "/admin/workbox/faults", m{"rps": 5}, nil) != 200 {
		t.Fatal("set faults")
	}
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.wb(call{method: "POST", res: "job-grade", key: "G" + itoa(i), body: grade("x", 1)})
			mu.Lock()
			codes[r.status]++
			if r.status == 429 && r.code != "420" {
				t.Errorf("429 with code %q", r.code)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes[429] < 20 || codes[201] < 5 || codes[201]+codes[429] != 30 {
		t.Errorf("status counts %v", codes)
	}
	if st := e.srv.Stats(); st.Throttled != int64(codes[429]) {
		t.Errorf("throttled %d, want %d", st.Throttled, codes[429])
	}
	e.admin("POST", "/admin/workbox/faults", m{}, nil)
	e.must(call{method: "POST", res: "job-grade", key: "after", body: grade("x", 1)}, 201, "")
}

func TestFaultSwitches(t *testing.T) {
	e := newEnv(t, nil)
	e.admin("POST", "/admin/workbox/faults", m{"syncOff": []string{"dept"}}, nil)
	e.must(call{method: "POST", res: "dept", key: "D1", body: dept("본사", "#")}, 403, "180001")
	e.must(call{method: "POST", res: "job-grade", key: "G1", body: grade("사원", 1)}, 201, "")

	e.admin("POST", "/admin/workbox/faults", m{"reject": []string{"job-grade"}}, nil)
	e.must(call{method: "POST", res: "job-grade", key: "G2", body: grade("사원", 1)}, 400, "180018")
	e.must(call{method: "POST", res: "dept", key: "D1", body: dept("본사", "#")}, 201, "")

	e.admin("POST", "/admin/workbox/faults", m{"errorRate": 1}, nil)
	e.must(call{method: "POST", res: "job-grade", key: "G2", body: grade("사원", 1)}, 503, "500")

	e.admin("POST", "/admin/workbox/faults", m{"clockSkewMs": 10 * 60 * 1000}, nil)
	e.must(call{method: "POST", res: "job-grade", key: "G2", body: grade("사원", 1)}, 401, "200")

	if e.admin("POST", "/admin/workbox/faults", m{"syncOff": []string{"nope"}}, nil) != 400 {
		t.Error("unknown resource in syncOff accepted")
	}
	if e.admin("POST", "/admin/workbox/faults", m{"rsp": 5}, nil) != 400 {
		t.Error("misspelt fault accepted")
	}
	e.admin("POST", "/admin/workbox/faults", m{"latencyMs": 30}, nil)
	start := time.Now()
	e.must(call{method: "POST", res: "job-grade", key: "G2", body: grade("사원", 1)}, 201, "")
	if time.Since(start) < 30*time.Millisecond {
		t.Error("latency not applied")
	}
}

func TestFaultRejectRateDeterministic(t *testing.T) {
	e := newEnv(t, nil)
	run := func() map[string]bool {
		e.admin("POST", "/admin/reset", m{}, nil)
		e.admin("POST", "/admin/workbox/faults", m{"rejectRate": 0.3}, nil)
		rejected := map[string]bool{}
		for i := range 100 {
			key := "K" + itoa(i)
			r := e.wb(call{method: "POST", res: "job-grade", key: key, body: grade("x", 1)})
			switch {
			case r.status == 400 && r.code == "180018":
				rejected[key] = true
			case r.status != 201:
				t.Fatalf("%s: %d %s", key, r.status, r.raw)
			}
			if rejected[key] != (workboxsim.KeyShare("job-grade", key) < 0.3) {
				t.Fatalf("%s: rejection does not follow KeyShare", key)
			}
		}
		return rejected
	}
	a, b := run(), run()
	if len(a) < 15 || len(a) > 45 {
		t.Errorf("%d of 100 rejected at rate 0.3", len(a))
	}
	for k := range a {
		if !b[k] {
			t.Errorf("%s rejected once, accepted the next time", k)
		}
	}
	if len(a) != len(b) {
		t.Errorf("runs differ: %d vs %d", len(a), len(b))
	}
}

func TestConcurrentWrites(t *testing.T) {
	e := newEnv(t, nil)
	e.must(call{method: "POST", res: "dept", key: "D1", body: dept("본사", "#")}, 201, "")
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := user("사원"+itoa(i), "u"+itoa(i)+"@samsung.example")
			u["deptExternalKey"] = "D1"
			if r := e.wb(call{method: "POST", res: "user", key: "U" + itoa(i), body: u}); r.status != 201 {
				t.Errorf("U%d: %d %s", i, r.status, r.raw)
			}
		}()
	}
	wg.Wait()
	if n := len(e.srv.WorkboxState().Users); n != 200 {
		t.Errorf("%d users, want 200", n)
	}
	var st map[string]map[string]any
	e.admin("GET", "/admin/workbox/state", nil, &st)
	if len(st["user"]) != 200 || len(st["dept"]) != 1 || st["job-grade"] == nil {
		t.Errorf("state dump: %d users", len(st["user"]))
	}
}

func TestRoutingAndMethods(t *testing.T) {
	e := newEnv(t, nil)
	e.must(call{method: "GET", res: "job-grade", key: "G1"}, 405, "180022")
	e.must(call{method: "POST", res: "grade", key: "G1", body: grade("x", 1)}, 404, "300")
	resp, err := http.Get(e.ts.URL + server.WorkboxPrefix + "/organization/company/x/job-grade/G1")
	if err != nil || resp.StatusCode != 401 {
		t.Errorf("unsigned request: %v %v", err, resp.StatusCode)
	}
}

func itoa(i int) string { return fmtInt(i) }
