// Command worker runs orgsync's Temporal worker on the `org-sync` task
// queue: the OrgSync workflow and its activities.
//
// SIGTERM or SIGINT stops it gracefully: it stops polling at once, gives
// running activities most of ORGSYNC_SHUTDOWN_TIMEOUT to finish, cuts off
// the rest (Temporal retries them on another worker) and exits within the
// timeout. A second signal exits at once.
//
// `worker ready` asks the running worker's /readyz (on
// ORGSYNC_METRICS_ADDR) and exits 0 when it is ready: the container
// healthcheck of an image without a shell or curl.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/orgsync/orgsync/internal/app"
	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/health"
	"github.com/orgsync/orgsync/internal/metrics"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/internal/throttle"
)

func main() {
	run := run
	if len(os.Args) > 1 && os.Args[1] == "ready" {
		run = probe
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "worker: "+strings.Join(strings.Fields(err.Error()), " "))
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	if err := cfg.RequireTarget(); err != nil {
		return err
	}
	log := app.Logger(cfg)
	copts, err := app.TemporalClientOptions(cfg, log)
	if err != nil {
		return err
	}
	cfg = app.ResolveTemporal(cfg, copts)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := store.Open(ctx, cfg.DatabaseURL.Reveal())
	if err != nil {
		return err
	}
	defer st.Close()
	if cfg.Migrate {
		if err := st.Migrate(ctx); err != nil {
			return err
		}
	}
	var wopts app.WorkerOptions
	probes := &health.Checker{Postgres: st.Pool}
	// Metrics nobody can scrape are not collected: the SDK's metrics
	// handler alone took about 6% of the worker's CPU. The probes share
	// the listener.
	if cfg.MetricsAddr != "" {
		m, err := metrics.New()
		if err != nil {
			return err
		}
		addr, err := m.Serve(ctx, cfg.MetricsAddr, log, probes.Mount)
		if err != nil {
			return fmt.Errorf("ORGSYNC_METRICS_ADDR %s: %w", cfg.MetricsAddr, err)
		}
		log.Info("metrics and probes listening", "metrics", "http://"+addr+"/metrics", "ready", "http://"+addr+"/readyz")
		copts.MetricsHandler = m.SDKHandler()
		wopts = app.WorkerOptions{Observe: m.Observe(cfg.Target), Meter: m,
			OnLimiter: func(company string, l *throttle.Limiter) { m.Limiter(cfg.Target, company, l) }}
	}
	c, err := client.Dial(copts)
	if err != nil {
		return fmt.Errorf("%s: %w", app.DescribeTemporal(copts), err)
	}
	defer c.Close()
	probes.Temporal = c
	w, err := app.NewWorkerWith(ctx, cfg, c, st, log, wopts)
	if err != nil {
		return err
	}
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	if err := w.Start(); err != nil {
		return err
	}
	probes.SetPolling(true)
	log.Info("worker started", "taskQueue", cfg.TaskQueue, "companies", cfg.CompanyNames(),
		"temporal", app.DescribeTemporal(copts))

	s := <-sig
	probes.SetPolling(false)
	t0 := time.Now()
	log.Info("stopping: no new tasks; running activities may finish", "signal", s.String(),
		"shutdownTimeout", cfg.ShutdownTimeout.String(), "activityGrace", app.StopTimeout(cfg).String())
	stopped := make(chan struct{})
	go func() { w.Stop(); close(stopped) }()
	select {
	case <-stopped:
		log.Info("worker stopped", "took", time.Since(t0).Round(time.Millisecond).String())
		return nil
	case s := <-sig:
		exitNow(fmt.Errorf("second %s: exiting without waiting for running activities (Temporal retries them)", s))
	case <-time.After(cfg.ShutdownTimeout - time.Since(t0)):
		exitNow(fmt.Errorf("ORGSYNC_SHUTDOWN_TIMEOUT %s: activities did not end when cut off; exiting (Temporal retries them)", cfg.ShutdownTimeout))
	}
	return nil
}

// exitNow exits without running the deferred closes: closing the Postgres
// pool waits for connections that what did not stop may still hold.
func exitNow(err error) {
	fmt.Fprintln(os.Stderr, "worker: "+err.Error())
	os.Exit(1)
}

// probe is `worker ready`: one GET of /readyz on ORGSYNC_METRICS_ADDR.
func probe() error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	if cfg.MetricsAddr == "" {
		return errors.New("ORGSYNC_METRICS_ADDR is empty: the worker serves no probes")
	}
	return health.Probe(cfg.MetricsAddr, "/readyz")
}
