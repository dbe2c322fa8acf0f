package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"go.temporal.io/sdk/worker"

	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/internal/throttle"
)

// SaveRateEvery is how often a worker saves its limiter to Postgres.
const SaveRateEvery = 5 * time.Second

// NewLimiter is a worker's adaptive limiter of the target: it starts from
// the rate the last worker learned for this target and company, bounded by
// ORGSYNC_TARGET_RPS when set.
func NewLimiter(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger) *throttle.Limiter {
	learned, err := st.LearnedRate(ctx, cfg.Target, cfg.CompanyID)
	if err != nil {
		log.Warn("cannot read the learned target rate; starting low", "error", err)
	}
	l := throttle.New(throttle.Config{Start: learned, Max: cfg.TargetRPS})
	log.Info("target rate limiter", "startRps", l.Rate(), "learnedRps", learned, "maxRps", cfg.TargetRPS)
	return l
}

// KeepRate saves l to Postgres every SaveRateEvery until ctx ends, so the
// next worker starts from what this one learned and `starter status` shows
// the rate in force.
func KeepRate(ctx context.Context, cfg config.Config, st *store.Store, l *throttle.Limiter, log *slog.Logger) {
	host, _ := os.Hostname()
	me := fmt.Sprintf("%s:%d", host, os.Getpid())
	t := time.NewTicker(SaveRateEvery)
	defer t.Stop()
	var last store.WorkerRate
	var saved time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r := store.WorkerRate{Worker: me, Rate: l.Rate(), Learned: l.Learned(), Throttled: l.ThrottledCount()}
		if r == last && time.Since(saved) < time.Minute {
			continue
		}
		if err := st.SaveRate(ctx, cfg.Target, cfg.CompanyID, r); err != nil {
			if ctx.Err() == nil {
				log.Warn("cannot save the target rate", "error", err)
			}
			continue
		}
		last, saved = r, time.Now()
	}
}

// withSlots is opts with activity slots s (which follow a limiter's
// rate, Slots) and the SDK's default sizes for everything else.
func withSlots(opts worker.Options, s *Slots) worker.Options {
	fixed := func(n int) worker.SlotSupplier {
		f, _ := worker.NewFixedSizeSlotSupplier(n) // n > 0: cannot fail
		return f
	}
	opts.MaxConcurrentActivityExecutionSize = 0                            // the tuner's slots instead
	opts.Tuner, _ = worker.NewCompositeTuner(worker.CompositeTunerOptions{ // cannot fail
		WorkflowSlotSupplier:        fixed(1000),
		ActivitySlotSupplier:        s,
		LocalActivitySlotSupplier:   fixed(1000),
		NexusSlotSupplier:           fixed(1000),
		SessionActivitySlotSupplier: fixed(MaxActivities),
	})
	return opts
}
