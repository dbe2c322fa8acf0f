package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orgsync/orgsync/internal/testenv"
)

// TestTLSAndAPIKey connects the worker and the starter the way they reach
// a secured cluster or Temporal Cloud, by the temporal CLI's variables
// only: TEMPORAL_ADDRESS points at a TLS-terminating proxy (a CA made
// here) that demands a client certificate and forwards to the dev server;
// TEMPORAL_API_KEY rides along. A sync must complete through it. The dev
// server checks no API key, so the proxy shows that the key arrives as
// gRPC metadata ("authorization: Bearer <key>") on every call. A client
// certificate from another CA must stop the worker at start-up with one
// line naming the setting.
func TestTLSAndAPIKey(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 60, Departments: 6})
	ca := testenv.NewCA(t, "orgsync-test")
	proxy := testenv.StartTLSProxy(t, ca, s.Dev)
	cert, key := ca.Issue(t, "orgsync-worker", false)
	const apiKey = "orgsync-test-api-key-3f9c"
	s.Config.TemporalAddress = "" // the TEMPORAL_* convention decides
	conn := []string{
		"TEMPORAL_CONFIG_FILE=" + filepath.Join(t.TempDir(), "absent.toml"), // not the developer's own
		"TEMPORAL_ADDRESS=" + proxy.Addr,
		"TEMPORAL_TLS_SERVER_CA_CERT_PATH=" + ca.CAPath,
		"TEMPORAL_TLS_CLIENT_CERT_PATH=" + cert,
		"TEMPORAL_TLS_CLIENT_KEY_PATH=" + key,
		"TEMPORAL_API_KEY=" + apiKey,
	}
	w := s.StartWorkerProcess(t, os.Args[0], append(conn, "ORGSYNC_TEST_RUN_WORKER=1")...)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	starter := exec.CommandContext(ctx, testenv.BuildCommand(t, t.TempDir(), "starter"), "sync", "--wait")
	starter.Env = append(append(os.Environ(), testenv.Env(s.Config)...), conn...)
	out, err := starter.CombinedOutput()
	if err != nil {
		t.Fatalf("starter sync --wait through the TLS proxy: %v\n%s\nworker:\n%s", err, out, w.Logs(3000))
	}
	src := s.Source(t)
	if got, want := s.Sandbox.WorkboxState(), testenv.WorkboxState(src); !testenv.SameJSON(got, want) {
		t.Fatalf("the target differs from the source after a sync through TLS (%d users, want %d)", len(got.Users), len(want.Users))
	}
	if logs := w.Logs(1 << 20); !strings.Contains(logs, "TLS with client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH), API key (TEMPORAL_API_KEY)") {
		t.Errorf("the worker's start-up log does not say how it connects:\n%s", logs)
	}
	seen := proxy.Authorization()
	if seen["Bearer "+apiKey] == 0 || len(seen) != 1 {
		t.Fatalf("authorization metadata at the proxy: %d distinct values, %d calls with the key; want every call to carry it", len(seen), seen["Bearer "+apiKey])
	}
	t.Logf("sync through mTLS completed; %d gRPC calls reached the proxy, each with the API key as authorization metadata", seen["Bearer "+apiKey])

	// A certificate the proxy's CA did not sign: start-up fails, one line.
	other := testenv.NewCA(t, "someone-else")
	wrongCert, wrongKey := other.Issue(t, "intruder", false)
	bad := exec.Command(os.Args[0])
	bad.Env = append(append(append(os.Environ(), testenv.Env(s.Config)...), conn...),
		"ORGSYNC_TEST_RUN_WORKER=1", "ORGSYNC_MIGRATE=false", "ORGSYNC_METRICS_ADDR=",
		"TEMPORAL_TLS_CLIENT_CERT_PATH="+wrongCert, "TEMPORAL_TLS_CLIENT_KEY_PATH="+wrongKey)
	t0 := time.Now()
	out, err = bad.CombinedOutput()
	text := strings.TrimSpace(string(out))
	if err == nil {
		t.Fatalf("the worker started with a certificate of another CA:\n%s", text)
	}
	if strings.Count(text, "\n") > 0 || !strings.HasPrefix(text, "worker: Temporal "+proxy.Addr) ||
		!strings.Contains(text, "TEMPORAL_TLS_CLIENT_CERT_PATH") {
		t.Fatalf("a refused client certificate: want one line naming TEMPORAL_TLS_CLIENT_CERT_PATH, got:\n%s", text)
	}
	if strings.Contains(text, apiKey) {
		t.Fatalf("the API key was printed: %s", text)
	}
	t.Logf("refused certificate, after %s: %s", time.Since(t0).Round(100*time.Millisecond), text)
}
