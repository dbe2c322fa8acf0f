package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/orgsync/orgsync/activities"
	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/internal/throttle"
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
// requests (Observe), of plan items (Meter) and of each company's target
// limiter (OnLimiter).
type WorkerOptions struct {
	Observe   Observe
	Meter     activities.Meter
	OnLimiter func(company string, l *throttle.Limiter)
}

// NewWorkerWith is NewWorker with hooks. The worker polls cfg's task
// queue for the workflows and, for each company it serves, the company's
// own queue for that company's activities (workflows/company.go). With
// exactly one company it also takes activities from the shared queue:
// runs that name no company, and runs begun before the company queues.
func NewWorkerWith(ctx context.Context, cfg config.Config, c client.Client, st *store.Store, log *slog.Logger, o WorkerOptions) (worker.Worker, error) {
	opts := TemporalWorkerOptions()
	opts.WorkerStopTimeout = StopTimeout(cfg)
	companies := cfg.Companies()
	// Each company's target has its own adaptive limiter, and its queue's
	// worker takes activities as the limiter's rate allows (Slots);
	// with one company the shared queue's worker draws on the same slots.
	kctx, cancel := context.WithCancel(ctx)
	g := &workers{stopRates: cancel}
	limiters := make([]*throttle.Limiter, len(companies))
	slots := make([]*Slots, len(companies))
	for i, co := range companies {
		limiters[i] = NewLimiter(ctx, co, st, log)
		slots[i] = NewSlots(limiters[i], MaxActivities)
	}
	shared := opts
	if len(companies) == 1 {
		shared = withSlots(opts, slots[0])
	}
	g.Worker = worker.New(c, cfg.TaskQueue, shared)
	workflows.RegisterWorkflows(g.Worker)
	search := HasSearchAttributes(ctx, c, cfg.TemporalNamespace)
	for i, co := range companies {
		acts, err := newActivities(co, c, st, log, o.Observe, limiters[i])
		if err != nil {
			cancel()
			return nil, fmt.Errorf("company %s: %w", co.CompanyName(), err)
		}
		acts.SearchAttributes, acts.Serves, acts.Meter = search, cfg.CompanyNames(), o.Meter
		w := worker.New(c, workflows.CompanyQueue(cfg.TaskQueue, co.CompanyName()), withSlots(opts, slots[i]))
		workflows.RegisterActivities(w, acts)
		g.companies = append(g.companies, w)
		if len(companies) == 1 {
			workflows.RegisterActivities(g.Worker, acts)
		}
		if o.OnLimiter != nil {
			o.OnLimiter(co.CompanyName(), limiters[i])
		}
		go KeepRate(kctx, co, st, limiters[i], log)
	}
	if len(companies) > 1 {
		// Refuses runs that name no company, saying which it serves.
		acts, _ := newActivities(companies[0], c, st, log, o.Observe, limiters[0])
		acts.Serves = cfg.CompanyNames()
		workflows.RegisterActivities(g.Worker, acts)
	}
	return g, nil
}

func newActivities(co config.Config, c client.Client, st *store.Store, log *slog.Logger, observe Observe, lim *throttle.Limiter) (*activities.Activities, error) {
	src, err := NewSource(co)
	if err != nil {
		return nil, err
	}
	tgt, err := newTarget(co, observe, lim)
	if err != nil {
		return nil, err
	}
	return &activities.Activities{Store: st, Source: src, Target: tgt, Temporal: c, Config: co, Log: log.With("company", co.CompanyName())}, nil
}

// workers is the shared queue's worker with the company queues' workers:
// they start and stop together.
type workers struct {
	worker.Worker
	companies []worker.Worker
	stopRates context.CancelFunc // ends KeepRate
}

func (g *workers) Start() error {
	if err := g.Worker.Start(); err != nil {
		return err
	}
	for i, w := range g.companies {
		if err := w.Start(); err != nil {
			for _, s := range g.companies[:i] {
				s.Stop()
			}
			g.Worker.Stop()
			return err
		}
	}
	return nil
}

func (g *workers) Run(interruptCh <-chan any) error {
	if err := g.Start(); err != nil {
		return err
	}
	<-interruptCh
	g.Stop()
	return nil
}

// Stop stops them all at once, so that running activities get the same
// grace (WorkerStopTimeout) however many companies there are.
func (g *workers) Stop() {
	var wg sync.WaitGroup
	for _, w := range append([]worker.Worker{g.Worker}, g.companies...) {
		wg.Go(w.Stop)
	}
	wg.Wait()
	g.stopRates()
}
