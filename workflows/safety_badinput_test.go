package workflows_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/sandbox/knoxsim"
	"github.com/orgsync/orgsync/sandbox/workboxsim"
	"github.com/orgsync/orgsync/workflows"
)

type badRecord struct {
	name   string
	kind   string            // knoxsim.KindTitles, KindOrganizations, KindEmployees
	puts   map[string]string // admin key -> raw JSON
	stage  model.Kind        // the failed item's stage
	key    string            // the failed item's key
	field  string            // the field its reason names
	reason string            // a piece of its reason
}

func jsonOf(m map[string]string) string { b, _ := json.Marshal(m); return string(b) }

// TestSafetyBadInput loads a corpus of bad Knox records next to a good
// company. Each bad record must become a failed item naming the record
// (its key) and the field, with a reason; every other record syncs. Then
// whole pages that are not JSON, truncated or refused fail the stage with
// a clear error and change nothing in the target.
func TestSafetyBadInput(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 200, Departments: 20})
	s.StartWorker(t)
	if rep := s.Sync(t, workflows.Input{}); rep.Status != plan.RunCompleted {
		t.Fatalf("first run: %+v", rep)
	}
	src := s.Source(t)
	dept, grade := src[model.Department][0].Key, src[model.Grade][0].Key
	title := func(code, name, sort string) string {
		return jsonOf(map[string]string{"titleCode": code, "titleName": name, "sortOrder": sort})
	}
	org := func(code, name, upr, order string) string {
		return jsonOf(map[string]string{"departmentCode": code, "departmentName": name, "uprDepartmentCode": upr, "departmentOrder": order})
	}
	emp := func(id string, edit func(map[string]string)) string {
		m := map[string]string{"epId": id, "fullName": "홍길동", "emailAddress": strings.ToLower(strings.ReplaceAll(id, " ", "")) + "@corpus.example.com",
			"departmentCode": dept, "titleCode": grade, "gradeName": src[model.Position][0].Name, "preferredLanguage": "ko",
			"timeZone": "Asia/Seoul", "mobile": "010-1234-5678", "employeeStatus": "B"}
		edit(m)
		return jsonOf(m)
	}
	one := func(key, body string) map[string]string { return map[string]string{key: body} }
	long := strings.Repeat("가", 101)
	longKey := strings.Repeat("K", 37)
	longPos := strings.Repeat("직", 101)

	corpus := []badRecord{
		// Grades (Knox titles).
		{"grade: empty name", knoxsim.KindTitles, one("T90", title("T90", "", "1")), model.Grade, "T90", "name", "is empty"},
		{"grade: name over 100 characters", knoxsim.KindTitles, one("T91", title("T91", long, "1")), model.Grade, "T91", "name", "101 characters"},
		{"grade: key over 36 characters", knoxsim.KindTitles, one(longKey, title(longKey, "긴코드", "1")), model.Grade, longKey, "key", "37 characters"},
		{"grade: non-numeric sortOrder", knoxsim.KindTitles, one("T93", title("T93", "순서오류", "abc")), model.Grade, "T93", "sortOrder", "not a whole number"},
		{"grade: control character in name", knoxsim.KindTitles, one("T94", title("T94", "직급\u0007", "1")), model.Grade, "T94", "name", "control character"},
		{"grade: key not allowed in a URL", knoxsim.KindTitles, one("T95", title("T9/5", "슬래시", "1")), model.Grade, "T9/5", "key", "URL path segment"},
		// Departments (Knox organizations).
		{"department: cycle", knoxsim.KindOrganizations, map[string]string{"CY1": org("CY1", "순환1", "CY2", "1"), "CY2": org("CY2", "순환2", "CY1", "2")},
			model.Department, "CY1", "parentKey", "department cycle"},
		{"department: missing parent", knoxsim.KindOrganizations, one("MP1", org("MP1", "고아", "NOPE999", "1")), model.Department, "MP1", "parentKey", "NOPE999 is missing from the source"},
		{"department: duplicate key", knoxsim.KindOrganizations, map[string]string{"DUPA": org("DUP1", "중복A", "", "1"), "DUPB": org("DUP1", "중복B", "", "2")},
			model.Department, "DUP1", "key", "duplicate key"},
		{"department: empty name", knoxsim.KindOrganizations, one("EN1", org("EN1", " ", dept, "1")), model.Department, "EN1", "name", "is empty"},
		{"department: non-numeric order", knoxsim.KindOrganizations, one("NO1", org("NO1", "순서", dept, "x1")), model.Department, "NO1", "sortOrder", "not a whole number"},
		{"department: child of an invalid department", knoxsim.KindOrganizations, one("CH1", org("CH1", "자식", "EN1", "1")), model.Department, "CH1", "parentKey", "EN1 is invalid"},
		{"department: its own parent", knoxsim.KindOrganizations, one("SP1", org("SP1", "자기", "SP1", "1")), model.Department, "SP1", "parentKey", "the department itself"},
		// Employees.
		{"employee: malformed email", knoxsim.KindEmployees, one("E901", emp("E901", func(m map[string]string) { m["emailAddress"] = "not-an-email" })), model.Employee, "E901", "email", "not an e-mail address"},
		{"employee: missing email", knoxsim.KindEmployees, one("E902", emp("E902", func(m map[string]string) { m["emailAddress"] = "" })), model.Employee, "E902", "email", "required"},
		{"employee: duplicate email", knoxsim.KindEmployees, map[string]string{
			"E903": emp("E903", func(m map[string]string) { m["emailAddress"] = "same@corpus.example.com" }),
			"E904": emp("E904", func(m map[string]string) { m["emailAddress"] = "SAME@corpus.example.com" })},
			model.Employee, "E903", "email", "used by 2 employees"},
		{"employee: unknown grade", knoxsim.KindEmployees, one("E905", emp("E905", func(m map[string]string) { m["titleCode"] = "NOPE" })), model.Employee, "E905", "gradeKey", "refers to grade NOPE"},
		{"employee: invalid department", knoxsim.KindEmployees, one("E906", emp("E906", func(m map[string]string) { m["departmentCode"] = "EN1" })), model.Employee, "E906", "deptKey", "refers to department EN1"},
		{"employee: control character in name", knoxsim.KindEmployees, one("E907", emp("E907", func(m map[string]string) { m["fullName"] = "홍\u0000길동" })), model.Employee, "E907", "name", "control character"},
		{"employee: bad locale", knoxsim.KindEmployees, one("E908", emp("E908", func(m map[string]string) { m["preferredLanguage"] = "xx_XX" })), model.Employee, "E908", "locale", "xx_XX"},
		{"employee: bad time zone", knoxsim.KindEmployees, one("E909", emp("E909", func(m map[string]string) { m["timeZone"] = "Mars/Olympus" })), model.Employee, "E909", "timeZone", "Mars/Olympus"},
		{"employee: phone with letters", knoxsim.KindEmployees, one("E910", emp("E910", func(m map[string]string) { m["mobile"] = "010-ABCD-1234" })), model.Employee, "E910", "mobile", "only digits"},
		{"employee: office phone over 30 characters", knoxsim.KindEmployees, one("E911", emp("E911", func(m map[string]string) { m["officeTelNumber"] = strings.Repeat("1", 31) })), model.Employee, "E911", "tel", "31 characters"},
		{"employee: name over 100 characters", knoxsim.KindEmployees, one("E912", emp("E912", func(m map[string]string) { m["fullName"] = long })), model.Employee, "E912", "name", "101 characters"},
		{"employee: empty name", knoxsim.KindEmployees, one("E913", emp("E913", func(m map[string]string) { m["fullName"] = "" })), model.Employee, "E913", "name", "is empty"},
		{"employee: duplicate key", knoxsim.KindEmployees, map[string]string{
			"E914A": emp("E914", func(m map[string]string) { m["emailAddress"] = "e914a@corpus.example.com" }),
			"E914B": emp("E914", func(m map[string]string) { m["emailAddress"] = "e914b@corpus.example.com" })},
			model.Employee, "E914", "key", "duplicate key"},
		{"employee: email over 100 characters", knoxsim.KindEmployees, one("E915", emp("E915", func(m map[string]string) { m["emailAddress"] = strings.Repeat("a", 95) + "@x.com" })), model.Employee, "E915", "email", "101 characters"},
		{"employee: key over 36 characters", knoxsim.KindEmployees, one(longKey, emp(longKey, func(map[string]string) {})), model.Employee, longKey, "key", "37 characters"},
		{"employee: key with a space", knoxsim.KindEmployees, one("E 917", emp("E 917", func(map[string]string) {})), model.Employee, "E 917", "key", "control or space"},
		{"position: name over 100 characters", knoxsim.KindEmployees, one("E916", emp("E916", func(m map[string]string) { m["gradeName"] = longPos })), model.Position, model.DerivedKey("pos-", longPos), "name", "101 characters"},
		{"employee: holds an invalid position", knoxsim.KindEmployees, nil, model.Employee, "E916", "positionKey", "refers to position"},
	}
	k := s.Sandbox.Knox()
	for _, c := range corpus {
		for key, body := range c.puts {
			safetyMust(t, k.PutRaw(c.kind, key, []byte(body)))
		}
	}
	// A positive control: 100 Korean characters (300 bytes) are allowed.
	okName := strings.Repeat("가", 100)
	safetyMust(t, k.PutRaw(knoxsim.KindTitles, "T92", []byte(title("T92", okName, "1"))))

	rep := s.Sync(t, workflows.Input{})
	if rep.Status != plan.RunCompletedFailing {
		t.Fatalf("corpus run: status %q (%s), want %q", rep.Status, rep.Message, plan.RunCompletedFailing)
	}
	failed, err := s.Store.FailedItems(context.Background(), rep.RunID)
	safetyMust(t, err)
	byKey := map[string][]store.FailedItem{}
	for _, f := range failed {
		byKey[string(f.Stage)+"/"+f.Key] = append(byKey[string(f.Stage)+"/"+f.Key], f)
	}
	bad := map[string]bool{}
	for _, c := range corpus {
		t.Run(c.name, func(t *testing.T) {
			id := string(c.stage) + "/" + c.key
			bad[id] = true
			for _, f := range byKey[id] {
				if f.Field == c.field && strings.Contains(f.Message, c.reason) {
					t.Logf("%s %q: %s: %s", f.Stage, f.Key, f.Field, f.Message)
					return
				}
			}
			t.Errorf("no failed item %s with field %q and a reason containing %q; got %+v", id, c.field, c.reason, byKey[id])
		})
	}
	// Dependents that fail with the corpus: the other half of a cycle or
	// of a duplicate pair.
	for _, id := range []string{"department/CY2", "employee/E904"} {
		if len(byKey[id]) == 0 {
			t.Errorf("%s did not fail", id)
		}
		bad[id] = true
	}
	for id, fs := range byKey {
		if !bad[id] {
			t.Errorf("a good record failed: %s: %+v", id, fs)
		}
	}
	// Every other record is in the target, exactly.
	want := testenv.WorkboxState(s.Source(t))
	for id := range bad {
		kind, key, _ := strings.Cut(id, "/")
		switch model.Kind(kind) {
		case model.Grade:
			delete(want.Grades, key)
		case model.Position:
			delete(want.Positions, key)
		case model.Department:
			delete(want.Depts, key)
		case model.Employee:
			delete(want.Users, key)
		}
	}
	got := s.Sandbox.WorkboxState()
	if !testenv.SameJSON(got, want) {
		t.Fatalf("good records: target differs from the source in %s", diffState(got, want))
	}
	if got.Grades["T92"].Name != okName {
		t.Fatal("a 100-character Korean grade name was not synced")
	}
	t.Logf("corpus: %d kinds of bad record, %d failed items, %d good records synced", len(corpus), len(failed),
		len(got.Grades)+len(got.Positions)+len(got.Depts)+len(got.Users))

	// Whole pages: the stage fails with a clear error, nothing is written
	// (so nothing is deleted).
	for _, c := range []struct {
		name   string
		faults knoxsim.Faults
		stage  model.Kind
		msg    string
	}{
		{"titles not JSON", knoxsim.Faults{NotJSON: knoxsim.KindTitles}, model.Grade, "knox titles: HTTP 200: answer is not valid JSON"},
		{"organizations not JSON", knoxsim.Faults{NotJSON: knoxsim.KindOrganizations}, model.Position, "knox organizations page 1: HTTP 200: answer is not valid JSON"},
		{"employees truncated", knoxsim.Faults{Truncate: knoxsim.KindEmployees}, model.Position, "knox employees page 1: HTTP 200: answer is not valid JSON (not JSON or truncated"},
		{"employees 503", knoxsim.Faults{Status: 503, StatusFor: knoxsim.KindEmployees}, model.Position, "knox employees page 1: HTTP 503"},
	} {
		t.Run("page: "+c.name, func(t *testing.T) {
			before, w0 := s.Sandbox.WorkboxState(), s.Sandbox.Stats().Writes
			k.SetFaults(c.faults)
			defer k.SetFaults(knoxsim.Faults{})
			rep := s.Sync(t, workflows.Input{})
			w := s.Sandbox.Stats().Writes - w0
			if rep.Status != plan.RunFailed || rep.FailedStage != string(c.stage) || !strings.Contains(rep.Message, c.msg) {
				t.Fatalf("want a run failed at %s naming %q; got status %q stage %q: %s", c.stage, c.msg, rep.Status, rep.FailedStage, rep.Message)
			}
			if w != 0 || !testenv.SameJSON(s.Sandbox.WorkboxState(), before) {
				t.Fatalf("%d writes sent by a run whose source failed", w)
			}
			t.Logf("failed at %s: %s", rep.FailedStage, rep.Message)
		})
	}
	_ = workboxsim.ResDept
}
