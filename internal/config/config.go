// Package config reads the ORGSYNC_* environment into one struct. A missing
// or malformed value stops start-up with one line naming the variable, and
// secrets never leave the struct through String, LogValue or %v.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/orgsync/orgsync/internal/plan"
)

// Prefix is the environment prefix of every variable.
const Prefix = "ORGSYNC"

// Secret is a string that prints as "[redacted]".
type Secret string

func (s Secret) String() string               { return redact(string(s)) }
func (s Secret) GoString() string             { return redact(string(s)) }
func (s Secret) LogValue() slog.Value         { return slog.StringValue(redact(string(s))) }
func (s Secret) MarshalText() ([]byte, error) { return []byte(redact(string(s))), nil }

// Reveal returns the secret itself, for the one place that signs requests.
func (s Secret) Reveal() string { return string(s) }

func redact(s string) string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// Config is every setting of the worker, the starter and the sandbox.
// `desc` texts are the README's table (see `starter config check`).
type Config struct {
	// Empty: TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE or the temporal.toml
	// profile decide (internal/app/options.go), as for the temporal CLI.
	TemporalAddress   string `envconfig:"TEMPORAL_ADDRESS" desc:"Temporal frontend host:port; wins over TEMPORAL_ADDRESS and the temporal.toml profile (default 127.0.0.1:7233)"`
	TemporalNamespace string `envconfig:"TEMPORAL_NAMESPACE" desc:"Temporal namespace; wins over TEMPORAL_NAMESPACE and the profile (default: default)"`
	TaskQueue         string `envconfig:"TASK_QUEUE" default:"org-sync" desc:"Temporal task queue of the worker"`
	DatabaseURL       Secret `envconfig:"DATABASE_URL" default:"postgres://postgres@127.0.0.1:5432/orgsync?sslmode=disable" desc:"Postgres URL (may hold a password: never printed)"`
	Migrate           bool   `envconfig:"MIGRATE" default:"true" desc:"apply schema migrations when the worker starts"`
	CompanyList       string `envconfig:"COMPANIES" desc:"companies served, comma-separated (C60,C10); each reads ORGSYNC_<NAME>_* (docs/companies.md). Unset: the one company below"`

	Source          string `envconfig:"SOURCE" default:"knox" desc:"source of the organisation: knox or file"`
	KnoxURL         string `envconfig:"KNOX_URL" default:"http://127.0.0.1:8088/knox" desc:"Knox org lookup base URL"`
	KnoxSystemID    string `envconfig:"KNOX_SYSTEM_ID" default:"C60REST0001" desc:"Knox System-ID header"`
	KnoxCompanyCode string `envconfig:"KNOX_COMPANY_CODE" default:"C60" desc:"Knox companyCode to sync"`
	EmployeeKey     string `envconfig:"EMPLOYEE_KEY" default:"epId" desc:"Knox employee field used as external key: epId, employeeNumber or userId"`
	PositionField   string `envconfig:"POSITION_FIELD" default:"gradeName" desc:"Knox employee field that names the position (직책)"`
	FileDir         string `envconfig:"FILE_DIR" default:"./hr-export" desc:"directory of the HR export files when ORGSYNC_SOURCE=file"`
	FileMaxBytes    int64  `envconfig:"FILE_MAX_BYTES" default:"268435456" desc:"largest HR export file or key sheet read, in bytes; for an XLSX also the largest unzipped size (default 256 MiB)"`
	FileMaxRows     int    `envconfig:"FILE_MAX_ROWS" default:"1000000" desc:"most rows read from one HR export file, sheet or key sheet"`

	Target       string  `envconfig:"TARGET" default:"workbox" desc:"target groupware: workbox or workplace"`
	WorkboxURL   string  `envconfig:"WORKBOX_URL" default:"http://127.0.0.1:8088/workbox/workbox/openapi/v1" desc:"WORKBOX org API base URL"`
	WorkplaceURL string  `envconfig:"WORKPLACE_URL" default:"http://127.0.0.1:8088/organization/apigw/v2" desc:"WORKPLACE org API v2 base URL"`
	CompanyID    string  `envconfig:"COMPANY_ID" desc:"WORKBOX/WORKPLACE company id (연동키, a UUID)"`
	AccessKey    Secret  `envconfig:"NCP_ACCESS_KEY" desc:"NCP access key id"`
	SecretKey    Secret  `envconfig:"NCP_SECRET_KEY" desc:"NCP secret key"`
	APIKey       Secret  `envconfig:"NCP_API_KEY" desc:"NCP API Gateway API key (WORKBOX)"`
	SignatureV1  string  `envconfig:"SIGNATURE_V1" default:"apikey" desc:"WORKBOX v1 string to sign: apikey (with the API-key line) or sdk"`
	TargetRPS    float64 `envconfig:"TARGET_RPS" default:"0" desc:"upper bound of target requests per second per worker (0 = none: the worker finds the target's quota on its own, starting from the rate it learned last time)"`
	// Credentials and personal data go to these URLs: plain http only to
	// this machine, unless a test network says otherwise.
	AllowInsecureHTTP bool `envconfig:"ALLOW_INSECURE_HTTP" default:"false" desc:"accept http:// (not https) Knox and target URLs on hosts other than this machine (test networks only)"`

	Rollback       string `envconfig:"ROLLBACK" default:"none" desc:"rollback policy: none, stage or run"`
	DeleteLimit    string `envconfig:"DELETE_LIMIT" default:"" desc:"deletes per kind allowed without approval: a count or a percentage such as 5% (default: 500 or 10%, whichever is smaller)"`
	ApproveTimeout string `envconfig:"APPROVE_TIMEOUT" default:"24h" desc:"how long a run waits for approve-deletes before skipping the deletes"`
	ApplyWindow    int    `envconfig:"APPLY_WINDOW" default:"200" desc:"apply activities in flight per run (at most 500)"`
	OrgHistoryDays int    `envconfig:"ORG_HISTORY_DAYS" default:"30" desc:"days each run's picture of the organisation is kept, for starter org --as-of and diff (0 = for ever)"`
	Retention      string `envconfig:"RETENTION" default:"90d" desc:"how long the records and messages of finished runs are kept (e.g. 90d, 720h; 0 = for ever); counts and outcomes stay"`

	SandboxAddr string `envconfig:"SANDBOX_ADDR" default:"127.0.0.1:8088" desc:"listen address of the sandbox"`
	MetricsAddr string `envconfig:"METRICS_ADDR" default:"127.0.0.1:9464" desc:"worker Prometheus metrics listen address (empty = off)"`
	LogLevel    string `envconfig:"LOG_LEVEL" default:"info" desc:"debug, info, warn or error"`

	// SIGTERM (a deploy, a scale-down) stops polling at once; this bounds
	// the rest (worker/main.go).
	ShutdownTimeout time.Duration `envconfig:"SHUTDOWN_TIMEOUT" default:"25s" desc:"on SIGTERM the worker stops polling and exits within this; running activities get nine tenths of it to finish, then are cut off and retried on another worker"`

	name string // the company's name when ORGSYNC_COMPANIES is set (companies.go)
	// Served holds one Config per company of ORGSYNC_COMPANIES. Exported
	// so that fmt prints the nested secrets through Secret.String.
	Served []Config `ignored:"true" json:"-"`
}

// Load reads the environment and validates it.
func Load() (Config, error) {
	var c Config
	if err := envconfig.Process(Prefix, &c); err != nil {
		return c, oneLine(err)
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	return c.loadCompanies()
}

// oneLine turns envconfig's error into "ORGSYNC_X: reason".
func oneLine(err error) error {
	var pe *envconfig.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: cannot parse %q as %s", pe.KeyName, pe.Value, pe.TypeName)
	}
	return err
}

// Validate checks values that parse but make no sense, naming the variable.
func (c Config) Validate() error {
	bad := func(name, format string, a ...any) error {
		return fmt.Errorf("%s_%s: %s", c.envPrefix(), name, fmt.Sprintf(format, a...))
	}
	if err := oneOf(c.Source, "knox", "file"); err != nil {
		return bad("SOURCE", "%v", err)
	}
	if err := oneOf(c.Target, "workbox", "workplace"); err != nil {
		return bad("TARGET", "%v", err)
	}
	if err := plan.CheckRollback(c.Rollback); err != nil {
		return bad("ROLLBACK", "%v", err)
	}
	if err := oneOf(c.SignatureV1, "apikey", "sdk"); err != nil {
		return bad("SIGNATURE_V1", "%v", err)
	}
	if err := oneOf(c.EmployeeKey, "epId", "employeeNumber", "userId"); err != nil {
		return bad("EMPLOYEE_KEY", "%v", err)
	}
	for _, u := range []struct{ name, val string }{{"KNOX_URL", c.KnoxURL}, {"WORKBOX_URL", c.WorkboxURL}, {"WORKPLACE_URL", c.WorkplaceURL}} {
		if err := checkURL(u.val, c.AllowInsecureHTTP); err != nil {
			return bad(u.name, "%v", err)
		}
	}
	if c.FileMaxBytes < 1 {
		return bad("FILE_MAX_BYTES", "must be positive, got %d", c.FileMaxBytes)
	}
	if c.FileMaxRows < 1 {
		return bad("FILE_MAX_ROWS", "must be positive, got %d", c.FileMaxRows)
	}
	if _, err := ParseRetention(c.Retention); err != nil {
		return bad("RETENTION", "%v", err)
	}
	if _, err := c.ApproveWait(); err != nil {
		return bad("APPROVE_TIMEOUT", "%v", err)
	}
	if _, err := ParseDeleteLimit(c.DeleteLimit); err != nil {
		return bad("DELETE_LIMIT", "%v", err)
	}
	if c.TargetRPS < 0 {
		return bad("TARGET_RPS", "must be 0 (no limit) or positive, got %v", c.TargetRPS)
	}
	if c.ApplyWindow < 1 || c.ApplyWindow > 500 {
		return bad("APPLY_WINDOW", "must be between 1 and 500, got %d", c.ApplyWindow)
	}
	if c.OrgHistoryDays < 0 {
		return bad("ORG_HISTORY_DAYS", "must be 0 (keep for ever) or a number of days, got %d", c.OrgHistoryDays)
	}
	if c.ShutdownTimeout < time.Second {
		return bad("SHUTDOWN_TIMEOUT", "must be at least 1s, got %s", c.ShutdownTimeout)
	}
	if err := oneOf(strings.ToLower(c.LogLevel), "debug", "info", "warn", "error"); err != nil {
		return bad("LOG_LEVEL", "%v", err)
	}
	return c.validateCompanies()
}

// RequireTarget checks what a worker needs to write to every company's
// target; the starter and sandbox run without it.
func (c Config) RequireTarget() error {
	for _, co := range c.Companies() {
		if err := co.requireTarget(); err != nil {
			return err
		}
	}
	return nil
}

func (c Config) requireTarget() error {
	for _, v := range []struct{ name, val string }{
		{"COMPANY_ID", c.CompanyID}, {"NCP_ACCESS_KEY", string(c.AccessKey)}, {"NCP_SECRET_KEY", string(c.SecretKey)},
	} {
		if v.val == "" {
			return fmt.Errorf("%s_%s: required to write to %s but not set", c.envPrefix(), v.name, c.Target)
		}
	}
	if c.Target == "workbox" && c.APIKey == "" {
		return fmt.Errorf("%s_NCP_API_KEY: required by WORKBOX but not set", c.envPrefix())
	}
	return nil
}

// checkURL accepts an absolute https URL, or http to a loopback host
// (the sandbox, a test), or http anywhere when insecure is set.
func checkURL(raw string, insecure bool) error {
	p, err := url.Parse(raw)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", Redact(raw))
	}
	if p.Scheme == "http" && !insecure && !loopback(p.Hostname()) {
		return fmt.Errorf("%s would send credentials and personal data in clear text to a host that is not this machine: use https (or set %s_ALLOW_INSECURE_HTTP=true on a test network)",
			Redact(raw), Prefix)
	}
	return nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Redact returns raw without the user and password a URL may carry
// (postgres://user:pass@host/db prints as postgres://host/db), for every
// place that prints a URL; raw is returned as is when it does not parse.
func Redact(raw string) string {
	p, err := url.Parse(raw)
	if err != nil || p.User == nil {
		return raw
	}
	p.User = nil
	return p.String()
}

// ApproveWait is ORGSYNC_APPROVE_TIMEOUT: how long a run holds deletes
// over the limit for approval. Validate refuses what it cannot read, so
// the worker reads it once per run without a fallback of its own.
func (c Config) ApproveWait() (time.Duration, error) {
	d, err := time.ParseDuration(c.ApproveTimeout)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q: want a positive duration such as 24h or 30m", c.ApproveTimeout)
	}
	return d, nil
}

// ParseRetention reads "90d", a Go duration such as "720h", or "0" (keep
// for ever, returned as 0).
func ParseRetention(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("%q: want a number of days such as 90d, a duration such as 720h, or 0 (for ever)", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Hour {
		return 0, fmt.Errorf("%q: want a number of days such as 90d, a duration of an hour or more such as 720h, or 0 (for ever)", s)
	}
	return d, nil
}

func oneOf(v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", "))
}

// ParseDeleteLimit parses "", "120" or "5%".
func ParseDeleteLimit(s string) (plan.DeleteLimit, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return plan.DeleteLimit{}, nil
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f < 0 || f > 100 {
			return plan.DeleteLimit{}, fmt.Errorf("%q: a percentage must be between 0%% and 100%%", s)
		}
		return plan.DeleteLimit{Set: true, Percent: f, IsPercent: true}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return plan.DeleteLimit{}, fmt.Errorf("%q: want a count such as 200 or a percentage such as 5%%", s)
	}
	return plan.DeleteLimit{Set: true, Count: n}, nil
}
