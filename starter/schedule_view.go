package main

// What `starter schedule describe` shows of a schedule.

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/orgsync/orgsync/workflows"
)

// ScheduleView is `starter schedule describe --json`.
type ScheduleView struct {
	ID            string          `json:"id"`
	When          []string        `json:"when"`
	TimeZone      string          `json:"timeZone"`
	Workflow      string          `json:"workflow"`
	WorkflowID    string          `json:"workflowId"`
	TaskQueue     string          `json:"taskQueue"`
	Input         workflows.Input `json:"input"`
	Overlap       string          `json:"overlap"`
	CatchupWindow string          `json:"catchupWindow"`
	Paused        bool            `json:"paused"`
	Note          string          `json:"note,omitempty"`
	Next          []time.Time     `json:"next"`
	Recent        []RecentRun     `json:"recent"`
	Running       []string        `json:"running"`
	Actions       int             `json:"actions"`
	Skipped       int             `json:"skippedOverlap"`
	Missed        int             `json:"missedCatchupWindow"`
}

// RecentRun is one action the schedule took.
type RecentRun struct {
	ScheduledAt time.Time `json:"scheduledAt"`
	WorkflowID  string    `json:"workflowId"`
	RunID       string    `json:"runId"`
}

func describeView(id string, d *client.ScheduleDescription) ScheduleView {
	v := ScheduleView{ID: id, Next: d.Info.NextActionTimes, Actions: d.Info.NumActions,
		Skipped: d.Info.NumActionsSkippedOverlap, Missed: d.Info.NumActionsMissedCatchupWindow, Recent: []RecentRun{}, Running: []string{}}
	s := d.Schedule
	if s.Spec != nil {
		v.TimeZone = s.Spec.TimeZoneName
		v.When = append(v.When, s.Spec.CronExpressions...)
		for _, c := range s.Spec.Calendars {
			v.When = append(v.When, calendarText(c))
		}
		for _, i := range s.Spec.Intervals {
			v.When = append(v.When, "every "+i.Every.String())
		}
	}
	if act, ok := s.Action.(*client.ScheduleWorkflowAction); ok {
		v.WorkflowID, v.TaskQueue, v.Input = act.ID, act.TaskQueue, actionInput(act)
		v.Workflow = fmt.Sprint(act.Workflow)
	}
	if s.Policy != nil {
		v.Overlap = strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(s.Policy.Overlap.String(), "ScheduleOverlapPolicy"), "_", "-"))
		v.CatchupWindow = s.Policy.CatchupWindow.String()
	}
	if s.State != nil {
		v.Paused, v.Note = s.State.Paused, s.State.Note
	}
	for _, a := range d.Info.RecentActions {
		r := RecentRun{ScheduledAt: a.ScheduleTime}
		if a.StartWorkflowResult != nil {
			r.WorkflowID, r.RunID = a.StartWorkflowResult.WorkflowID, a.StartWorkflowResult.FirstExecutionRunID
		}
		v.Recent = append(v.Recent, r)
	}
	for _, w := range d.Info.RunningWorkflows {
		v.Running = append(v.Running, w.WorkflowID)
	}
	return v
}

// calendarText renders a calendar spec as minute hour day month weekday.
func calendarText(c client.ScheduleCalendarSpec) string {
	r := func(rs []client.ScheduleRange, first, last int) string {
		if len(rs) == 0 {
			return "*"
		}
		var parts []string
		for _, x := range rs {
			end := x.End
			if end < x.Start {
				end = x.Start
			}
			switch {
			case x.Start <= first && end >= last && x.Step <= 1:
				parts = append(parts, "*")
			case end == x.Start:
				parts = append(parts, fmt.Sprint(x.Start))
			default:
				p := fmt.Sprintf("%d-%d", x.Start, end)
				if x.Step > 1 {
					p += fmt.Sprintf("/%d", x.Step)
				}
				parts = append(parts, p)
			}
		}
		return strings.Join(parts, ",")
	}
	return strings.Join([]string{r(c.Minute, 0, 59), r(c.Hour, 0, 23), r(c.DayOfMonth, 1, 31), r(c.Month, 1, 12), r(c.DayOfWeek, 0, 6)}, " ")
}

func (e *env) printDescribe(v ScheduleView) {
	tw := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', 0)
	state := "active"
	if v.Paused {
		state = "paused"
	}
	fmt.Fprintf(tw, "schedule\t%s (%s)\n", v.ID, state)
	fmt.Fprintf(tw, "when\t%s (%s)\n", strings.Join(v.When, "; "), v.TimeZone)
	fmt.Fprintf(tw, "runs\t%s on %s, workflow id %s-<time>\n", v.Workflow, v.TaskQueue, v.WorkflowID)
	in, _ := json.Marshal(v.Input)
	fmt.Fprintf(tw, "input\t%s\n", in)
	fmt.Fprintf(tw, "overlap\t%s\n", v.Overlap)
	fmt.Fprintf(tw, "catch-up window\t%s\n", v.CatchupWindow)
	if v.Note != "" {
		fmt.Fprintf(tw, "note\t%s\n", v.Note)
	}
	fmt.Fprintf(tw, "actions\t%d taken, %d skipped (overlap), %d missed (catch-up window)\n", v.Actions, v.Skipped, v.Missed)
	// label heads the first line of a list only.
	label := func(i int, s string) string { return map[bool]string{true: s}[i == 0] }
	for i, t := range v.Next {
		fmt.Fprintf(tw, "%s\t%s\n", label(i, "next"), t.In(loc(v.TimeZone)).Format("2006-01-02 15:04 MST"))
	}
	for i, r := range v.Recent {
		fmt.Fprintf(tw, "%s\t%s  %s  run %s\n", label(i, "recent"), r.ScheduledAt.In(loc(v.TimeZone)).Format("2006-01-02 15:04:05 MST"), r.WorkflowID, r.RunID)
	}
	if len(v.Running) > 0 {
		fmt.Fprintf(tw, "running\t%s\n", strings.Join(v.Running, ", "))
	}
	_ = tw.Flush()
}

func loc(name string) *time.Location {
	if l, err := time.LoadLocation(name); err == nil {
		return l
	}
	return time.UTC
}
