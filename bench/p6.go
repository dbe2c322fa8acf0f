package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/sandbox/workboxsim"
	"github.com/orgsync/orgsync/workflows"
)

var (
	p6N       = flag.Int("p6-employees", 1500, "P6: employees of the first sync under a quota the worker is not told")
	p6RPS     = flag.String("p6-rps", "5,20,100", "P6: the target's quotas R, requests/s")
	p6Workers = flag.String("p6-workers", "1,2", "P6: worker processes")
	p6Halve   = flag.Float64("p6-halve-rps", 20, "P6: a quota that halves in the middle of the run (0 = skip)")
)

// p6: a first sync against a quota R the worker is not told (no
// ORGSYNC_TARGET_RPS): the apply phase's wall time over N/R, the share of
// requests answered 429 and the failed items, for each R and worker
// count; then a quota that halves once half the employees are written.
func p6(ctx context.Context, e *env) error {
	workers, err := ints(*p6Workers)
	if err != nil {
		return fmt.Errorf("-p6-workers: %w", err)
	}
	rates, err := floats(*p6RPS)
	if err != nil {
		return fmt.Errorf("-p6-rps: %w", err)
	}
	for _, r := range rates {
		for _, w := range workers {
			if err := quotaRun(ctx, e, r, w, false); err != nil {
				return err
			}
		}
	}
	if *p6Halve > 0 {
		for _, w := range workers {
			if err := quotaRun(ctx, e, *p6Halve, w, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// quotaRun measures one first sync under quota r with n workers; with
// halve, the quota halves after half the employees' writes passed it.
func quotaRun(ctx context.Context, e *env, r float64, n int, halve bool) error {
	if err := e.company(ctx, *p6N, max(1, *p6N/20)); err != nil {
		return err
	}
	f := workboxsim.Faults{RPS: r}
	if halve {
		f.HalveAfter = int64(*p6N / 2)
	}
	if err := e.sb.Workbox().SetFaults(f); err != nil {
		return err
	}
	e.cfg.TargetRPS, e.cfg.ApplyWindow = 0, *window
	if err := e.startWorker(); err != nil {
		return err
	}
	if err := e.startMoreWorkers(n - 1); err != nil {
		return err
	}
	defer e.stopWorker()
	rep, run, _, err := sync(ctx, e, workflows.Input{})
	if err != nil || (rep.Status != plan.RunCompleted && rep.Status != plan.RunCompletedFailing) {
		return fmt.Errorf("sync: %v %+v", err, rep)
	}
	st := e.sb.Stats()
	_, apply, err := phases(ctx, e, run)
	if err != nil {
		return err
	}
	failed, reported := 0, 0
	for _, s := range rep.Stages {
		failed += s.Failed
		reported += s.Throttled
	}
	writes := int(st.Writes)
	ideal := float64(writes) / r
	quota := fmt.Sprintf("R = %g", r)
	if halve {
		h := float64(f.HalveAfter)
		ideal = h/r + (float64(writes)-h)/(r/2)
		quota = fmt.Sprintf("R = %g, then %g after %d writes", r, r/2, f.HalveAfter)
	}
	share := 100 * float64(st.Throttled) / float64(max(1, st.Requests))
	row("P6", "unknown quota: apply time / ideal; 429 share; failed",
		fmt.Sprintf("**%.2f** (%.1fs, ideal %.1fs); **%.1f%%** 429 (%d of %d; report %d); **%d** failed",
			apply.Seconds()/ideal, apply.Seconds(), ideal, share, st.Throttled, st.Requests, reported, failed),
		"≤ 1.10, ≤ 5%, 0 failed", fmt.Sprintf("%s, %d worker(s), %d employees, %d writes", quota, n, *p6N, writes))
	return nil
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q: want positive integers", s)
		}
		out = append(out, n)
	}
	return out, nil
}

func floats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || x <= 0 {
			return nil, fmt.Errorf("%q: want positive numbers", s)
		}
		out = append(out, x)
	}
	return out, nil
}
