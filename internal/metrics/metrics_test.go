package metrics_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.temporal.io/sdk/client"

	"github.com/orgsync/orgsync/internal/app"
	"github.com/orgsync/orgsync/internal/metrics"
	omodel "github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/internal/throttle"
	"github.com/orgsync/orgsync/workflows"
)

func scrape(t *testing.T, addr string) (map[string]*dtoFamily, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("scrape: %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parse the scrape: %v", err)
	}
	out := map[string]*dtoFamily{}
	for name, f := range fams {
		out[name] = &dtoFamily{f: f}
	}
	return out, string(body)
}

// A real sync through a worker wired as worker/main.go wires it; the
// scrape shows the SDK's metrics and orgsync's counters with exact counts.
func TestScrape(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 40, Departments: 6})
	m, err := metrics.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := m.Serve(ctx, "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(client.Options{HostPort: s.Dev, Namespace: "default", MetricsHandler: m.SDKHandler()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var lim *throttle.Limiter
	w, err := app.NewWorkerWith(ctx, s.Config, c, s.Store, testenv.Logger(), app.WorkerOptions{
		Observe: m.Observe(s.Config.Target), Meter: m,
		OnLimiter: func(company string, l *throttle.Limiter) { lim = l; m.Limiter(s.Config.Target, company, l) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	// The employees in batch mode (ApplyBatch), the rest one activity per
	// item (ApplyItem): both are counted.
	for i, in := range []workflows.Input{{Stages: []string{"grade", "position", "department"}}, {Batch: 10}} {
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("metrics-test-%d", i), TaskQueue: s.Config.TaskQueue}, workflows.WorkflowName, in)
		if err != nil {
			t.Fatal(err)
		}
		var rep plan.Report
		if err := run.Get(ctx, &rep); err != nil || rep.Status != plan.RunCompleted {
			t.Fatalf("run %+v: %v %+v", in, err, rep)
		}
	}
	src := s.Source(t)
	// One 429 as the gateway would send it.
	m.Observe("workbox")(omodel.Employee, "POST", 429, 30*time.Millisecond)

	var fams map[string]*dtoFamily
	var body string
	deadline := time.Now().Add(20 * time.Second)
	for { // the SDK reports some metrics asynchronously
		fams, body = scrape(t, addr)
		if fams["temporal_workflow_completed_total"] != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	total := 0
	for _, k := range omodel.Kinds {
		n := len(src[k])
		total += n
		if got := fams["orgsync_items_total"].value(map[string]string{"stage": string(k), "outcome": "applied"}); got != float64(n) {
			t.Errorf("orgsync_items_total{stage=%s,outcome=applied} = %v, want %d", k, got, n)
		}
		if got := fams["orgsync_planned_items_total"].value(map[string]string{"stage": string(k), "op": "create"}); got != float64(n) {
			t.Errorf("orgsync_planned_items_total{stage=%s,op=create} = %v, want %d", k, got, n)
		}
	}
	if got := fams["orgsync_target_request_duration_seconds"].histCount(map[string]string{"target": "workbox", "method": "POST", "status": "200"}); got != uint64(total) &&
		fams["orgsync_target_request_duration_seconds"].histCount(map[string]string{"target": "workbox", "method": "POST", "status": "201"}) != uint64(total) {
		t.Errorf("target POST latency count = %d, want %d\n%s", got, total, grep(body, "orgsync_target_request_duration_seconds_count"))
	}
	if got := fams["orgsync_target_throttled_total"].value(map[string]string{"target": "workbox", "kind": "employee"}); got != 1 {
		t.Errorf("orgsync_target_throttled_total = %v, want 1", got)
	}
	if got := fams["orgsync_target_rate"].gauge(map[string]string{"target": "workbox"}); got < throttle.Min {
		t.Errorf("orgsync_target_rate = %v, want the limiter's rate (now %v)", got, lim.Rate())
	}
	if fams["orgsync_target_rate_throttled_total"] == nil {
		t.Errorf("no orgsync_target_rate_throttled_total in the scrape")
	}
	for _, name := range []string{"temporal_workflow_completed_total", "temporal_activity_execution_latency_seconds", "temporal_request_total", "go_goroutines"} {
		if fams[name] == nil {
			t.Errorf("no %s in the scrape:\n%s", name, grep(body, "temporal_"))
		}
	}
}

func grep(body, prefix string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
