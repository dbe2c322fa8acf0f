// Command worker runs orgsync's Temporal worker on the `org-sync` task
// queue: the OrgSync workflow and its activities.
package main

import (
	"context"
	"fmt"
	"os"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"

	"github.com/orgsync/orgsync/internal/app"
	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/metrics"
	"github.com/orgsync/orgsync/internal/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
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
	ctx := context.Background()
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
	copts := app.TemporalClientOptions(cfg, log)
	var wopts app.WorkerOptions
	// Metrics nobody can scrape are not collected: the SDK's metrics
	// handler alone took about 6% of the worker's CPU.
	if cfg.MetricsAddr != "" {
		m, err := metrics.New()
		if err != nil {
			return err
		}
		addr, err := m.Serve(ctx, cfg.MetricsAddr, log)
		if err != nil {
			return fmt.Errorf("ORGSYNC_METRICS_ADDR %s: %w", cfg.MetricsAddr, err)
		}
		log.Info("metrics listening", "addr", "http://"+addr+"/metrics")
		copts.MetricsHandler = m.SDKHandler()
		wopts = app.WorkerOptions{Observe: m.Observe(cfg.Target), Interceptors: []interceptor.WorkerInterceptor{m.Interceptor()}}
	}
	c, err := client.Dial(copts)
	if err != nil {
		return fmt.Errorf("ORGSYNC_TEMPORAL_ADDRESS %s: %w", cfg.TemporalAddress, err)
	}
	defer c.Close()
	w, err := app.NewWorkerWith(ctx, cfg, c, st, log, wopts)
	if err != nil {
		return err
	}
	log.Info("worker started", "taskQueue", cfg.TaskQueue, "companies", cfg.CompanyNames())
	return w.Run(worker.InterruptCh())
}
