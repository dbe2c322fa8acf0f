package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/workflows"
)

// StaggerStep spaces the default schedule times of the companies of
// ORGSYNC_COMPANIES: the n-th starts n steps after DefaultCron, so that a
// group's nightly runs do not all hit Knox and the target at once.
const StaggerStep = 15 * time.Minute

// staggeredCron is DefaultCron moved by the company's place in
// ORGSYNC_COMPANIES.
func staggeredCron(base config.Config, company string) string {
	i := 0
	for n, name := range base.CompanyNames() {
		if strings.EqualFold(name, company) {
			i = n
		}
	}
	at := 2*time.Hour + time.Duration(i)*StaggerStep // DefaultCron is 02:00
	return fmt.Sprintf("%d %d * * *", int(at.Minutes())%60, int(at.Hours())%24)
}

// served is the company a run names: none when ORGSYNC_COMPANIES is
// unset (the worker's one company, as before), else cfg's, provided some
// worker polls its task queue: a run nobody would take fails here at once
// rather than in the workflow a minute later.
func (e *env) served(ctx context.Context, c client.Client, cfg config.Config) (string, error) {
	if !cfg.MultiCompany() {
		return "", nil
	}
	name := cfg.CompanyName()
	q := workflows.CompanyQueue(cfg.TaskQueue, name)
	resp, err := c.DescribeTaskQueue(ctx, q, enums.TASK_QUEUE_TYPE_ACTIVITY)
	if err != nil {
		return "", fmt.Errorf("ask Temporal who serves company %s: %w", name, err)
	}
	if len(resp.GetPollers()) == 0 {
		return "", fmt.Errorf("no worker serves company %s: nothing polls task queue %s; start a worker with %s in ORGSYNC_COMPANIES", name, q, name)
	}
	return name, nil
}

// companyLine is one line of `starter status --all`.
type companyLine struct {
	Company    string     `json:"company"`
	Target     string     `json:"target"`
	CompanyID  string     `json:"companyId"`
	RunID      string     `json:"runId,omitempty"`
	Status     string     `json:"status"`
	StartedAt  *time.Time `json:"startedAt,omitempty"`
	FinishedAt *time.Time `json:"finishedAt,omitempty"`
	Changed    int        `json:"changed"`
	Failed     int        `json:"failed"`
}

// summary prints one line per configured company: its latest run.
func (e *env) summary(ctx context.Context, asJSON bool) error {
	base, err := e.config()
	if err != nil {
		return err
	}
	st, err := e.db(ctx)
	if err != nil {
		return err
	}
	var lines []companyLine
	for _, co := range base.Companies() {
		l := companyLine{Company: co.CompanyName(), Target: co.Target, CompanyID: co.CompanyID, Status: "never run"}
		if co.CompanyID != "" {
			if r, err := st.FindRun(ctx, "", co.Target, co.CompanyID); err == nil {
				l.RunID, l.Status, l.StartedAt, l.FinishedAt = r.RunID, r.Status, &r.StartedAt, r.FinishedAt
				reps, err := st.StageReports(ctx, r.RunID)
				if err != nil {
					return err
				}
				for _, s := range reps {
					l.Changed += s.Created + s.Updated + s.Deleted
					l.Failed += s.Failed
				}
			}
		}
		lines = append(lines, l)
	}
	if asJSON {
		return json.NewEncoder(e.out).Encode(lines)
	}
	tw := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', 0)
	for _, l := range lines {
		when := "-"
		if l.StartedAt != nil {
			when = l.StartedAt.Local().Format("2006-01-02 15:04")
			if l.FinishedAt != nil {
				when += " (" + l.FinishedAt.Sub(*l.StartedAt).Round(time.Second).String() + ")"
			}
		}
		fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\t%d changed, %d failed\t%s\n", l.Company, l.Target, dash(l.CompanyID), l.Status, when, l.Changed, l.Failed, dash(l.RunID))
	}
	return tw.Flush()
}
