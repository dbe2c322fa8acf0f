package activities

import (
	"context"
	"time"

	"github.com/orgsync/orgsync/internal/config"
)

// purgeExpired removes the records of runs older than ORGSYNC_RETENTION
// (store.Purge) once a run has ended. It is housekeeping: a failure is
// logged and the run's outcome stands; the next run (or `starter purge`)
// tries again.
func (a *Activities) purgeExpired(ctx context.Context, runID string) {
	keep, err := config.ParseRetention(a.Config.Retention)
	if err != nil || keep == 0 {
		return // 0: kept for ever; a bad value stopped start-up already
	}
	log := a.logger(ctx, "runId", runID)
	p, err := a.Store.Purge(ctx, time.Now().Add(-keep), false)
	if err != nil {
		log.Warn("could not purge the records of expired runs", "error", err)
		return
	}
	if p.Runs > 0 {
		log.Info("purged the records of expired runs", "runs", p.Runs, "items", p.Items, "snapshotRows", p.SnapshotRows, "retention", keep.String())
	}
}
