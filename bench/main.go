// Command bench measures orgsync where docs/performance.md sets targets, side by
// side in one run on this machine, and prints one table (`make bench`).
// It starts its own Temporal dev server, Postgres databases, sandbox and
// worker process. Sizes are flags; the defaults finish in a few minutes.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/workflows"
)

var (
	p1N       = flag.Int("p1-employees", 2000, "P1: changed employees")
	p1Rounds  = flag.Int("p1-rounds", 5, "P1: real runs, each between two no-op runs")
	window    = flag.Int("window", 200, "apply window (ORGSYNC_APPLY_WINDOW)")
	p2RPS     = flag.Float64("p2-rps", 50, "P2: target rate limit, requests/s")
	p2N       = flag.Int("p2-employees", 1000, "P2: employees of the company written under the limit")
	p3N       = flag.Int("p3-employees", 10000, "P3: employees of the no-change re-run (target: 100000)")
	p3D       = flag.Int("p3-departments", 500, "P3: departments (target: 5000)")
	p4N       = flag.Int("p4-employees", 5000, "P4: employees of the first sync (target: 100000)")
	p4D       = flag.Int("p4-departments", 250, "P4: departments")
	p5N       = flag.Int("p5-employees", 3000, "P5: employees of the first load, per entity and in batch mode")
	p5Batch   = flag.Int("p5-batch", 100, "P5: entities per activity in batch mode")
	only      = flag.String("only", "P1,P2,P3,P4,P5,P6", "measurements to run")
	devCfg    = flag.String("dev-config", "", "dynamic config of the dev server, KEY=JSON[,KEY=JSON...] (default: the server's own)")
	root      = flag.String("root", ".", "repository root")
	rows      [][]string
	startTime = time.Now()
)

func main() {
	flag.Parse()
	ctx := context.Background()
	e, err := newEnv(ctx, *root)
	if err != nil {
		fail(err)
	}
	defer e.close()
	for _, m := range []struct {
		name string
		fn   func(context.Context, *env) error
	}{{"P1", p1}, {"P2", p2}, {"P3", p3}, {"P4", p4}, {"P5", p5}, {"P6", p6}} {
		if !strings.Contains(*only, m.name) {
			continue
		}
		fmt.Fprintf(os.Stderr, "bench: %s...\n", m.name)
		if err := m.fn(ctx, e); err != nil {
			fail(fmt.Errorf("%s: %w", m.name, err))
		}
	}
	host, _ := os.Hostname()
	fmt.Printf("\norgsync bench — %s, %d cores, %s, %s; window %d; total %s\n\n", host, runtime.NumCPU(), runtime.Version(),
		time.Now().UTC().Format("2006-01-02"), *window, time.Since(startTime).Round(time.Second))
	fmt.Println("| id | measurement | figure | target | sizes |")
	fmt.Println("|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Println("| " + strings.Join(r, " | ") + " |")
	}
}

func row(cells ...string) { rows = append(rows, cells) }

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

// sync runs OrgSync on the worker's queue and returns its report and time.
func sync(ctx context.Context, e *env, in workflows.Input) (plan.Report, client.WorkflowRun, time.Duration, error) {
	t0 := time.Now()
	run, err := e.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: e.cfg.TaskQueue}, workflows.WorkflowName, in)
	if err != nil {
		return plan.Report{}, nil, 0, err
	}
	var rep plan.Report
	err = run.Get(ctx, &rep)
	return rep, run, time.Since(t0), err
}

func rate(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

// p1: entities/s of a real sync of N changed employees over the no-op
// activity rate of the same dev server with the same window. The machine
// is shared and its speed drifts by 10-20% from one run to the next, so
// p1Rounds real runs alternate with no-op runs; each real run is divided
// by the mean of the no-op runs just before and after it, and the row
// gives the median of those ratios and their range.
func p1(ctx context.Context, e *env) error {
	if err := e.company(ctx, *p1N, max(1, *p1N/20)); err != nil {
		return err
	}
	e.cfg.ApplyWindow = *window
	if err := e.startWorker(); err != nil {
		return err
	}
	rep, _, first, err := sync(ctx, e, workflows.Input{})
	if err != nil || rep.Status != plan.RunCompleted {
		return fmt.Errorf("first sync: %v %+v", err, rep)
	}
	src, err := readSource(ctx, e)
	if err != nil {
		return err
	}
	stop, err := startNoopWorker(e)
	if err != nil {
		return err
	}
	defer stop()
	// round r renames every employee, so the run makes N updates; round 0
	// warms the worker and Postgres up and is not counted.
	realRun := func(r int) (changed int, planning, apply time.Duration, err error) {
		for _, emp := range src[model.Employee] {
			if err := e.sb.Knox().Rename(emp.Key, emp.Name+strings.Repeat("님", r+1)); err != nil {
				return 0, 0, 0, err
			}
		}
		rep, run, _, err := sync(ctx, e, workflows.Input{})
		if err != nil || rep.Status != plan.RunCompleted {
			return 0, 0, 0, fmt.Errorf("sync: %v %+v", err, rep)
		}
		for _, s := range rep.Stages {
			changed += s.Updated
		}
		planning, apply, err = phases(ctx, e, run)
		return changed, planning, apply, err
	}
	changed, _, _, err := realRun(0)
	if err != nil {
		return err
	}
	noopOnce := func() (time.Duration, error) {
		t0 := time.Now()
		nr, err := e.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: noopQueue}, "BenchNoopFanout", changed, *window)
		if err == nil {
			err = nr.Get(ctx, nil)
		}
		return time.Since(t0), err
	}
	noops := make([]time.Duration, 1, *p1Rounds+1)
	if noops[0], err = noopOnce(); err != nil {
		return err
	}
	var ratios, wholes []float64
	var applyRates, noopRates []float64
	var plannings []time.Duration
	for r := 1; r <= *p1Rounds; r++ {
		n, planning, apply, err := realRun(r)
		if err != nil {
			return err
		}
		d, err := noopOnce()
		if err != nil {
			return err
		}
		noops = append(noops, d)
		noop := (noops[r-1] + noops[r]) / 2
		ratios = append(ratios, rate(n, apply)/rate(changed, noop))
		wholes = append(wholes, rate(n, apply+planning)/rate(changed, noop))
		applyRates, noopRates = append(applyRates, rate(n, apply)), append(noopRates, rate(changed, noop))
		plannings = append(plannings, planning)
	}
	m := medianIndex(ratios)
	var noopSecs []string
	for _, d := range noops {
		noopSecs = append(noopSecs, fmt.Sprintf("%.1f", d.Seconds()))
	}
	row("P1", "orchestration: changed-employee sync rate / no-op activity rate",
		fmt.Sprintf("**%.2f** median of %d (range %.2f-%.2f; apply phase %.0f/s vs no-op %.0f/s); with %.1fs planning %.2f",
			ratios[m], len(ratios), slices.Min(ratios), slices.Max(ratios), applyRates[m], noopRates[m], plannings[m].Seconds(), wholes[m]),
		"≥ 0.90", fmt.Sprintf("%d updates; no-op runs %ss; first sync %.0f entities/s", changed, strings.Join(noopSecs, "/"), rate(*p1N, first)))
	return nil
}

// medianIndex is the index of the median of xs (the lower one for an
// even count).
func medianIndex(xs []float64) int {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(xs[a], xs[b]) })
	return idx[(len(idx)-1)/2]
}

// p2: wall time of N writes under a target limit of R/s over N/R, and 429s.
func p2(ctx context.Context, e *env) error {
	if err := e.company(ctx, *p2N, max(1, *p2N/20)); err != nil {
		return err
	}
	if err := e.sb.Workbox().SetFaults(workboxFaults(*p2RPS)); err != nil {
		return err
	}
	e.cfg.TargetRPS, e.cfg.ApplyWindow = *p2RPS, *window
	if err := e.startWorker(); err != nil {
		return err
	}
	before := e.sb.Stats()
	rep, run, _, err := sync(ctx, e, workflows.Input{})
	if err != nil || rep.Status != plan.RunCompleted {
		return fmt.Errorf("sync: %v %+v", err, rep)
	}
	after := e.sb.Stats()
	_, apply, err := phases(ctx, e, run)
	if err != nil {
		return err
	}
	n := int(after.Writes - before.Writes)
	ideal := time.Duration(float64(n) / *p2RPS * float64(time.Second))
	row("P2", "quota: wall time of N writes / (N/R)",
		fmt.Sprintf("**%.3f** (%.1fs for %d writes at %.0f/s); 429 answers: **%d**", apply.Seconds()/ideal.Seconds(), apply.Seconds(), n, *p2RPS, after.Throttled-before.Throttled),
		"≤ 1.05, 0 × 429", fmt.Sprintf("%d employees, R=%.0f", *p2N, *p2RPS))
	e.cfg.TargetRPS = 0
	return e.sb.Workbox().SetFaults(workboxFaults(0))
}

// p3: a no-change re-run over a large company: writes and wall time, with
// the split between source fetch, diff and the rest (workflow).
func p3(ctx context.Context, e *env) error {
	if err := e.company(ctx, *p3N, *p3D); err != nil {
		return err
	}
	if err := e.startWorker(); err != nil {
		return err
	}
	// Setup, not measured: a dry run, whose planned creates become the
	// mappings, as if a first sync had applied them.
	rep, _, _, err := sync(ctx, e, workflows.Input{DryRun: true})
	if err != nil {
		return err
	}
	if _, err := e.st.Pool.Exec(ctx, `
		INSERT INTO mappings (target, company, kind, ext_key, content_hash, state)
		SELECT r.target, r.company, p.kind, p.ext_key, p.content_hash, p.payload
		FROM plan_items p JOIN runs r USING (run_id) WHERE p.run_id = $1 AND p.op = 'create'`, rep.RunID); err != nil {
		return err
	}
	before := e.sb.Stats()
	rep, _, wall, err := sync(ctx, e, workflows.Input{})
	if err != nil || rep.Status != plan.RunCompleted {
		return fmt.Errorf("re-run: %v %+v", err, rep)
	}
	writes := e.sb.Stats().Writes - before.Writes
	fetch, diff, err := split(ctx, e)
	if err != nil {
		return err
	}
	row("P3", "delta: no-change re-run",
		fmt.Sprintf("**%d** writes; **%.1fs** wall (source fetch+COPY %.1fs, diff %.1fs, workflow and the rest %.1fs)",
			writes, wall.Seconds(), fetch.Seconds(), diff.Seconds(), (wall-fetch-diff).Seconds()),
		"0 writes, < 20 s", fmt.Sprintf("%d employees, %d departments", *p3N, *p3D))
	return nil
}

// p4: largest history of any execution in a first sync, and worker RSS.
func p4(ctx context.Context, e *env) error {
	if err := e.company(ctx, *p4N, *p4D); err != nil {
		return err
	}
	if err := e.startWorker(); err != nil {
		return err
	}
	rep, run, wall, err := sync(ctx, e, workflows.Input{})
	if err != nil || rep.Status != plan.RunCompleted {
		return fmt.Errorf("first sync: %v %+v", err, rep)
	}
	maxEvents, parent, children, err := historySizes(ctx, e, run)
	if err != nil {
		return err
	}
	rss := e.peakRSS
	row("P4", "scale: largest history of any execution; worker peak RSS",
		fmt.Sprintf("**%d** events (parent %d, %d children); **%.0f MiB** RSS; %.0f entities/s", maxEvents, parent, children, float64(rss)/1024, rate(total(rep, false), wall)),
		"< 10,240 events, ≤ 256 MiB", fmt.Sprintf("first sync of %d employees, %d departments", *p4N, *p4D))
	return nil
}

// p5: entities/s of a first load in batch mode over per-entity mode.
func p5(ctx context.Context, e *env) error {
	var rates, applyRates [2]float64
	var plans [2]time.Duration
	for i, batch := range []int{0, *p5Batch} {
		if err := e.company(ctx, *p5N, max(1, *p5N/20)); err != nil {
			return err
		}
		if err := e.startWorker(); err != nil {
			return err
		}
		rep, run, wall, err := sync(ctx, e, workflows.Input{Batch: batch})
		if err != nil || rep.Status != plan.RunCompleted {
			return fmt.Errorf("first load (batch %d): %v %+v", batch, err, rep)
		}
		planning, apply, err := phases(ctx, e, run)
		if err != nil {
			return err
		}
		n := total(rep, true)
		rates[i], applyRates[i], plans[i] = rate(n, wall), rate(n, apply), planning
	}
	row("P5", "batch mode: first-load entities/s, batch / per entity",
		fmt.Sprintf("**%.1fx** whole run (%.0f/s vs %.0f/s); apply phase %.1fx (%.0f/s vs %.0f/s)",
			rates[1]/rates[0], rates[1], rates[0], applyRates[1]/applyRates[0], applyRates[1], applyRates[0]),
		"≥ 10x", fmt.Sprintf("%d employees, batch %d; planning %.1fs and %.1fs", *p5N, *p5Batch, plans[0].Seconds(), plans[1].Seconds()))
	return nil
}
