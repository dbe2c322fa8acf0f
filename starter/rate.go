package main

import (
	"context"
	"fmt"
	"time"

	"github.com/orgsync/orgsync/internal/store"
)

// rateFresh is how recently a worker must have saved its limiter to count
// as writing now (workers save every app.SaveRateEvery).
const rateFresh = 15 * time.Second

// writeRate is what `status` and `sync --wait` show of the target's
// quota: the write rate the workers hold now, summed, and the throttled
// answers they have seen since they started. nil when no worker of this
// target and company is writing.
type writeRate struct {
	RPS       float64 `json:"rps"`
	Workers   int     `json:"workers"`
	Throttled int64   `json:"throttled"`
}

func (w *writeRate) String() string {
	return fmt.Sprintf("%.1f requests/s (%d workers), %d throttled answers waited out", w.RPS, w.Workers, w.Throttled)
}

// currentRate reads the workers' rates of r's target and company.
func (e *env) currentRate(ctx context.Context, r store.RunInfo) *writeRate {
	st, err := e.db(ctx)
	if err != nil {
		return nil
	}
	rates, err := st.ActiveRates(ctx, r.Target, r.Company, rateFresh)
	if err != nil || len(rates) == 0 {
		return nil
	}
	w := &writeRate{Workers: len(rates)}
	for _, x := range rates {
		w.RPS += x.Rate
		w.Throttled += x.Throttled
	}
	return w
}
