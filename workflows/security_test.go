package workflows_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"

	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/sandbox/workboxsim"
	"github.com/orgsync/orgsync/workflows"
)

// A full sync with known secrets, some failing items and a run with a
// wrong secret: no secret appears in the logs, the workflow histories,
// the reports or the stored errors, and no e-mail or phone number of an
// employee appears in any workflow history.
func TestSecretsAndPersonalDataStayOut(t *testing.T) {
	const secret, apiKey, wrong = "S3CR3T-zq81-secret", "APIKEY-zq81-key", "WR0NG-zq81-secret"
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 120, Departments: 8, SecretKey: secret, APIKey: apiKey})
	s.Config.SecretKey, s.Config.APIKey = config.Secret(secret), config.Secret(apiKey)
	logs := &testenv.LockedBuffer{}
	s.LogTo = logs
	stop := s.StartWorker(t)
	if err := s.Sandbox.Workbox().SetFaults(workboxsim.Faults{RejectRate: 0.1}); err != nil {
		t.Fatal(err)
	}
	rep := s.Sync(t, workflows.Input{})
	if rep.Status != plan.RunCompletedFailing {
		t.Fatalf("sync with 10%% rejected: %+v", rep)
	}
	runs := []string{rep.RunID}
	stop()

	// The same with a wrong secret: the run fails on auth.
	s.Config.SecretKey = config.Secret(wrong)
	s.StartWorker(t)
	if err := s.Sandbox.Knox().Rename(s.Source(t)[model.Employee][0].Key, "새이름"); err != nil {
		t.Fatal(err)
	}
	bad := s.Sync(t, workflows.Input{})
	if bad.Status != plan.RunFailed {
		t.Fatalf("wrong secret: %+v", bad)
	}
	runs = append(runs, bad.RunID)

	var personal []string
	for _, e := range s.Source(t)[model.Employee] {
		personal = append(personal, e.Email, e.Mobile, e.Tel)
	}
	histories := allHistories(t, s, runs...)
	if !strings.Contains(histories, s.Config.CompanyID) {
		t.Fatal("history payloads were not decoded: the company id (in the run settings) is missing")
	}
	reports, _ := json.Marshal([]plan.Report{rep, bad})
	var stored strings.Builder
	for _, id := range runs {
		items, err := s.Store.FailedItems(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(items)
		stored.Write(b)
		row, err := s.Store.GetRun(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		stored.Write(row.Report)
	}
	if !strings.Contains(stored.String(), "auth") {
		t.Fatalf("the wrong secret left no auth error to check: %s", stored.String())
	}
	for name, text := range map[string]string{"logs": logs.String(), "histories": histories, "reports": string(reports), "stored errors": stored.String()} {
		for _, v := range []string{secret, apiKey, wrong} {
			if strings.Contains(text, v) {
				t.Errorf("a secret appears in the %s", name)
			}
		}
	}
	leaks := 0
	for _, p := range personal {
		if p != "" && strings.Contains(histories, p) {
			leaks++
		}
	}
	if leaks > 0 {
		t.Errorf("%d e-mails or phone numbers appear in workflow history", leaks)
	}
	t.Logf("checked %d KiB of logs, %d KiB of history, %d personal values", len(logs.String())/1024, len(histories)/1024, len(personal))
}

// allHistories returns the histories of the runs and all their children,
// as JSON with every payload decoded (protojson writes payloads base64).
func allHistories(t *testing.T, s *testenv.Stack, runIDs ...string) string {
	t.Helper()
	var roots [][2]string
	for _, id := range runIDs {
		row, err := s.Store.GetRun(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		roots = append(roots, [2]string{row.WorkflowID, id})
	}
	var out strings.Builder
	n := s.WalkHistories(t, roots, func(ev *history.HistoryEvent) {
		b, _ := temporalproto.CustomJSONMarshalOptions{}.Marshal(ev)
		out.Write(b)
	})
	if n < len(roots) {
		t.Fatalf("only %d executions found for %d runs", n, len(roots))
	}
	text := out.String()
	for _, m := range payloadData.FindAllStringSubmatch(text, -1) {
		if b, err := base64.StdEncoding.DecodeString(m[1]); err == nil {
			out.Write(b)
		}
	}
	return out.String()
}

var payloadData = regexp.MustCompile(`"data":"([A-Za-z0-9+/=]+)"`)

// Hostile names pass through as data: every statement is parameterised.
func TestHostileNames(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 20, Departments: 3})
	s.StartWorker(t)
	src := s.Source(t)
	dept, grade := src[model.Department][0].Key, src[model.Grade][0].Key
	long := strings.Repeat("가", 99) + "'"
	names := map[string]string{
		"HX1": `'; DROP TABLE mappings; --`,
		"HX2": `Robert'); DELETE FROM plan_items;--`,
		"HX3": `"quoted" \ back\slash $1 %s`,
		"HX4": long,
		"HX5": "이름 😀 ∑ ﷽",
	}
	for key, name := range names {
		raw, _ := json.Marshal(map[string]string{
			"epId": key, "fullName": name, "emailAddress": strings.ToLower(key) + "@hostile.example",
			"departmentCode": dept, "titleCode": grade, "gradeName": name, "employeeStatus": "B",
		})
		if err := s.Sandbox.Knox().PutRaw("employees", key, raw); err != nil {
			t.Fatal(err)
		}
	}
	rep := s.Sync(t, workflows.Input{})
	if rep.Status != plan.RunCompleted {
		t.Fatalf("report %+v", rep)
	}
	users := s.Sandbox.WorkboxState().Users
	positions := s.Sandbox.WorkboxState().Positions
	for key, name := range names {
		if users[key].Name != name {
			t.Errorf("user %s: name %q, want %q", key, users[key].Name, name)
		}
		if positions[users[key].PositionExternalKey].Name != name {
			t.Errorf("position of %s: %q, want %q", key, positions[users[key].PositionExternalKey].Name, name)
		}
	}
	var n int
	if err := s.Store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM mappings`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("mappings after hostile names: %d, %v", n, err)
	}
	checkState(t, s)
}
