// Package server assembles the sandbox: one HTTP handler that stands in for
// Knox (source) and WORKBOX (target) on loopback, plus an admin API to
// reset, change and break them. See docs/protocol.md.
package server

import (
	"fmt"
	"log/slog"

	"github.com/kelseyhightower/envconfig"

	"github.com/orgsync/orgsync/sandbox/knoxsim"
	"github.com/orgsync/orgsync/sandbox/workboxsim"
)

// Config is read from the same environment variables as the worker, so a
// worker and a sandbox started from one environment agree on credentials.
// The defaults are the demo values.
type Config struct {
	Addr            string `envconfig:"ORGSYNC_SANDBOX_ADDR" default:"127.0.0.1:8088"`
	CompanyID       string `envconfig:"ORGSYNC_COMPANY_ID" default:"578c7009-bdad-4493-9835-72302cf988c6"`
	AccessKey       string `envconfig:"ORGSYNC_NCP_ACCESS_KEY" default:"DEMOACCESSKEY"`
	SecretKey       string `envconfig:"ORGSYNC_NCP_SECRET_KEY" default:"DEMOSECRETKEY"`
	APIKey          string `envconfig:"ORGSYNC_NCP_API_KEY" default:"DEMOAPIKEY"`
	KnoxSystemID    string `envconfig:"ORGSYNC_KNOX_SYSTEM_ID" default:"C60REST0001"`
	KnoxCompanyCode string `envconfig:"ORGSYNC_KNOX_COMPANY_CODE" default:"C60"`
	Employees       int    `envconfig:"ORGSYNC_SANDBOX_EMPLOYEES" default:"200"`
	Departments     int    `envconfig:"ORGSYNC_SANDBOX_DEPARTMENTS" default:"20"`
	Seed            int64  `envconfig:"ORGSYNC_SANDBOX_SEED" default:"1"`
	// SignatureV1 pins the v1 signature variant: "" accepts both,
	// "apikey" only the one with the API-key line, "sdk" only the one without.
	SignatureV1 string `envconfig:"ORGSYNC_SIGNATURE_V1"`

	// Logger receives authentication failures and admin actions; nil
	// discards. Not from the environment.
	Logger *slog.Logger `ignored:"true"`
}

// DefaultConfig returns the demo configuration (what ConfigFromEnv gives
// in an empty environment).
func DefaultConfig() Config {
	return Config{
		Addr:            "127.0.0.1:8088",
		CompanyID:       "578c7009-bdad-4493-9835-72302cf988c6",
		AccessKey:       "DEMOACCESSKEY",
		SecretKey:       "DEMOSECRETKEY",
		APIKey:          "DEMOAPIKEY",
		KnoxSystemID:    "C60REST0001",
		KnoxCompanyCode: "C60",
		Employees:       200,
		Departments:     20,
		Seed:            1,
	}
}

// ConfigFromEnv reads the configuration from the environment.
func ConfigFromEnv() (Config, error) {
	var c Config
	if err := envconfig.Process("", &c); err != nil {
		return Config{}, fmt.Errorf("sandbox config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate reports settings the sandbox cannot run with.
func (c Config) Validate() error {
	switch c.SignatureV1 {
	case workboxsim.SignatureAny, workboxsim.SignatureAPIKey, workboxsim.SignatureSDK:
	default:
		return fmt.Errorf("sandbox config: ORGSYNC_SIGNATURE_V1 must be empty, %q or %q, not %q",
			workboxsim.SignatureAPIKey, workboxsim.SignatureSDK, c.SignatureV1)
	}
	switch {
	case c.Employees < 0 || c.Employees > knoxsim.MaxEmployees:
		return fmt.Errorf("sandbox config: ORGSYNC_SANDBOX_EMPLOYEES must be in 0..%d", knoxsim.MaxEmployees)
	case c.Departments < 0 || c.Departments > knoxsim.MaxDepartments:
		return fmt.Errorf("sandbox config: ORGSYNC_SANDBOX_DEPARTMENTS must be in 0..%d", knoxsim.MaxDepartments)
	case c.Employees > 0 && c.Departments == 0:
		return fmt.Errorf("sandbox config: employees need at least one department")
	case c.CompanyID == "" || c.AccessKey == "" || c.SecretKey == "" || c.KnoxSystemID == "" || c.KnoxCompanyCode == "":
		return fmt.Errorf("sandbox config: company id, access key, secret key, Knox system id and company code must be set")
	}
	return nil
}

// String hides the secrets, so a logged Config leaks nothing.
func (c Config) String() string {
	return fmt.Sprintf("{Addr:%s CompanyID:%s AccessKey:%s SecretKey:[hidden] APIKey:[hidden] KnoxSystemID:%s KnoxCompanyCode:%s Employees:%d Departments:%d Seed:%d SignatureV1:%q}",
		c.Addr, c.CompanyID, c.AccessKey, c.KnoxSystemID, c.KnoxCompanyCode, c.Employees, c.Departments, c.Seed, c.SignatureV1)
}

// LogValue hides the secrets from slog as well.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// GoString hides the secrets from %#v.
func (c Config) GoString() string { return "server.Config" + c.String() }

// withDefaults fills empty string settings with the demo values, so a
// test can start from a partial Config. Numbers are taken as given: zero
// employees is a legitimate (empty) company.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	for _, f := range []struct{ v, def *string }{
		{&c.Addr, &d.Addr}, {&c.CompanyID, &d.CompanyID}, {&c.AccessKey, &d.AccessKey},
		{&c.SecretKey, &d.SecretKey}, {&c.APIKey, &d.APIKey}, {&c.KnoxSystemID, &d.KnoxSystemID},
		{&c.KnoxCompanyCode, &d.KnoxCompanyCode},
	} {
		if *f.v == "" {
			*f.v = *f.def
		}
	}
	return c
}
