package app

import "go.temporal.io/sdk/worker"

// TemporalWorkerOptions are the worker settings every orgsync worker uses
// (the bench's no-op baseline too, so P1 compares like with like).
func TemporalWorkerOptions() worker.Options {
	return worker.Options{
		// The window is bounded by the workflow; this only caps one
		// worker's share so a small machine is not swamped.
		MaxConcurrentActivityExecutionSize: 500,
		// A fan-out of short activities is poll-bound with the default two
		// pollers; more pollers keep the window full.
		MaxConcurrentActivityTaskPollers: 8,
		MaxConcurrentWorkflowTaskPollers: 4,
	}
}
