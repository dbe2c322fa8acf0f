package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain lets the test binary play the worker, so the tests below see
// exactly what an operator sees at start-up.
func TestMain(m *testing.M) {
	if os.Getenv("ORGSYNC_TEST_RUN_WORKER") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// A bad or missing variable stops the worker with one line naming it.
func TestStartupErrors(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"ORGSYNC_TARGET=slack"}, "worker: ORGSYNC_TARGET: \"slack\" is not one of workbox, workplace"},
		{[]string{"ORGSYNC_TARGET_RPS=fast"}, "worker: ORGSYNC_TARGET_RPS: cannot parse \"fast\""},
		{[]string{"ORGSYNC_COMPANY_ID="}, "worker: ORGSYNC_COMPANY_ID: required"},
		// Credentials must not travel in clear text to another machine.
		{[]string{"ORGSYNC_WORKBOX_URL=http://workbox.example.com/workbox/openapi/v1"},
			"worker: ORGSYNC_WORKBOX_URL: http://workbox.example.com/workbox/openapi/v1 would send credentials and personal data in clear text"},
		{[]string{"ORGSYNC_KNOX_URL=http://u:PW@knox.corp/knox"}, "worker: ORGSYNC_KNOX_URL: http://knox.corp/knox would send"},
		{[]string{"ORGSYNC_COMPANY_ID=c", "ORGSYNC_NCP_ACCESS_KEY=a", "ORGSYNC_NCP_SECRET_KEY=TOPSECRET", "ORGSYNC_NCP_API_KEY=k",
			"ORGSYNC_DATABASE_URL=postgres://u:PW@127.0.0.1:1/x?connect_timeout=2"}, "worker: connect to Postgres"},
		{[]string{"ORGSYNC_SHUTDOWN_TIMEOUT=500ms"}, "worker: ORGSYNC_SHUTDOWN_TIMEOUT: must be at least 1s"},
		{[]string{"ORGSYNC_COMPANY_ID=c", "ORGSYNC_NCP_ACCESS_KEY=a", "ORGSYNC_NCP_SECRET_KEY=TOPSECRET", "ORGSYNC_NCP_API_KEY=k",
			"TEMPORAL_TLS_CLIENT_CERT_PATH=/nonexistent/cert.pem", "TEMPORAL_TLS_CLIENT_KEY_PATH=/nonexistent/key.pem", "TEMPORAL_API_KEY=TOPSECRET"},
			"worker: TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read /nonexistent/cert.pem: no such file or directory"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(append(os.Environ(), "ORGSYNC_TEST_RUN_WORKER=1"), tc.env...)
		out, err := cmd.CombinedOutput()
		text := strings.TrimSpace(string(out))
		if err == nil {
			t.Fatalf("%v: the worker started", tc.env)
		}
		if !strings.HasPrefix(text, tc.want) || strings.Count(text, "\n") > 0 {
			t.Errorf("%v: output %q, want one line starting %q", tc.env, text, tc.want)
		}
		if strings.Contains(text, "TOPSECRET") || strings.Contains(text, "PW@") {
			t.Errorf("%v: a secret was printed: %q", tc.env, text)
		}
	}
}
