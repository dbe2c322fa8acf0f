package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/keysheet"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/workflows"
)

// starter runs the CLI in-process with cfg and returns stdout+stderr and
// the exit code.
func starter(t *testing.T, cfg config.Config, args ...string) (string, int) {
	t.Helper()
	var out bytes.Buffer
	code := Main(args, &out, &out, &cfg)
	t.Logf("starter %s -> %d\n%s", strings.Join(args, " "), code, out.String())
	return out.String(), code
}

func mustStarter(t *testing.T, cfg config.Config, args ...string) string {
	t.Helper()
	out, code := starter(t, cfg, args...)
	if code != 0 {
		t.Fatalf("starter %s: exit %d: %s", strings.Join(args, " "), code, out)
	}
	return out
}

func statusOf(t *testing.T, cfg config.Config, run string) statusView {
	t.Helper()
	var out bytes.Buffer
	if code := Main([]string{"status", run, "--json"}, &out, &out, &cfg); code != 0 {
		t.Fatalf("status: %d %s", code, out.String())
	}
	var v statusView
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatalf("status --json: %v: %s", err, out.String())
	}
	return v
}

func waitStatus(t *testing.T, cfg config.Config, run string, want ...string) statusView {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		v := statusOf(t, cfg, run)
		for _, w := range want {
			if v.Status == w {
				return v
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s: status %q, want one of %v", run, v.Status, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitDone waits until Temporal reports the run closed.
func waitDone(t *testing.T, cfg config.Config, run string) statusView {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		v := statusOf(t, cfg, run)
		if v.Temporal != "Running" && v.Temporal != "unknown" {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s still %s", run, v.Temporal)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func reportOf(t *testing.T, cfg config.Config, run string) reportView {
	t.Helper()
	var v reportView
	if err := json.Unmarshal([]byte(mustStarter(t, cfg, "report", run, "--json")), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func stageOf(v []plan.StageReport, k model.Kind) plan.StageReport {
	for _, s := range v {
		if s.Stage == k {
			return s
		}
	}
	return plan.StageReport{}
}

func checkState(t *testing.T, s *testenv.Stack) {
	t.Helper()
	if !testenv.SameJSON(testenv.WorkboxState(s.Source(t)), s.Sandbox.WorkboxState()) {
		t.Fatal("the target does not hold the source")
	}
}

// Every starter command against a real dev server, Postgres and the sandbox.
func TestStarter(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 60, Departments: 8})
	s.StartWorker(t)
	cfg := s.Config
	src := s.Source(t)

	t.Run("usage and configuration errors", func(t *testing.T) {
		if out, code := starter(t, cfg, "sync", "--stage", "payroll"); code != exitUsage || !strings.Contains(out, `"payroll" is not one of`) {
			t.Fatalf("bad stage: %d %s", code, out)
		}
		if _, code := starter(t, cfg, "approve", "a", "b"); code != exitUsage {
			t.Fatalf("two args: %d", code)
		}
		if _, code := starter(t, cfg, "sync", "--no-such-flag"); code != exitUsage {
			t.Fatalf("unknown flag: %d", code)
		}
		noCompany := cfg
		noCompany.CompanyID = ""
		if out, code := starter(t, noCompany, "sync"); code != exitFailed || !strings.Contains(out, "ORGSYNC_COMPANY_ID") ||
			strings.Count(strings.TrimSpace(out), "\n") != 0 {
			t.Fatalf("no company: %d %q", code, out)
		}
		badDB := cfg
		badDB.DatabaseURL = config.Secret("postgres://u:hunter2@127.0.0.1:1/x?sslmode=disable&connect_timeout=2")
		if out, code := starter(t, badDB, "migrate"); code != exitFailed || strings.Contains(out, "hunter2") {
			t.Fatalf("bad database: %d %s", code, out)
		}
	})

	t.Run("migrate and config check", func(t *testing.T) {
		if out := mustStarter(t, cfg, "migrate"); !strings.Contains(out, "up to date") {
			t.Fatal(out)
		}
		out := mustStarter(t, cfg, "config", "check")
		for _, secret := range []string{cfg.SecretKey.Reveal(), cfg.AccessKey.Reveal(), cfg.APIKey.Reveal()} {
			if strings.Contains(out, secret) {
				t.Fatalf("config check printed a secret")
			}
		}
		for _, want := range []string{"ORGSYNC_NCP_SECRET_KEY", "[redacted]", "ORGSYNC_TEMPORAL_ADDRESS", cfg.TemporalAddress,
			"ok  postgres", "ok  temporal", "ok  source", "ok  target", "signed request accepted"} {
			if !strings.Contains(out, want) {
				t.Fatalf("config check lacks %q", want)
			}
		}
		bad := cfg
		bad.SecretKey = config.Secret("wrong-secret")
		out, code := starter(t, bad, "config", "check")
		if code != exitFailed || !strings.Contains(out, "FAIL  target") || strings.Contains(out, "wrong-secret") {
			t.Fatalf("bad key: %d %s", code, out)
		}
	})

	var firstRun string
	t.Run("plan then sync --wait, status, report", func(t *testing.T) {
		before := s.Sandbox.Stats().Writes
		out := mustStarter(t, cfg, "plan")
		if s.Sandbox.Stats().Writes != before {
			t.Fatal("plan wrote to the target")
		}
		if !strings.Contains(out, "dry run") || !strings.Contains(out, "CREATE") {
			t.Fatal(out)
		}
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) == 7 && f[0] == "employee" && f[1] != itoa(len(src[model.Employee])) {
				t.Fatalf("plan creates %s employees, want %d", f[1], len(src[model.Employee]))
			}
		}

		out = mustStarter(t, cfg, "sync", "--wait")
		if !strings.Contains(out, "completed") || !strings.Contains(out, "done, 0 failed") {
			t.Fatalf("sync --wait: %s", out)
		}
		checkState(t, s)
		v := statusOf(t, cfg, "")
		if v.Status != plan.RunCompleted || v.Temporal != "Completed" || v.WorkflowID != workflows.WorkflowID(cfg.Target, cfg.CompanyID) {
			t.Fatalf("status %+v", v)
		}
		firstRun = v.RunID
		if out := mustStarter(t, cfg, "status", firstRun); !strings.Contains(out, "finished") {
			t.Fatal(out)
		}
		r := reportOf(t, cfg, firstRun)
		if r.Status != plan.RunCompleted || len(r.Failed) != 0 || stageOf(r.Stages, model.Employee).Created != len(src[model.Employee]) ||
			stageOf(r.Stages, model.Department).Created != len(src[model.Department]) {
			t.Fatalf("report %+v", r)
		}
		if out := mustStarter(t, cfg, "report", firstRun); !strings.Contains(out, "no failed items") || !strings.Contains(out, "UNCHANGED") {
			t.Fatal(out)
		}
	})

	t.Run("held deletes, already running, approve, failed items in the report", func(t *testing.T) {
		k := s.Sandbox.Knox()
		emps := src[model.Employee]
		if err := k.Retire(emps[0].Key); err != nil {
			t.Fatal(err)
		}
		if err := k.Rename(emps[1].Key, strings.Repeat("긴", model.MaxName+1)); err != nil {
			t.Fatal(err)
		}
		out := mustStarter(t, cfg, "sync", "--delete-limit", "0")
		if !strings.Contains(out, "started run") {
			t.Fatal(out)
		}
		v := waitStatus(t, cfg, "", plan.RunWaitingApproval)
		if !strings.Contains(mustStarter(t, cfg, "status"), "starter approve") {
			t.Fatal("status does not say how to approve")
		}
		out, code := starter(t, cfg, "sync")
		if code != exitFailed || !strings.Contains(out, "already running") || !strings.Contains(out, v.RunID) {
			t.Fatalf("second sync: %d %s", code, out)
		}
		if out := mustStarter(t, cfg, "approve", v.RunID, "--by", "ops"); !strings.Contains(out, "approved by ops") || !strings.Contains(out, "employee 1") {
			t.Fatal(out)
		}
		waitDone(t, cfg, v.RunID)
		r := reportOf(t, cfg, v.RunID)
		if stageOf(r.Stages, model.Employee).Deleted != 1 || len(r.Failed) != 1 {
			t.Fatalf("report %+v", r)
		}
		f := r.Failed[0]
		if f.Key != emps[1].Key || f.Field != "name" || f.Stage != model.Employee || f.Message == "" {
			t.Fatalf("failed item %+v", f)
		}
		if r.Status != plan.RunCompleted && r.Status != plan.RunCompletedFailing {
			t.Fatalf("status after approval %s", r.Status)
		}
		text := mustStarter(t, cfg, "report", v.RunID)
		if !strings.Contains(text, "1 failed or skipped items") || !strings.Contains(text, emps[1].Key) ||
			!strings.Contains(text, "deletes approved by ops for the plan of") || r.Approval == nil || len(r.Approval.Digest) != 64 {
			t.Fatal(text)
		}
		if out, code := starter(t, cfg, "approve", firstRun); code != exitFailed || !strings.Contains(out, "not running") {
			t.Fatalf("approve a finished run: %d %s", code, out)
		}
		if err := k.Rename(emps[1].Key, "이름고침"); err != nil {
			t.Fatal(err)
		}
		mustStarter(t, cfg, "sync", "--wait")
		checkState(t, s)
	})

	t.Run("mapping export and import plan updates, never creates", func(t *testing.T) {
		src := s.Source(t)
		file := filepath.Join(t.TempDir(), "keys.xlsx")
		out := mustStarter(t, cfg, "mapping", "export", "-o", file)
		if !strings.Contains(out, "user "+itoa(len(src[model.Employee]))) {
			t.Fatal(out)
		}
		// A fresh orgsync installation next to a WORKBOX that already
		// holds the organisation: no mappings, the admin marks every row.
		if _, err := s.Store.Pool.Exec(context.Background(), "DELETE FROM mappings"); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenFile(file)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, sh := range keysheet.Sheets {
			rows, _ := f.GetRows(sh.Name)
			col := len(sh.Columns)
			for r := 2; r <= len(rows); r++ {
				cell, _ := excelize.CoordinatesToCellName(col, r)
				if err := f.SetCellStr(sh.Name, cell, "Y"); err != nil {
					t.Fatal(err)
				}
				total++
			}
			if len(rows)-1 != len(src[sh.Kind]) {
				t.Fatalf("sheet %s has %d rows, source %d", sh.Name, len(rows)-1, len(src[sh.Kind]))
			}
		}
		if err := f.Save(); err != nil {
			t.Fatal(err)
		}
		out = mustStarter(t, cfg, "mapping", "import", file)
		if !strings.Contains(out, "imported "+itoa(total)+" mappings") {
			t.Fatal(out)
		}
		if out := mustStarter(t, cfg, "mapping", "import", file); !strings.Contains(out, "imported 0 mappings") {
			t.Fatal("a second import changed mappings: " + out)
		}

		mustStarter(t, cfg, "plan")
		row, err := s.Store.GetRun(context.Background(), statusOf(t, cfg, "").RunID)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range model.Kinds {
			p := row.Plan[k]
			if p.Creates != 0 || p.Deletes != 0 || p.Updates != len(src[k]) {
				t.Fatalf("plan of %s after import: %+v (want %d updates)", k, p, len(src[k]))
			}
		}
		before := s.Sandbox.Stats()
		mustStarter(t, cfg, "sync", "--wait")
		after := s.Sandbox.Stats()
		if after.Creates != before.Creates || after.DuplicateCreates != before.DuplicateCreates || after.Updates-before.Updates != int64(total) {
			t.Fatalf("sync after import: %d creates, %d duplicate creates, %d updates (want 0, 0, %d)",
				after.Creates-before.Creates, after.DuplicateCreates-before.DuplicateCreates, after.Updates-before.Updates, total)
		}
		checkState(t, s)
		before = s.Sandbox.Stats()
		mustStarter(t, cfg, "sync", "--wait")
		if w := s.Sandbox.Stats().Writes - before.Writes; w != 0 {
			t.Fatalf("re-run after import wrote %d", w)
		}
	})

	t.Run("schedule", func(t *testing.T) {
		out := mustStarter(t, cfg, "schedule", "create")
		if !strings.Contains(out, "Asia/Seoul") {
			t.Fatal(out)
		}
		if out, code := starter(t, cfg, "schedule", "create"); code != exitFailed || !strings.Contains(out, "already exists") {
			t.Fatalf("second create: %d %s", code, out)
		}
		d := describe(t, cfg)
		if d.TimeZone != "Asia/Seoul" || len(d.When) != 1 || d.When[0] != "0 2 * * *" || d.Overlap != "skip" ||
			d.CatchupWindow != DefaultCatchupWindow.String() || d.Paused || d.Workflow != workflows.WorkflowName || d.TaskQueue != cfg.TaskQueue {
			t.Fatalf("describe %+v", d)
		}
		seoul, _ := time.LoadLocation("Asia/Seoul")
		if len(d.Next) == 0 || d.Next[0].In(seoul).Hour() != 2 || d.Next[0].In(seoul).Minute() != 0 {
			t.Fatalf("next runs %v", d.Next)
		}
		if out := mustStarter(t, cfg, "schedule", "describe"); !strings.Contains(out, "0 2 * * *") || !strings.Contains(out, "next") {
			t.Fatal(out)
		}

		mustStarter(t, cfg, "schedule", "update", "--cron", "30 3 * * 1-5", "--catchup-window", "2h", "--stage", "grade,department")
		d = describe(t, cfg)
		if d.When[0] != "30 3 * * 1-5" || d.CatchupWindow != "2h0m0s" || d.TimeZone != "Asia/Seoul" ||
			strings.Join(d.Input.Stages, ",") != "grade,department" {
			t.Fatalf("after update %+v", d)
		}
		mustStarter(t, cfg, "schedule", "update", "--stage", "grade,position,department,employee")

		mustStarter(t, cfg, "schedule", "pause", "--note", "maintenance")
		if d = describe(t, cfg); !d.Paused || d.Note != "maintenance" {
			t.Fatalf("after pause %+v", d)
		}
		mustStarter(t, cfg, "schedule", "unpause")
		if d = describe(t, cfg); d.Paused {
			t.Fatal("still paused")
		}

		mustStarter(t, cfg, "schedule", "trigger")
		var r RecentRun
		deadline := time.Now().Add(60 * time.Second)
		for r.RunID == "" {
			if d = describe(t, cfg); len(d.Recent) > 0 {
				r = d.Recent[0]
			} else if time.Now().After(deadline) {
				t.Fatal("the trigger started no run")
			} else {
				time.Sleep(200 * time.Millisecond)
			}
		}
		if !strings.HasPrefix(r.WorkflowID, workflows.WorkflowID(cfg.Target, cfg.CompanyID)+"-") {
			t.Fatalf("scheduled workflow id %s", r.WorkflowID)
		}
		var rep plan.Report
		if err := s.Client.GetWorkflow(context.Background(), r.WorkflowID, r.RunID).Get(context.Background(), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Status != plan.RunCompleted {
			t.Fatalf("scheduled run %+v", rep)
		}
		if v := statusOf(t, cfg, r.RunID); v.Status != plan.RunCompleted || v.Temporal != "Completed" {
			t.Fatalf("status of the scheduled run %+v", v)
		}

		mustStarter(t, cfg, "schedule", "delete")
		if out, code := starter(t, cfg, "schedule", "describe"); code != exitFailed || !strings.Contains(out, "does not exist") {
			t.Fatalf("describe after delete: %d %s", code, out)
		}
	})
}

func describe(t *testing.T, cfg config.Config) ScheduleView {
	t.Helper()
	var v ScheduleView
	if err := json.Unmarshal([]byte(mustStarter(t, cfg, "schedule", "describe", "--json")), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func itoa(n int) string { return strconv.Itoa(n) }
