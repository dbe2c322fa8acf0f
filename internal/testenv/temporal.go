package testenv

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
)

// TemporalCLI is the path of the temporal CLI built by `make tools`:
// TEMPORAL_CLI_PATH, else bin/temporal in the repository.
func TemporalCLI(t testing.TB) string {
	t.Helper()
	p := os.Getenv("TEMPORAL_CLI_PATH")
	if p == "" {
		p = filepath.Join(Root(), "bin", "temporal")
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("temporal CLI not found at %s: run `make tools` (or set TEMPORAL_CLI_PATH)", p)
	}
	return p
}

// SearchAttributes are the custom search attributes the workflow sets;
// the local stack and the tests register them on the dev server.
var SearchAttributes = map[string]string{
	"OrgSyncStage":   "Keyword",
	"OrgSyncStatus":  "Keyword",
	"OrgSyncChanged": "Int",
	"OrgSyncFailed":  "Int",
}

// DevServer starts a Temporal dev server (in memory unless dbFile is set)
// and stops it when the test ends.
func DevServer(t testing.TB, dbFile string) *testsuite.DevServer {
	t.Helper()
	var extra []string
	for k, v := range SearchAttributes {
		extra = append(extra, "--search-attribute", k+"="+v)
	}
	if dbFile != "" {
		extra = append(extra, "--sqlite-pragma", "journal_mode=WAL", "--sqlite-pragma", "synchronous=NORMAL")
	}
	srv, err := testsuite.StartDevServer(t.Context(), testsuite.DevServerOptions{
		ExistingPath:  TemporalCLI(t),
		DBFilename:    dbFile,
		ClientOptions: &client.Options{Namespace: "default", Logger: quietLogger{}},
		LogLevel:      "error",
		ExtraArgs:     extra,
		Stdout:        devOut(),
		Stderr:        devOut(),
	})
	if err != nil {
		t.Fatalf("start Temporal dev server: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return srv
}

func devOut() io.Writer {
	if testingVerbose() {
		return os.Stderr
	}
	return io.Discard
}

type quietLogger struct{}

func (quietLogger) Debug(string, ...interface{}) {}
func (quietLogger) Info(string, ...interface{})  {}
func (quietLogger) Warn(string, ...interface{})  {}
func (quietLogger) Error(string, ...interface{}) {}
