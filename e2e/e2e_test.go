// The operator paths end to end: the Temporal UI in a
// real headless browser (Debian chromium driven by playwright-core)
// triggers the schedule `starter schedule create` made, and the
// `temporal workflow start` line of the docs starts a run. Both runs must
// complete against the sandbox, Postgres and a dev server with its UI.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/orgsync/orgsync/internal/app"
	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/sandbox/server"
	"github.com/orgsync/orgsync/workflows"
)

type stack struct {
	cfg    config.Config
	ui     string
	client client.Client
	sb     *server.Server
	dir    string
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// newStack is testenv.NewStack with the dev server's UI on, and the task
// queue the docs name (org-sync): the dev server is private to the test.
func newStack(t *testing.T) *stack {
	t.Helper()
	sc := server.DefaultConfig()
	sc.Employees, sc.Departments = 30, 5
	sb := server.New(sc)
	hs := httptest.NewServer(sb)
	t.Cleanup(hs.Close)
	_, dbURL := testenv.Database(t)

	var extra []string
	for k, v := range testenv.SearchAttributes {
		extra = append(extra, "--search-attribute", k+"="+v)
	}
	uiPort := freePort(t)
	var devOut io.Writer = io.Discard
	if os.Getenv("ORGSYNC_TEST_LOG") != "" {
		devOut = os.Stderr
	}
	dev, err := testsuite.StartDevServer(t.Context(), testsuite.DevServerOptions{
		ExistingPath:  testenv.TemporalCLI(t),
		EnableUI:      true,
		UIPort:        strconv.Itoa(uiPort),
		ClientOptions: &client.Options{Namespace: "default"},
		LogLevel:      "error",
		ExtraArgs:     extra,
		Stdout:        devOut,
		Stderr:        devOut,
	})
	if err != nil {
		t.Fatalf("start the dev server with its UI: %v", err)
	}
	t.Cleanup(func() { _ = dev.Stop() })

	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = config.Secret(dbURL)
	cfg.TemporalAddress = dev.FrontendHostPort()
	cfg.TaskQueue = workflows.TaskQueue
	cfg.KnoxURL, cfg.WorkboxURL, cfg.WorkplaceURL = hs.URL+"/knox", hs.URL+"/workbox/workbox/openapi/v1", hs.URL+"/organization/apigw/v2"
	cfg.KnoxSystemID, cfg.KnoxCompanyCode = sc.KnoxSystemID, sc.KnoxCompanyCode
	cfg.CompanyID, cfg.AccessKey, cfg.SecretKey, cfg.APIKey = sc.CompanyID, config.Secret(sc.AccessKey), config.Secret(sc.SecretKey), config.Secret(sc.APIKey)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}

	w, err := app.NewWorker(context.Background(), cfg, dev.Client(), mustStore(t, dbURL), testenv.Logger(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return &stack{cfg: cfg, ui: fmt.Sprintf("http://127.0.0.1:%d", uiPort), client: dev.Client(), sb: sb, dir: t.TempDir()}
}

// environ is cfg as ORGSYNC_* variables, for the starter binary.
func environ(cfg config.Config) []string {
	env := os.Environ()
	v := reflect.ValueOf(cfg)
	for i := 0; i < v.NumField(); i++ {
		name := v.Type().Field(i).Tag.Get("envconfig")
		if name == "" {
			continue
		}
		val := fmt.Sprint(v.Field(i).Interface())
		if s, ok := v.Field(i).Interface().(config.Secret); ok {
			val = s.Reveal()
		}
		env = append(env, config.Prefix+"_"+name+"="+val)
	}
	return env
}

// starter builds cmd/starter and runs it with the stack's environment.
func (s *stack) starter(t *testing.T, args ...string) string {
	t.Helper()
	bin := filepath.Join(s.dir, "starter")
	if _, err := os.Stat(bin); err != nil {
		build := exec.Command("go", "build", "-o", bin, "./starter")
		build.Dir = testenv.Root()
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("build starter: %v\n%s", err, out)
		}
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = environ(s.cfg)
	out, err := cmd.CombinedOutput()
	t.Logf("starter %s:\n%s", strings.Join(args, " "), out)
	if err != nil {
		t.Fatalf("starter %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

// setup installs chromium and playwright-core when missing (e2e/setup.sh
// is what CI runs first; running it here keeps `go test ./e2e` whole).
func setup(t testing.TB) {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		if _, err := os.Stat("node_modules/playwright-core/package.json"); err == nil {
			return
		}
	}
	cmd := exec.Command("./setup.sh")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("e2e/setup.sh: %v\n%s", err, out)
	}
}

func checkCompleted(t *testing.T, s *stack, workflowID, runID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var rep plan.Report
	if err := s.client.GetWorkflow(ctx, workflowID, runID).Get(ctx, &rep); err != nil {
		t.Fatalf("run %s/%s: %v", workflowID, runID, err)
	}
	if rep.Status != plan.RunCompleted {
		t.Fatalf("run %s: report %+v", workflowID, rep)
	}
	d, err := s.client.DescribeWorkflowExecution(ctx, workflowID, runID)
	if err != nil {
		t.Fatal(err)
	}
	if st := d.WorkflowExecutionInfo.Status; st != enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Fatalf("run %s: Temporal status %s", workflowID, st)
	}
	if d.WorkflowExecutionInfo.Type.GetName() != workflows.WorkflowName || d.WorkflowExecutionInfo.TaskQueue != workflows.TaskQueue {
		t.Fatalf("run %s: type %s on %s", workflowID, d.WorkflowExecutionInfo.Type.GetName(), d.WorkflowExecutionInfo.TaskQueue)
	}
}

// The UI path: a schedule created by `starter schedule create` shows in the
// UI, its Trigger action starts OrgSync, and the run shows Completed. Then
// the CLI path: the docs' `temporal workflow start ... --input '{}'` line.
func TestUIAndCLI(t *testing.T) {
	setup(t)
	s := newStack(t)
	scheduleID := workflows.WorkflowID(s.cfg.Target, s.cfg.CompanyID)
	if out := s.starter(t, "schedule", "create"); !strings.Contains(out, scheduleID+" created") {
		t.Fatal(out)
	}

	t.Run("UI trigger", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		defer cancel()
		node := exec.CommandContext(ctx, "node", "trigger.mjs", s.ui, scheduleID, filepath.Join(s.dir, "chromium-profile"))
		node.Stderr = &testWriter{t: t}
		out, err := node.Output()
		if err != nil {
			t.Fatalf("browser: %v\n%s", err, out)
		}
		var run struct{ WorkflowID, RunID string }
		if err := json.Unmarshal(out, &run); err != nil || run.RunID == "" {
			t.Fatalf("browser printed %q: %v", out, err)
		}
		if !strings.HasPrefix(run.WorkflowID, scheduleID+"-") {
			t.Fatalf("the UI's run %s is not the schedule's", run.WorkflowID)
		}
		checkCompleted(t, s, run.WorkflowID, run.RunID)
		if s.sb.Stats().Creates == 0 {
			t.Fatal("the triggered run wrote nothing")
		}
		// The schedule counts the action the UI took.
		d, err := s.client.ScheduleClient().GetHandle(ctx, scheduleID).Describe(ctx)
		if err != nil || d.Info.NumActions != 1 || len(d.Info.RecentActions) != 1 ||
			d.Info.RecentActions[0].StartWorkflowResult.WorkflowID != run.WorkflowID {
			t.Fatalf("schedule after the trigger: %+v %v", d.Info, err)
		}
	})

	t.Run("temporal workflow start", func(t *testing.T) {
		id := "cli-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		cmd := exec.Command(testenv.TemporalCLI(t), "workflow", "start", "--type", "OrgSync", "--task-queue", "org-sync",
			"--input", "{}", "--workflow-id", id, "--address", s.cfg.TemporalAddress, "--namespace", "default")
		out, err := cmd.CombinedOutput()
		t.Logf("temporal workflow start:\n%s", out)
		if err != nil {
			t.Fatalf("temporal workflow start: %v", err)
		}
		before := s.sb.Stats().Writes
		checkCompleted(t, s, id, "")
		if w := s.sb.Stats().Writes - before; w != 0 {
			t.Fatalf("a no-change run from the CLI wrote %d", w)
		}
	})
}

type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
