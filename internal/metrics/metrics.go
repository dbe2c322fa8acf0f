// Package metrics exposes the worker's Prometheus metrics: the Temporal
// SDK's own (through its OpenTelemetry contrib handler and the
// OpenTelemetry Prometheus exporter) and orgsync's counters: plan items by
// stage and outcome, target request latency by target, kind, method and
// status, 429s, and the target's adaptive rate limit. The activities count
// plan items through their Meter, which Metrics is, items of batches too.
package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/opentelemetry"

	"github.com/orgsync/orgsync/activities"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/throttle"
	"github.com/orgsync/orgsync/workflows"
)

// Metrics is one worker's registry.
type Metrics struct {
	Registry  *prometheus.Registry
	items     *prometheus.CounterVec
	planned   *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	throttled *prometheus.CounterVec
	provider  *sdkmetric.MeterProvider
	sdk       client.MetricsHandler
}

// New builds the registry with the Go and process collectors, orgsync's
// counters and the SDK handler's exporter. Item counters carry the
// company whose task queue ran the activity.
func New() (*Metrics, error) {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		items: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orgsync_items_total",
			Help: "Plan items applied, by stage, outcome (applied, failed, skipped, undone, undo_failed; retry = an attempt that will be retried) and company.",
		}, []string{"stage", "outcome", "company"}),
		planned: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orgsync_planned_items_total",
			Help: "Plan items planned, by stage, operation (create, update, delete, unchanged, invalid) and company.",
		}, []string{"stage", "op", "company"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "orgsync_target_request_duration_seconds",
			Help:    "Latency of target requests by target, kind, method and HTTP status (0 = no response).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"target", "kind", "method", "status"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orgsync_target_throttled_total",
			Help: "Target requests answered 429 (quota, throttle or rate limit), by target and kind.",
		}, []string{"target", "kind"}),
	}
	reg.MustRegister(m.items, m.planned, m.latency, m.throttled,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	exp, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
	if err != nil {
		return nil, err
	}
	m.provider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
	m.sdk = opentelemetry.NewMetricsHandler(opentelemetry.MetricsHandlerOptions{
		Meter: m.provider.Meter("temporal-sdk-go"), UseMonotonicCounters: true,
	})
	return m, nil
}

// SDKHandler is the client.Options.MetricsHandler of the worker's client.
func (m *Metrics) SDKHandler() client.MetricsHandler { return m.sdk }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// Observe returns the hook app.NewTarget passes to the target client.
func (m *Metrics) Observe(target string) func(kind model.Kind, method string, status int, d time.Duration) {
	return func(kind model.Kind, method string, status int, d time.Duration) {
		m.latency.WithLabelValues(target, string(kind), method, strconv.Itoa(status)).Observe(d.Seconds())
		if status == http.StatusTooManyRequests {
			m.throttled.WithLabelValues(target, string(kind)).Inc()
		}
	}
}

// Limiter exports a company's target limiter: the rate in force and
// every throttled answer it waited out (429 or a gateway throttling code).
func (m *Metrics) Limiter(target, company string, l *throttle.Limiter) {
	labels := prometheus.Labels{"target": target, "company": company}
	m.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "orgsync_target_rate", ConstLabels: labels,
			Help: "Target requests per second the worker's adaptive limiter allows now (it finds the target's quota on its own; ORGSYNC_TARGET_RPS bounds it).",
		}, l.Rate),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "orgsync_target_rate_throttled_total", ConstLabels: labels,
			Help: "Throttled target answers the limiter slowed down for and the items waited out (429 and the gateway's throttling codes).",
		}, func() float64 { return float64(l.ThrottledCount()) }),
	)
}

// Serve listens on addr and serves /metrics, and whatever mount adds
// (the health probes), until ctx ends. It returns the address it listens
// on (useful with port 0).
func (m *Metrics) Serve(ctx context.Context, addr string, log *slog.Logger, mount ...func(*http.ServeMux)) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	for _, f := range mount {
		f(mux)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) && log != nil {
			log.Error("metrics server stopped", "error", err)
		}
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		_ = m.provider.Shutdown(sctx)
	}()
	return ln.Addr().String(), nil
}

// Item counts one plan item's outcome (activities.Meter).
func (m *Metrics) Item(ctx context.Context, kind model.Kind, outcome string) {
	m.items.WithLabelValues(string(kind), outcome, company(ctx)).Inc()
}

// Planned counts what planning a stage found (activities.Meter).
func (m *Metrics) Planned(ctx context.Context, st plan.Stage) {
	co := company(ctx)
	for op, n := range map[string]int{plan.OpCreate: st.Creates, plan.OpUpdate: st.Updates, plan.OpDelete: st.Deletes,
		"unchanged": st.Unchanged, plan.OpInvalid: st.Invalid} {
		m.planned.WithLabelValues(string(st.Kind), op, co).Add(float64(n))
	}
}

// company labels an activity's counts with the company whose task queue
// ran it ("" on the shared queue).
func company(ctx context.Context) string {
	return workflows.CompanyOfQueue(activity.GetInfo(ctx).TaskQueue)
}

var _ activities.Meter = (*Metrics)(nil)
