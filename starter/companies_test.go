package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/workflows"
)

// --company on a group's configuration: runs, status, report, the
// one-line summary of every company, one staggered schedule per company,
// and a run for a company no worker serves refused at once.
func TestStarterCompanies(t *testing.T) {
	g := testenv.NewCompanies(t, testenv.StackOptions{Employees: 40, Departments: 5}, "C60", "C10")
	g.StartWorkerFor(t, "C60", "C10")
	cfg := g.Config

	if out, code := starter(t, cfg, "sync"); code != exitUsage || !strings.Contains(out, "--company: ORGSYNC_COMPANIES names C60, C10") {
		t.Fatalf("sync without --company: %d %s", code, out)
	}
	if out, code := starter(t, cfg, "sync", "--company", "C99"); code != exitUsage || !strings.Contains(out, `"C99" is not configured`) {
		t.Fatalf("sync --company C99: %d %s", code, out)
	}
	nobody := cfg
	nobody.TaskQueue += "-nobody"
	if out, code := starter(t, nobody, "sync", "--company", "C10"); code != exitFailed || !strings.Contains(out, "no worker serves company C10") {
		t.Fatalf("sync with no worker: %d %s", code, out)
	}

	out := mustStarter(t, cfg, "sync", "--company", "C10", "--wait")
	if !strings.Contains(out, plan.RunCompleted) {
		t.Fatalf("sync --company C10: %s", out)
	}
	c10 := g.Company("C10")
	if !testenv.SameJSON(testenv.WorkboxState(c10.Source(t)), c10.Sandbox.WorkboxState()) {
		t.Fatal("C10's tenant does not hold C10")
	}
	if n := g.Sandboxes["C60"].Stats().Requests; n != 0 {
		t.Fatalf("C10's sync sent %d requests to C60's tenant", n)
	}
	var v statusView
	if err := json.Unmarshal([]byte(mustStarter(t, cfg, "status", "--company", "C10", "--json")), &v); err != nil ||
		v.Status != plan.RunCompleted || v.Company != c10.Config.CompanyID {
		t.Fatalf("status --company C10: %v %+v", err, v)
	}
	if out := mustStarter(t, cfg, "report", "--company", "C10"); !strings.Contains(out, "no failed items") {
		t.Fatalf("report --company C10: %s", out)
	}

	var lines []companyLine
	if err := json.Unmarshal([]byte(mustStarter(t, cfg, "status", "--all", "--json")), &lines); err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || lines[0].Company != "C60" || lines[0].Status != "never run" ||
		lines[1].Company != "C10" || lines[1].Status != plan.RunCompleted || lines[1].Changed == 0 {
		t.Fatalf("status --all: %+v", lines)
	}
	if text := mustStarter(t, cfg, "status", "--all"); strings.Count(strings.TrimSpace(text), "\n") != 1 {
		t.Fatalf("status --all: want one line per company:\n%s", text)
	}

	for company, cron := range map[string]string{"C60": "0 2 * * *", "C10": "15 2 * * *"} {
		c := g.Serving(t, company) // describe takes no --company: the only company is the default
		mustStarter(t, cfg, "schedule", "create", "--paused", "--company", company)
		v := describe(t, c)
		if len(v.When) != 1 || v.Input.Company != company || v.WorkflowID != workflows.WorkflowID("workbox", g.Configs[company].CompanyID) {
			t.Fatalf("schedule of %s: %+v", company, v)
		}
		t.Logf("schedule %s: %v, input company %s", v.ID, v.When, v.Input.Company)
		if !strings.Contains(v.When[0], cron) {
			t.Errorf("schedule of %s runs %q, want %q", company, v.When[0], cron)
		}
		mustStarter(t, c, "schedule", "delete")
	}
}
