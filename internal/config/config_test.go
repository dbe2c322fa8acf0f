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
		{"ORGSYNC_APPROVE_TIMEOUT", "a day", "ORGSYNC_APPROVE_TIMEOUT: \"a day\": want a positive duration"},
		{"ORGSYNC_APPROVE_TIMEOUT", "0s", "ORGSYNC_APPROVE_TIMEOUT:"},
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

// A Knox or target URL in clear text to another machine stops start-up in
// one line naming the variable (with no password from the URL in it),
// unless ORGSYNC_ALLOW_INSECURE_HTTP=true; loopback and https pass.
func TestInsecureURLStopsStartUp(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		insecure    bool
		want        string // "" = accepted
	}{
		{"ORGSYNC_WORKBOX_URL", "http://workbox.example.com/workbox/openapi/v1", false, "ORGSYNC_WORKBOX_URL: http://workbox.example.com/workbox/openapi/v1 would send credentials"},
		{"ORGSYNC_WORKPLACE_URL", "http://10.0.0.7/organization/apigw/v2", false, "ORGSYNC_WORKPLACE_URL: http://10.0.0.7/"},
		{"ORGSYNC_KNOX_URL", "http://admin:pa55word@knox.corp/knox", false, "ORGSYNC_KNOX_URL: http://knox.corp/knox would send"},
		{"ORGSYNC_KNOX_URL", "ftp://knox.corp/knox", false, "ORGSYNC_KNOX_URL: \"ftp://knox.corp/knox\" is not an absolute http(s) URL"},
		{"ORGSYNC_WORKBOX_URL", "http://workbox.example.com/v1", true, ""},
		{"ORGSYNC_WORKBOX_URL", "https://workbox.example.com/v1", false, ""},
		{"ORGSYNC_KNOX_URL", "http://localhost:8088/knox", false, ""},
		{"ORGSYNC_KNOX_URL", "http://[::1]:8088/knox", false, ""},
		{"ORGSYNC_KNOX_URL", "http://127.0.0.2:8088/knox", false, ""},
	} {
		t.Run(tc.value, func(t *testing.T) {
			t.Setenv(tc.name, tc.value)
			if tc.insecure {
				t.Setenv("ORGSYNC_ALLOW_INSECURE_HTTP", "true")
			}
			_, err := Load()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want == "":
			case err == nil:
				t.Fatal("accepted")
			case !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "pa55word"):
				t.Fatalf("error %q, want one line starting %q, without the password", err, tc.want)
			}
		})
	}
}

func TestRetention(t *testing.T) {
	for in, want := range map[string]time.Duration{"90d": 90 * 24 * time.Hour, "720h": 720 * time.Hour, "0": 0} {
		if d, err := ParseRetention(in); err != nil || d != want {
			t.Errorf("%s: %v, %v; want %v", in, d, err, want)
		}
	}
	for _, in := range []string{"", "-1d", "0d", "5m", "forever"} {
		if _, err := ParseRetention(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}
