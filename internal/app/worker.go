package app

import (
	"context"
	"log/slog"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"

	"github.com/orgsync/orgsync/activities"
	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/workflows"
)

// SearchAttributes are the custom search attributes OrgSync sets when the
// server has them (the local stack registers them).
var SearchAttributes = map[string]enums.IndexedValueType{
	"OrgSyncStage":   enums.INDEXED_VALUE_TYPE_KEYWORD,
	"OrgSyncStatus":  enums.INDEXED_VALUE_TYPE_KEYWORD,
	"OrgSyncChanged": enums.INDEXED_VALUE_TYPE_INT,
	"OrgSyncFailed":  enums.INDEXED_VALUE_TYPE_INT,
}

// HasSearchAttributes reports whether the namespace has them all.
func HasSearchAttributes(ctx context.Context, c client.Client, namespace string) bool {
	resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return false
	}
	for name := range SearchAttributes {
		if _, ok := resp.CustomAttributes[name]; !ok {
			return false
		}
	}
	return true
}

// NewWorker builds a worker for cfg's task queue with every workflow and
// activity registered.
func NewWorker(ctx context.Context, cfg config.Config, c client.Client, st *store.Store, log *slog.Logger, observe Observe) (worker.Worker, error) {
	return NewWorkerWith(ctx, cfg, c, st, log, WorkerOptions{Observe: observe})
}

// WorkerOptions are the optional hooks of a worker: metrics of target
// requests (Observe) and worker interceptors (item outcome counters).
type WorkerOptions struct {
	Observe      Observe
	Interceptors []interceptor.WorkerInterceptor
}

// NewWorkerWith is NewWorker with hooks.
func NewWorkerWith(ctx context.Context, cfg config.Config, c client.Client, st *store.Store, log *slog.Logger, o WorkerOptions) (worker.Worker, error) {
	src, err := NewSource(cfg)
	if err != nil {
		return nil, err
	}
	tgt, err := NewTarget(cfg, o.Observe)
	if err != nil {
		return nil, err
	}
	acts := &activities.Activities{
		Store: st, Source: src, Target: tgt, Temporal: c, Config: cfg, Log: log,
		SearchAttributes: HasSearchAttributes(ctx, c, cfg.TemporalNamespace),
	}
	opts := TemporalWorkerOptions()
	opts.Interceptors = o.Interceptors
	opts.WorkerStopTimeout = StopTimeout(cfg)
	w := worker.New(c, cfg.TaskQueue, opts)
	workflows.Register(w, acts)
	return w, nil
}
