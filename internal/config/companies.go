package config

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/kelseyhightower/envconfig"
)

// Per-company settings. With ORGSYNC_COMPANIES=C60,C10 each company reads
// them under its own prefix (ORGSYNC_C60_TARGET, ...). The inherited ones
// fall back to the process-wide variable (ORGSYNC_TARGET); the own ones
// never do, so one company's tenant id or keys cannot silently serve
// another. A company's Knox companyCode defaults to its name.
var (
	inherited = []string{"SOURCE", "KNOX_URL", "KNOX_SYSTEM_ID", "EMPLOYEE_KEY", "POSITION_FIELD", "FILE_DIR",
		"TARGET", "WORKBOX_URL", "WORKPLACE_URL", "SIGNATURE_V1", "TARGET_RPS",
		"ROLLBACK", "DELETE_LIMIT", "APPROVE_TIMEOUT", "APPLY_WINDOW"}
	own = []string{"KNOX_COMPANY_CODE", "COMPANY_ID", "NCP_ACCESS_KEY", "NCP_SECRET_KEY", "NCP_API_KEY"}
)

// companyName is what a company may be called: it becomes part of
// variable names (ORGSYNC_<NAME>_*) and of a task queue name.
var companyName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_]*$`)

// CompanyName names the company c serves: its entry in ORGSYNC_COMPANIES,
// or, with one company configured the old way, its Knox companyCode.
func (c Config) CompanyName() string {
	if c.name != "" {
		return c.name
	}
	return c.KnoxCompanyCode
}

// Var is the full name of one of c's variables as its company reads it,
// for messages: Var("COMPANY_ID") is ORGSYNC_C10_COMPANY_ID for C10.
func (c Config) Var(key string) string { return c.envPrefix() + "_" + key }

// MultiCompany tells whether ORGSYNC_COMPANIES is set: runs then name
// their company.
func (c Config) MultiCompany() bool { return len(c.Served) > 0 || c.name != "" }

// envPrefix is the prefix of c's per-company variables, for messages.
func (c Config) envPrefix() string {
	if c.name == "" {
		return Prefix
	}
	return Prefix + "_" + strings.ToUpper(c.name)
}

// Companies returns one Config per company served, each holding that
// company's settings (the process-wide ones are the same in all). Without
// ORGSYNC_COMPANIES it is c itself: today's single company.
func (c Config) Companies() []Config {
	if len(c.Served) == 0 {
		return []Config{c}
	}
	out := make([]Config, len(c.Served))
	for i, co := range c.Served {
		out[i] = c.with(co)
	}
	return out
}

// with is c's process-wide settings with co's per-company ones, so that a
// process-wide setting changed after Load (tests do) holds for all.
func (c Config) with(co Config) Config {
	out := c
	out.name, out.Served = co.name, nil
	dst, src, t := reflect.ValueOf(&out).Elem(), reflect.ValueOf(co), reflect.TypeOf(co)
	for i := 0; i < t.NumField(); i++ {
		key := t.Field(i).Tag.Get("envconfig")
		if slices.Contains(inherited, key) || slices.Contains(own, key) {
			dst.Field(i).Set(src.Field(i))
		}
	}
	return out
}

// CompanyNames lists the names of the companies served, in order.
func (c Config) CompanyNames() []string {
	var out []string
	for _, co := range c.Companies() {
		out = append(out, co.CompanyName())
	}
	return out
}

// Company returns the settings of the company called name; "" picks the
// only company, and is an error when there are several.
func (c Config) Company(name string) (Config, error) {
	all := c.Companies()
	if name == "" {
		if len(all) == 1 {
			return all[0], nil
		}
		return Config{}, fmt.Errorf("%s_COMPANIES names %s: say which company", Prefix, strings.Join(c.CompanyNames(), ", "))
	}
	for _, co := range all {
		if strings.EqualFold(co.CompanyName(), name) {
			return co, nil
		}
	}
	return Config{}, fmt.Errorf("company %q is not configured here (%s)", name, strings.Join(c.CompanyNames(), ", "))
}

// WithCompanies returns c serving the given companies, each named: what
// Load builds from ORGSYNC_COMPANIES (tests build it directly).
func (c Config) WithCompanies(cs map[string]Config, order ...string) (Config, error) {
	c.Served, c.name = nil, ""
	for _, n := range order {
		co, ok := cs[n]
		if !ok {
			return c, fmt.Errorf("%s_COMPANIES: %s has no settings", Prefix, n)
		}
		co.name, co.Served = n, nil
		c.Served = append(c.Served, co)
	}
	c.CompanyList = strings.Join(order, ",")
	return c, c.Validate()
}

// loadCompanies reads the per-company variables of every company named in
// ORGSYNC_COMPANIES.
func (c Config) loadCompanies() (Config, error) {
	names, err := parseNames(c.CompanyList)
	if err != nil || len(names) == 0 {
		return c, err
	}
	for _, key := range own {
		if v, ok := os.LookupEnv(Prefix + "_" + key); ok && v != "" && key != "KNOX_COMPANY_CODE" {
			return c, fmt.Errorf("%s_%s: set per company (%s_%s_%s) when %s_COMPANIES is set",
				Prefix, key, Prefix, strings.ToUpper(names[0]), key, Prefix)
		}
	}
	cs := map[string]Config{}
	for _, n := range names {
		co, err := c.readCompany(n)
		if err != nil {
			return c, err
		}
		cs[n] = co
	}
	return c.WithCompanies(cs, names...)
}

func parseNames(list string) ([]string, error) {
	var names []string
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if !companyName.MatchString(n) {
			return nil, fmt.Errorf("%s_COMPANIES: %q is not a company name (letters, digits and _)", Prefix, n)
		}
		if slices.ContainsFunc(names, func(o string) bool { return strings.EqualFold(o, n) }) {
			return nil, fmt.Errorf("%s_COMPANIES: %s is named twice", Prefix, n)
		}
		names = append(names, n)
	}
	return names, nil
}

// readCompany is c with the per-company variables of company name.
func (c Config) readCompany(name string) (Config, error) {
	prefix := Prefix + "_" + strings.ToUpper(name)
	var read Config // envconfig parses (and names the variable on error)
	if err := envconfig.Process(prefix, &read); err != nil {
		return c, oneLine(err)
	}
	co := c
	co.KnoxCompanyCode = name
	co.CompanyID, co.AccessKey, co.SecretKey, co.APIKey = "", "", "", ""
	dst, src, t := reflect.ValueOf(&co).Elem(), reflect.ValueOf(read), reflect.TypeOf(read)
	for i := 0; i < t.NumField(); i++ {
		key := t.Field(i).Tag.Get("envconfig")
		if key == "" {
			continue
		}
		if _, set := os.LookupEnv(prefix + "_" + key); !set {
			continue
		}
		if !slices.Contains(inherited, key) && !slices.Contains(own, key) {
			return c, fmt.Errorf("%s_%s: not a per-company setting: set %s_%s for every company", prefix, key, Prefix, key)
		}
		dst.Field(i).Set(src.Field(i))
	}
	return co, nil
}

// validateCompanies checks each company and that no two write the same
// tenant.
func (c Config) validateCompanies() error {
	if len(c.Served) == 0 {
		return nil
	}
	seen := map[string]string{}
	for _, co := range c.Companies() {
		if err := co.Validate(); err != nil {
			return err
		}
		if co.CompanyID == "" {
			continue // RequireTarget says so where it matters
		}
		tenant := co.Target + " " + co.CompanyID
		if other, dup := seen[tenant]; dup {
			return fmt.Errorf("%s_COMPANY_ID: %s writes the same %s company as %s", co.envPrefix(), co.name, co.Target, other)
		}
		seen[tenant] = co.name
	}
	return nil
}
