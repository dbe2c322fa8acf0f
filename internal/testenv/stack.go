package testenv

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/orgsync/orgsync/internal/app"
	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/sandbox/server"
	"github.com/orgsync/orgsync/workflows"
)

// Stack is a whole orgsync installation for one test: the sandbox (Knox
// and the targets), a fresh Postgres database, a Temporal dev server and
// a configuration pointing at them. Workers run in the test process.
type Stack struct {
	Sandbox *server.Server
	URL     string // sandbox base URL
	Store   *store.Store
	Client  client.Client
	Dev     string // dev server host:port
	Config  config.Config
	// LogTo, when set, receives the JSON logs of the workers started after.
	LogTo io.Writer
}

// StackOptions sizes the generated company.
type StackOptions struct {
	Employees, Departments int
	Seed                   int64
	Target                 string // workbox (default) or workplace
	DevServerDB            string // file DB for the dev server; "" = in memory
	// SecretKey and APIKey replace the sandbox's demo credentials (the
	// security tests look for known values).
	SecretKey, APIKey string
}

// NewStack starts everything and stops it when the test ends.
func NewStack(t testing.TB, o StackOptions) *Stack {
	t.Helper()
	sc := server.DefaultConfig()
	if o.Employees > 0 {
		sc.Employees, sc.Departments = o.Employees, o.Departments
	}
	if o.Seed != 0 {
		sc.Seed = o.Seed
	}
	if o.SecretKey != "" {
		sc.SecretKey = o.SecretKey
	}
	if o.APIKey != "" {
		sc.APIKey = o.APIKey
	}
	sb := server.New(sc)
	hs := httptest.NewServer(sb)
	t.Cleanup(hs.Close)
	st, dbURL := Database(t)
	dev := DevServer(t, o.DevServerDB)
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = config.Secret(dbURL)
	cfg.TemporalAddress = dev.FrontendHostPort()
	cfg.TaskQueue = "org-sync-" + strings.ReplaceAll(strings.ToLower(t.Name()), "/", "-")
	cfg.KnoxURL, cfg.WorkboxURL, cfg.WorkplaceURL = hs.URL+"/knox", hs.URL+"/workbox/workbox/openapi/v1", hs.URL+"/organization/apigw/v2"
	cfg.KnoxSystemID, cfg.KnoxCompanyCode = sc.KnoxSystemID, sc.KnoxCompanyCode
	cfg.CompanyID, cfg.AccessKey, cfg.SecretKey, cfg.APIKey = sc.CompanyID, config.Secret(sc.AccessKey), config.Secret(sc.SecretKey), config.Secret(sc.APIKey)
	if o.Target != "" {
		cfg.Target = o.Target
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return &Stack{Sandbox: sb, URL: hs.URL, Store: st, Client: dev.Client(), Dev: dev.FrontendHostPort(), Config: cfg}
}

// Logger discards unless ORGSYNC_TEST_LOG is set.
func Logger() *slog.Logger {
	var w io.Writer = io.Discard
	if testingVerbose() {
		w = os.Stderr
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// StartWorker runs a worker of the stack's configuration until the test
// ends (or until the returned stop is called).
func (s *Stack) StartWorker(t testing.TB) (stop func()) {
	t.Helper()
	log := Logger()
	if s.LogTo != nil {
		log = slog.New(slog.NewJSONHandler(s.LogTo, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	// Tests stop in-process workers at cleanup, runs sometimes still open:
	// the graceful wait for running activities would only slow them.
	cfg := s.Config
	cfg.ShutdownTimeout = time.Second
	w, err := app.NewWorker(context.Background(), cfg, s.Client, s.Store, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			w.Stop()
		}
	}
	t.Cleanup(stop)
	return stop
}

// Start starts OrgSync with the stack's workflow id convention.
func (s *Stack) Start(t testing.TB, id string, in workflows.Input) client.WorkflowRun {
	t.Helper()
	run, err := s.Client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: id, TaskQueue: s.Config.TaskQueue, WorkflowExecutionTimeout: 30 * time.Minute,
	}, workflows.WorkflowName, in)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// Sync runs OrgSync to the end and returns its report.
func (s *Stack) Sync(t testing.TB, in workflows.Input) plan.Report {
	t.Helper()
	run := s.Start(t, "orgsync-"+strings.ReplaceAll(t.Name(), "/", "-")+"-"+time.Now().Format("150405.000000"), in)
	var rep plan.Report
	if err := run.Get(context.Background(), &rep); err != nil {
		t.Fatalf("OrgSync failed: %v", err)
	}
	return rep
}

// testingVerbose is true when ORGSYNC_TEST_LOG is set: tests then show the
// worker's and the dev server's logs.
func testingVerbose() bool { return os.Getenv("ORGSYNC_TEST_LOG") != "" }
