package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/orgsync/orgsync/activities"
	"github.com/orgsync/orgsync/internal/app"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/target"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/workflows"
)

// One worker serves two companies of a group (WORKBOX): both sync at the
// same time, each tenant holds exactly its own company, and a run for a
// company no worker serves fails saying so. The second guard refuses an
// activity of one company's run on the other's worker and writes nothing.
func TestCompaniesOneWorker(t *testing.T) {
	g := testenv.NewCompanies(t, testenv.StackOptions{Employees: 150, Departments: 12}, "C60", "C10")
	g.StartWorkerFor(t, "C60", "C10")
	reps := syncCompanies(t, g, "C60", "C10", "C99")
	checkCompanies(t, g, reps, "C60", "C10", func(s *testenv.Stack) (any, int64) {
		return s.Sandbox.WorkboxState(), s.Sandbox.Stats().Writes
	}, func(s *testenv.Stack) any { return testenv.WorkboxState(s.Source(t)) })

	// A worker of two companies cannot guess which one a run naming none
	// is for.
	var none plan.Report
	err := g.Start(t, "orgsync-no-company", workflows.Input{}).Get(context.Background(), &none)
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || ae.Type() != activities.ErrWrongCompany || !strings.Contains(ae.Error(), "input company: required: this worker serves C60, C10") {
		t.Fatalf("run naming no company: %v", err)
	}

	// C10's activities handed C60's run, as a misrouted task would be.
	c10 := g.Company("C10")
	var tgt target.Client
	tgt, err = app.NewTarget(c10.Config, nil)
	if err != nil {
		t.Fatal(err)
	}
	acts := &activities.Activities{Store: g.Store, Target: tgt, Config: c10.Config, Serves: []string{"C10"}}
	suite := &testsuite.WorkflowTestSuite{}
	suite.SetLogger(tlog.NewStructuredLogger(testenv.Logger()))
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	before := c10.Sandbox.Stats().Requests
	run := reps["C60"].RunID
	for name, call := range map[string]func() error{
		"PlanStage": func() error {
			_, err := env.ExecuteActivity(acts.PlanStage, activities.PlanInput{RunID: run, Kind: model.Employee})
			return err
		},
		"ApplyItem": func() error {
			_, err := env.ExecuteActivity(acts.ApplyItem, activities.ApplyInput{RunID: run, Seq: firstSeq(reps["C60"])})
			return err
		},
		"ApplyBatch": func() error {
			seq := firstSeq(reps["C60"])
			_, err := env.ExecuteActivity(acts.ApplyBatch, activities.BatchInput{RunID: run, Span: plan.Span{Lo: seq, Hi: seq}})
			return err
		},
		"BeginRun": func() error {
			_, err := env.ExecuteActivity(acts.BeginRun, activities.BeginInput{Input: workflows.Input{Company: "C60"}})
			return err
		},
	} {
		err := call()
		var ae *temporal.ApplicationError
		if !errors.As(err, &ae) || ae.Type() != activities.ErrWrongCompany || !ae.NonRetryable() ||
			!strings.Contains(ae.Error(), "C10") || !strings.Contains(ae.Error(), c10.Config.CompanyID) ||
			!(strings.Contains(ae.Error(), "C60") || strings.Contains(ae.Error(), g.Configs["C60"].CompanyID)) {
			t.Fatalf("%s of C60's run on C10's worker: %v", name, err)
		}
		t.Logf("%s refused: %s", name, ae.Error())
	}
	if n := c10.Sandbox.Stats().Requests - before; n != 0 {
		t.Fatalf("the refused activities sent %d requests to C10's tenant", n)
	}
}

// Two workers with different companies share one task queue (WORKPLACE):
// each company's work goes only to its own worker.
func TestCompaniesTwoWorkers(t *testing.T) {
	g := testenv.NewCompanies(t, testenv.StackOptions{Employees: 150, Departments: 12, Target: "workplace"}, "C60", "C10")
	g.StartWorkerFor(t, "C60")
	g.StartWorkerFor(t, "C10")
	reps := syncCompanies(t, g, "C60", "C10", "")
	checkCompanies(t, g, reps, "C60", "C10", func(s *testenv.Stack) (any, int64) {
		return s.Sandbox.WorkplaceState(), s.Sandbox.Workplace().Stats().Writes
	}, func(s *testenv.Stack) any { return testenv.WorkplaceState(s.Source(t)) })
	for _, n := range []string{"C60", "C10"} {
		if wb := g.Sandboxes[n].Stats().Requests; wb != 0 {
			t.Fatalf("%d requests of %s went to WORKBOX", wb, n)
		}
	}
}

// syncCompanies starts a run of each company at once (and one of
// unserved, when given, which must fail naming it) and returns the
// reports by company.
func syncCompanies(t *testing.T, g *testenv.Companies, a, b, unserved string) map[string]plan.Report {
	t.Helper()
	names := []string{a, b}
	if unserved != "" {
		names = append(names, unserved)
	}
	runs := map[string]client.WorkflowRun{}
	for _, n := range names {
		id := "orgsync-" + strings.ToLower(n)
		if c, ok := g.Configs[n]; ok {
			id = workflows.WorkflowID(c.Target, c.CompanyID)
		}
		runs[n] = g.Start(t, id, workflows.Input{Company: n})
	}
	var mu sync.Mutex
	reps, errs := map[string]plan.Report{}, map[string]error{}
	var wg sync.WaitGroup
	for n, run := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
			defer cancel()
			var rep plan.Report
			err := run.Get(ctx, &rep)
			mu.Lock()
			defer mu.Unlock()
			reps[n], errs[n] = rep, err
		}()
	}
	wg.Wait()
	for _, n := range []string{a, b} {
		if errs[n] != nil || reps[n].Status != plan.RunCompleted {
			t.Fatalf("company %s: %v %+v", n, errs[n], reps[n])
		}
	}
	if unserved != "" {
		var ae *temporal.ApplicationError
		if !errors.As(errs[unserved], &ae) || ae.Type() != workflows.ErrNoWorker || !strings.Contains(ae.Error(), "no worker serves company "+unserved) {
			t.Fatalf("run for unserved company %s: %v", unserved, errs[unserved])
		}
		t.Logf("run for %s: %s", unserved, ae.Error())
	}
	return reps
}

// checkCompanies checks that each tenant holds exactly its own company,
// received exactly its own run's writes, and holds none of the other
// company's departments or people.
func checkCompanies(t *testing.T, g *testenv.Companies, reps map[string]plan.Report, a, b string,
	state func(*testenv.Stack) (any, int64), want func(*testenv.Stack) any) {
	t.Helper()
	for _, pair := range [][2]string{{a, b}, {b, a}} {
		own, other := g.Company(pair[0]), g.Company(pair[1])
		got, writes := state(own)
		if !testenv.SameJSON(want(own), got) {
			t.Fatalf("company %s's tenant differs from its source", pair[0])
		}
		if writes != int64(plannedWrites(reps[pair[0]])) {
			t.Fatalf("company %s's tenant got %d writes, its run planned %d", pair[0], writes, plannedWrites(reps[pair[0]]))
		}
		body, _ := json.Marshal(got)
		foreign := 0
		src := other.Source(t)
		for _, k := range []model.Kind{model.Department, model.Employee} {
			for _, e := range src[k] {
				if strings.Contains(string(body), `"`+e.Key+`"`) {
					foreign++
				}
			}
		}
		if foreign != 0 {
			t.Fatalf("company %s's tenant holds %d of %s's departments and people", pair[0], foreign, pair[1])
		}
		t.Logf("company %s: %d writes into its own tenant, 0 of %s's %d departments and people", pair[0], writes, pair[1],
			len(src[model.Department])+len(src[model.Employee]))
	}
}

func firstSeq(rep plan.Report) int {
	for _, st := range rep.Plan {
		for _, r := range st.Upserts {
			return r.Lo
		}
	}
	return 0
}
