package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func setCompanies(t *testing.T) {
	t.Setenv("ORGSYNC_COMPANIES", "C60, C10")
	t.Setenv("ORGSYNC_TARGET", "workplace")
	t.Setenv("ORGSYNC_C60_COMPANY_ID", "id-60")
	t.Setenv("ORGSYNC_C60_NCP_SECRET_KEY", "SECRET-60")
	t.Setenv("ORGSYNC_C10_COMPANY_ID", "id-10")
	t.Setenv("ORGSYNC_C10_TARGET", "workbox")
	t.Setenv("ORGSYNC_C10_KNOX_COMPANY_CODE", "K10")
	t.Setenv("ORGSYNC_C10_APPLY_WINDOW", "50")
}

// Each company reads its own variables, inherits the shared ones, and
// never inherits another's tenant or keys.
func TestCompaniesFromEnvironment(t *testing.T) {
	setCompanies(t)
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.CompanyNames(), ","); got != "C60,C10" {
		t.Fatalf("names = %s", got)
	}
	c60, err := c.Company("c60")
	if err != nil {
		t.Fatal(err)
	}
	c10, _ := c.Company("C10")
	if c60.CompanyID != "id-60" || c60.Target != "workplace" || c60.KnoxCompanyCode != "C60" || c60.ApplyWindow != 200 || c60.SecretKey.Reveal() != "SECRET-60" {
		t.Errorf("C60 = %+v", c60)
	}
	if c10.CompanyID != "id-10" || c10.Target != "workbox" || c10.KnoxCompanyCode != "K10" || c10.ApplyWindow != 50 || c10.SecretKey != "" {
		t.Errorf("C10 = %+v", c10)
	}
	if c10.CompanyName() != "C10" || c.TaskQueue != c10.TaskQueue {
		t.Errorf("C10 name %q, queue %q", c10.CompanyName(), c10.TaskQueue)
	}
	if _, err := c.Company(""); err == nil || !strings.Contains(err.Error(), "C60, C10") {
		t.Errorf("no company named: %v", err)
	}
	if _, err := c.Company("C99"); err == nil || !strings.Contains(err.Error(), `"C99"`) {
		t.Errorf("unknown company: %v", err)
	}
	if err := c.RequireTarget(); err == nil || !strings.HasPrefix(err.Error(), "ORGSYNC_C60_NCP_ACCESS_KEY:") {
		t.Errorf("missing key of C60: %v", err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "cfg", c)
	for _, out := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), buf.String()} {
		if strings.Contains(out, "SECRET-60") {
			t.Fatalf("secret printed: %s", out)
		}
	}
}

// Without ORGSYNC_COMPANIES the single company of today is the only one,
// named by its Knox companyCode.
func TestOneCompanyTheOldWay(t *testing.T) {
	t.Setenv("ORGSYNC_COMPANY_ID", "id-1")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	co, err := c.Company("")
	if err != nil || co.CompanyName() != "C60" || co.CompanyID != "id-1" || len(c.Companies()) != 1 {
		t.Fatalf("company = %q %q, %v", co.CompanyName(), co.CompanyID, err)
	}
}

// Bad per-company settings stop start-up with one line naming the
// company's variable.
func TestBadCompanySettingNamesTheVariable(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"ORGSYNC_C10_TARGET", "slack", `ORGSYNC_C10_TARGET: "slack" is not one of workbox, workplace`},
		{"ORGSYNC_C10_TARGET_RPS", "fast", "ORGSYNC_C10_TARGET_RPS: cannot parse"},
		{"ORGSYNC_C60_APPLY_WINDOW", "0", "ORGSYNC_C60_APPLY_WINDOW: must be between 1 and 500"},
		{"ORGSYNC_C10_TASK_QUEUE", "other", "ORGSYNC_C10_TASK_QUEUE: not a per-company setting"},
		{"ORGSYNC_COMPANY_ID", "shared", "ORGSYNC_COMPANY_ID: set per company (ORGSYNC_C60_COMPANY_ID)"},
		{"ORGSYNC_C10_COMPANY_ID", "id-60", "ORGSYNC_C10_COMPANY_ID: C10 writes the same workbox company as C60"},
		{"ORGSYNC_COMPANIES", "C60,C-10", `ORGSYNC_COMPANIES: "C-10" is not a company name`},
		{"ORGSYNC_COMPANIES", "C60,c60", "ORGSYNC_COMPANIES: c60 is named twice"},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			setCompanies(t)
			t.Setenv("ORGSYNC_TARGET", "workbox")
			loadFails(t, tc.name, tc.value, tc.want)
		})
	}
}

// loadFails sets name=value and wants Load to fail with one line that
// starts with want.
func loadFails(t *testing.T, name, value, want string) {
	t.Helper()
	t.Setenv(name, value)
	_, err := Load()
	if err == nil {
		t.Fatal("accepted")
	}
	if msg := err.Error(); !strings.HasPrefix(msg, want) || strings.Contains(msg, "\n") {
		t.Fatalf("error %q, want one line starting %q", msg, want)
	}
}
