package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/orgsync/orgsync/internal/testenv"
)

// TestReadyz runs the worker against a Postgres and a Temporal that the
// test stops and starts again: /readyz turns 503 naming the one that went
// away and 200 again when it is back, /healthz stays 200 throughout, and
// `worker ready` (the image's healthcheck) exits 1 and then 0 with it.
func TestReadyz(t *testing.T) {
	pg := testenv.PrivatePostgres(t)
	s := testenv.NewStackOn(t, testenv.StackOptions{Employees: 20, Departments: 2}, pg.AdminURL())
	temporal := testenv.RestartableDevServer(t)
	s.UseTemporal(temporal.HostPort, temporal.Client())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	w := s.StartWorkerProcess(t, os.Args[0], "ORGSYNC_TEST_RUN_WORKER=1", "ORGSYNC_METRICS_ADDR="+addr)

	get := func(path string) (int, string) {
		hc := &http.Client{Timeout: 10 * time.Second}
		resp, err := hc.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// waitReady polls /readyz until it answers code with want in its body.
	waitReady := func(when string, code int, want string) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		var got int
		var body string
		for time.Now().Before(deadline) {
			if got, body = get("/readyz"); got == code && strings.Contains(body, want) {
				if c, _ := get("/healthz"); c != http.StatusOK {
					t.Fatalf("%s: /healthz answered %d", when, c)
				}
				t.Logf("%s: /readyz %d: %s", when, got, strings.Join(strings.Fields(body), " "))
				return
			}
			if w.Exited() {
				t.Fatalf("%s: the worker exited:\n%s", when, w.Logs(3000))
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("%s: /readyz never answered %d with %q; last %d: %s\nworker:\n%s", when, code, want, got, body, w.Logs(3000))
	}
	// probe runs `worker ready` as a container healthcheck would.
	probe := func(when string, wantOK bool) {
		t.Helper()
		cmd := exec.Command(os.Args[0], "ready")
		cmd.Env = append(append(os.Environ(), testenv.Env(s.Config)...), "ORGSYNC_TEST_RUN_WORKER=1", "ORGSYNC_METRICS_ADDR="+addr)
		out, err := cmd.CombinedOutput()
		text := strings.TrimSpace(string(out))
		if (err == nil) != wantOK || strings.Contains(text, "\n") {
			t.Fatalf("%s: `worker ready`: err %v, output %q; want success %v and at most one line", when, err, text, wantOK)
		}
	}

	waitReady("started", http.StatusOK, "postgres: ok\ntemporal: ok\nworker: polling")
	probe("started", true)

	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	waitReady("Postgres stopped", http.StatusServiceUnavailable, "postgres: unreachable")
	probe("Postgres stopped", false)
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	waitReady("Postgres back", http.StatusOK, "postgres: ok")

	if err := temporal.Stop(); err != nil {
		t.Fatal(err)
	}
	waitReady("Temporal stopped", http.StatusServiceUnavailable, "temporal: unreachable")
	probe("Temporal stopped", false)
	if err := temporal.Start(); err != nil {
		t.Fatal(err)
	}
	waitReady("Temporal back", http.StatusOK, "temporal: ok")
	probe("Temporal back", true)
}
