package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestDefaultsAreValid(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if c.TaskQueue != "org-sync" || c.TemporalAddress != "" || c.ShutdownTimeout != 25*time.Second || c.Target != "workbox" {
		t.Fatalf("defaults = %+v", c)
	}
}

// A bad value stops start-up with one line that names the variable.
func TestBadValueNamesTheVariable(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"ORGSYNC_TARGET_RPS", "fast", "ORGSYNC_TARGET_RPS: cannot parse"},
		{"ORGSYNC_TARGET", "slack", "ORGSYNC_TARGET: \"slack\" is not one of workbox, workplace"},
		{"ORGSYNC_ROLLBACK", "all", "ORGSYNC_ROLLBACK:"},
		{"ORGSYNC_DELETE_LIMIT", "lots", "ORGSYNC_DELETE_LIMIT:"},
		{"ORGSYNC_DELETE_LIMIT", "150%", "ORGSYNC_DELETE_LIMIT:"},
		{"ORGSYNC_APPLY_WINDOW", "5000", "ORGSYNC_APPLY_WINDOW: must be between 1 and 500"},
		{"ORGSYNC_MIGRATE", "perhaps", "ORGSYNC_MIGRATE: cannot parse"},
		{"ORGSYNC_KNOX_URL", "knox.local", "ORGSYNC_KNOX_URL:"},
		{"ORGSYNC_EMPLOYEE_KEY", "ssn", "ORGSYNC_EMPLOYEE_KEY:"},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) { loadFails(t, tc.name, tc.value, tc.want) })
	}
}

func TestRequireTarget(t *testing.T) {
	c, _ := Load()
	if err := c.RequireTarget(); err == nil || !strings.HasPrefix(err.Error(), "ORGSYNC_COMPANY_ID:") {
		t.Fatalf("missing company id: %v", err)
	}
}

// Secrets never leave the struct: not through %v, %+v, %#v, JSON or slog.
func TestSecretsAreRedacted(t *testing.T) {
	t.Setenv("ORGSYNC_NCP_SECRET_KEY", "TOPSECRET-123")
	t.Setenv("ORGSYNC_DATABASE_URL", "postgres://u:DBPASSWORD@h/db")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "cfg", c, "secret", c.SecretKey)
	for _, out := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), buf.String()} {
		if strings.Contains(out, "TOPSECRET") || strings.Contains(out, "DBPASSWORD") {
			t.Fatalf("secret printed: %s", out)
		}
	}
	if c.SecretKey.Reveal() != "TOPSECRET-123" {
		t.Fatal("Reveal lost the value")
	}
}

func TestDeleteLimit(t *testing.T) {
	for _, tc := range []struct {
		in            string
		current, want int
	}{
		{"", 100, 10}, {"", 100000, 500}, {"0", 100, 0}, {"20", 5, 20}, {"5%", 1000, 50}, {"100%", 7, 7},
	} {
		d, err := ParseDeleteLimit(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Allowed(tc.current); got != tc.want {
			t.Errorf("%q of %d = %d, want %d", tc.in, tc.current, got, tc.want)
		}
	}
}

func FuzzParseDeleteLimit(f *testing.F) {
	for _, s := range []string{"", "0", "500", "5%", "100%", "-1", "1e3", " 7 ", "%", "5%%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDeleteLimit(s)
		if err != nil {
			return
		}
		if n := d.Allowed(1000); n < 0 || (d.IsPercent && n > 1000) {
			t.Fatalf("%q allows %d of 1000", s, n)
		}
	})
}
