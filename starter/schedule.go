package main

// The daily schedule: `starter schedule` and its subcommands.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/orgsync/orgsync/workflows"
)

// Schedule defaults: daily at 02:00 Seoul time; a run still going at the
// next time is not doubled (SKIP); a time missed while Temporal was down
// is made up if Temporal is back within the catch-up window.
const (
	DefaultCron          = "0 2 * * *"
	DefaultTimeZone      = "Asia/Seoul"
	DefaultCatchupWindow = 6 * time.Hour
)

// ScheduleID is the id `starter schedule` gives the company's schedule;
// its runs get workflow ids orgsync-<target>-<company>-<time>.
func ScheduleID(target, company string) string { return workflows.WorkflowID(target, company) }

type scheduleFlags struct {
	id, cron, tz, note, overlap string
	catchup                     time.Duration
	paused                      bool
	in                          inputFlags
}

func (e *env) scheduleCmd() *cobra.Command {
	var sf scheduleFlags
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Manage the daily OrgSync schedule (create, update, pause, unpause, trigger, delete, describe)",
	}
	cmd.PersistentFlags().StringVar(&sf.id, "id", "", "schedule id (default orgsync-<target>-<company>)")

	// create and update take the schedule's time, policies and run input.
	withSpec := func(use, short string, run func(*cobra.Command, *scheduleFlags) error) *cobra.Command {
		c := &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error { return run(c, &sf) }}
		fs := c.Flags()
		fs.StringVar(&sf.cron, "cron", DefaultCron, "when to run, as a cron expression (minute hour day month weekday)")
		fs.StringVar(&sf.tz, "timezone", DefaultTimeZone, "IANA time zone of the cron expression")
		fs.DurationVar(&sf.catchup, "catchup-window", DefaultCatchupWindow, "how late a run missed while Temporal was down may still start")
		fs.StringVar(&sf.overlap, "overlap", "skip", "when the previous run is still going: skip, buffer-one, cancel-other, terminate-other or allow-all")
		fs.StringVar(&sf.note, "note", "", "a note shown with the schedule")
		fs.BoolVar(&sf.paused, "paused", false, "create (or leave) the schedule paused")
		sf.in.add(fs)
		return c
	}
	create := withSpec("create", "Create the schedule (default: daily 02:00 Asia/Seoul, overlap skip)", e.scheduleCreate)
	update := withSpec("update", "Change the schedule: only the flags given are changed", e.scheduleUpdate)
	simple := func(use, short string, do func(ctx context.Context, h client.ScheduleHandle) (string, error)) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				h, err := e.schedule(c.Context(), sf.id)
				if err != nil {
					return err
				}
				msg, err := do(c.Context(), h)
				if err != nil {
					return scheduleErr(h.GetID(), err)
				}
				e.printf("%s\n", msg)
				return nil
			}}
	}
	// pause (paused true) and unpause, with a note why.
	pauser := func(use, short string, paused bool) *cobra.Command {
		c := simple(use, short, func(ctx context.Context, h client.ScheduleHandle) (string, error) {
			done := use + "d" // paused, unpaused
			note := noteOr(sf.note, done)
			var err error
			if paused {
				err = h.Pause(ctx, client.SchedulePauseOptions{Note: note})
			} else {
				err = h.Unpause(ctx, client.ScheduleUnpauseOptions{Note: note})
			}
			if err != nil {
				return "", err
			}
			return "schedule " + h.GetID() + " " + done, settle(ctx, h, func(d *client.ScheduleDescription) bool { return d.Schedule.State.Paused == paused })
		})
		c.Flags().StringVar(&sf.note, "note", "", "why (shown with the schedule)")
		return c
	}
	pause := pauser("pause", "Pause the schedule: no runs start until unpause", true)
	unpause := pauser("unpause", "Resume the schedule", false)
	trigger := simple("trigger", "Start a run now, as the schedule would (skipped if one is running)", func(ctx context.Context, h client.ScheduleHandle) (string, error) {
		return "schedule " + h.GetID() + " triggered: a run starts now unless one is already running",
			h.Trigger(ctx, client.ScheduleTriggerOptions{Overlap: enums.SCHEDULE_OVERLAP_POLICY_SKIP})
	})
	del := simple("delete", "Delete the schedule (runs already started go on)", func(ctx context.Context, h client.ScheduleHandle) (string, error) {
		return "schedule " + h.GetID() + " deleted", h.Delete(ctx)
	})
	var asJSON bool
	describe := &cobra.Command{Use: "describe", Short: "Show the schedule: when, policies, next and recent runs", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			h, err := e.schedule(c.Context(), sf.id)
			if err != nil {
				return err
			}
			d, err := h.Describe(c.Context())
			if err != nil {
				return scheduleErr(h.GetID(), err)
			}
			v := describeView(h.GetID(), d)
			if asJSON {
				return e.printJSON(v)
			}
			e.printDescribe(v)
			return nil
		}}
	describe.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(create, update, pause, unpause, trigger, del, describe)
	return cmd
}

func (e *env) schedule(ctx context.Context, id string) (client.ScheduleHandle, error) {
	cfg, c, err := e.companyClient(ctx)
	if err != nil {
		return nil, err
	}
	if id == "" {
		id = ScheduleID(cfg.Target, cfg.CompanyID)
	}
	return c.ScheduleClient().GetHandle(ctx, id), nil
}

// settle waits (up to 10s) until the schedule's description shows a
// change: the server applies pause and unpause asynchronously, and an
// operator who runs `describe` next should see them.
func settle(ctx context.Context, h client.ScheduleHandle, done func(*client.ScheduleDescription) bool) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := h.Describe(ctx)
		if err != nil {
			return err
		}
		if d.Schedule.State != nil && done(d) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server accepted the change but the schedule does not show it yet; check with `starter schedule describe`")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func scheduleErr(id string, err error) error {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return fmt.Errorf("schedule %s does not exist: create it with `starter schedule create`", id)
	}
	return fmt.Errorf("schedule %s: %w", id, err)
}

// overlapPolicies are the names --overlap takes.
var overlapPolicies = map[string]enums.ScheduleOverlapPolicy{
	"skip": enums.SCHEDULE_OVERLAP_POLICY_SKIP, "buffer-one": enums.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE,
	"buffer-all": enums.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL, "cancel-other": enums.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER,
	"terminate-other": enums.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER, "allow-all": enums.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
}

// parse checks the flags of create and update and gives the overlap
// policy and the run input they name.
func (sf *scheduleFlags) parse(fs *pflag.FlagSet) (enums.ScheduleOverlapPolicy, workflows.Input, error) {
	var in workflows.Input
	if _, err := time.LoadLocation(sf.tz); err != nil {
		return 0, in, usageErr(fmt.Errorf("--timezone: %q is not an IANA time zone", sf.tz))
	}
	if len(strings.Fields(sf.cron)) != 5 {
		return 0, in, usageErr(fmt.Errorf("--cron: %q: want five fields (minute hour day month weekday)", sf.cron))
	}
	if sf.catchup < time.Minute {
		return 0, in, usageErr(fmt.Errorf("--catchup-window: at least 1m, got %s", sf.catchup))
	}
	overlap, ok := overlapPolicies[strings.ToLower(sf.overlap)]
	if !ok {
		return 0, in, usageErr(fmt.Errorf("--overlap: %q is not one of skip, buffer-one, buffer-all, cancel-other, terminate-other, allow-all", sf.overlap))
	}
	in, err := sf.in.input(fs)
	return overlap, in, err
}

// noteOr is note, or who did what with starter when none was given.
func noteOr(note, did string) string {
	if note == "" {
		return did + " by " + currentUser() + " with starter"
	}
	return note
}

// scheduleCreate creates the company's schedule (`starter schedule create`).
func (e *env) scheduleCreate(c *cobra.Command, sf *scheduleFlags) error {
	ctx := c.Context()
	overlap, in, err := sf.parse(c.Flags())
	if err != nil {
		return err
	}
	cfg, tc, err := e.companyClient(ctx)
	if err != nil {
		return err
	}
	if cfg.MultiCompany() {
		in.Company = cfg.CompanyName()
		if !c.Flags().Changed("cron") {
			base, _ := e.config()
			sf.cron = staggeredCron(base, in.Company) // companies.go
		}
	}
	id := sf.id
	if id == "" {
		id = ScheduleID(cfg.Target, cfg.CompanyID)
	}
	note := noteOr(sf.note, "created")
	_, err = tc.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:   id,
		Spec: client.ScheduleSpec{CronExpressions: []string{sf.cron}, TimeZoneName: sf.tz},
		Action: &client.ScheduleWorkflowAction{
			ID: workflows.WorkflowID(cfg.Target, cfg.CompanyID), Workflow: workflows.WorkflowName,
			Args: []any{in}, TaskQueue: cfg.TaskQueue,
		},
		Overlap: overlap, CatchupWindow: sf.catchup, Paused: sf.paused, Note: note,
	})
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("schedule %s already exists: change it with `starter schedule update` or remove it with `starter schedule delete`", id)
	}
	if err != nil {
		return fmt.Errorf("create schedule %s: %w", id, err)
	}
	e.printf("schedule %s created: %q in %s, overlap %s, catch-up window %s%s\n", id, sf.cron, sf.tz, sf.overlap, sf.catchup, map[bool]string{true: ", paused"}[sf.paused])
	return nil
}

func (e *env) scheduleUpdate(c *cobra.Command, sf *scheduleFlags) error {
	ctx := c.Context()
	fs := c.Flags()
	overlap, newIn, err := sf.parse(fs)
	if err != nil {
		return err
	}
	h, err := e.schedule(ctx, sf.id)
	if err != nil {
		return err
	}
	var changed []string
	var prev time.Time
	err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(u client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := u.Description.Schedule
		prev = u.Description.Info.LastUpdateAt
		changed = nil
		// set applies the flag name when it was given and notes it.
		set := func(name string, apply func()) {
			if fs.Changed(name) {
				apply()
				changed = append(changed, name)
			}
		}
		set("cron", func() { s.Spec.Calendars, s.Spec.CronExpressions = nil, []string{sf.cron} })
		set("timezone", func() { s.Spec.TimeZoneName = sf.tz })
		set("overlap", func() { s.Policy.Overlap = overlap })
		set("catchup-window", func() { s.Policy.CatchupWindow = sf.catchup })
		set("note", func() { s.State.Note = sf.note })
		set("paused", func() { s.State.Paused = sf.paused })
		if act, ok := s.Action.(*client.ScheduleWorkflowAction); ok {
			in, n := actionInput(act), len(changed)
			set("dry-run", func() { in.DryRun = newIn.DryRun })
			set("stage", func() { in.Stages = newIn.Stages })
			set("rollback", func() { in.Rollback = newIn.Rollback })
			set("delete-limit", func() { in.DeleteLimit = newIn.DeleteLimit })
			set("approve-deletes", func() { in.ApproveDeletes = newIn.ApproveDeletes })
			set("reconcile", func() { in.Reconcile = newIn.Reconcile })
			if len(changed) > n {
				act.Args = []any{in}
			}
		}
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}})
	if err != nil {
		return scheduleErr(h.GetID(), err)
	}
	if len(changed) == 0 {
		e.printf("schedule %s unchanged (no flags given)\n", h.GetID())
		return nil
	}
	if err := settle(ctx, h, func(d *client.ScheduleDescription) bool { return d.Info.LastUpdateAt.After(prev) }); err != nil {
		return scheduleErr(h.GetID(), err)
	}
	e.printf("schedule %s updated: %s\n", h.GetID(), strings.Join(changed, ", "))
	return nil
}

// actionInput decodes the workflow input a schedule holds.
func actionInput(act *client.ScheduleWorkflowAction) workflows.Input {
	var in workflows.Input
	if len(act.Args) == 1 {
		if p, ok := act.Args[0].(*commonpb.Payload); ok {
			_ = converter.GetDefaultDataConverter().FromPayload(p, &in)
		}
	}
	return in
}
