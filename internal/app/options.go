package app

import (
	"log/slog"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/orgsync/orgsync/internal/config"
)

// TemporalClientOptions are the client settings every orgsync process
// uses (the bench's no-op baseline too).
func TemporalClientOptions(cfg config.Config, log *slog.Logger) client.Options {
	return client.Options{
		HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace, Logger: tlog.NewStructuredLogger(log),
		// Payloads are ids and counts, a few hundred bytes. Gzip, the
		// SDK's default, took about 8% of the worker's CPU (and the
		// server's to undo it) to save next to nothing.
		ConnectionOptions: client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionNone{}},
	}
}

// MaxActivities caps the activities one worker runs at once.
const MaxActivities = 500

// TemporalWorkerOptions are the worker settings every orgsync worker uses
// (the bench's no-op baseline too, so P1 compares like with like).
func TemporalWorkerOptions() worker.Options {
	return worker.Options{
		// The window is bounded by the workflow; this only caps one
		// worker's share so a small machine is not swamped. (orgsync's
		// worker replaces it with slots that follow the target's rate,
		// throttle.Slots, with the same cap.)
		MaxConcurrentActivityExecutionSize: MaxActivities,
		// A fan-out of short activities is poll-bound with the default two
		// pollers; more pollers keep the window full.
		MaxConcurrentActivityTaskPollers: 8,
		MaxConcurrentWorkflowTaskPollers: 4,
	}
}
