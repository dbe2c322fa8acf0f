package knox_test

// Integration tests against the real Knox stand-in (sandbox/server).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orgsync/orgsync/internal/knox"
	"github.com/orgsync/orgsync/sandbox/server"
)

type sandbox struct {
	t   *testing.T
	url string
	cfg server.Config
}

func newSandbox(t *testing.T, employees, departments int) *sandbox {
	t.Helper()
	s := server.New(server.Config{Employees: employees, Departments: departments, Seed: 7})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &sandbox{t: t, url: ts.URL, cfg: s.Config()}
}

func (s *sandbox) client(mutate ...func(*knox.Config)) *knox.Client {
	s.t.Helper()
	cfg := knox.Config{BaseURL: s.url + server.KnoxPrefix, SystemID: s.cfg.KnoxSystemID,
		CompanyCode: s.cfg.KnoxCompanyCode, Timeout: 5 * time.Second}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := knox.New(cfg)
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

func (s *sandbox) faults(f map[string]any) {
	s.t.Helper()
	b, _ := json.Marshal(f)
	resp, err := http.Post(s.url+"/admin/knox/faults", "application/json", bytes.NewReader(b))
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		s.t.Fatalf("faults %s: HTTP %d", b, resp.StatusCode)
	}
}

func orgs(t *testing.T, c *knox.Client) (all []knox.Organization, pages []int) {
	t.Helper()
	err := c.Organizations(context.Background(), func(p []knox.Organization) error {
		pages = append(pages, len(p))
		all = append(all, p...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all, pages
}

// Two departments, 1300 employees: at least one department has more than
// a page (500) of employees.
func TestSandboxEmployeePaging(t *testing.T) {
	sb := newSandbox(t, 1300, 2)
	for _, post := range []bool{false, true} {
		c := sb.client(func(c *knox.Config) { c.EmployeesPOST = post })
		all, _ := orgs(t, c)
		seen := map[string]bool{}
		biggest := 0
		for _, o := range all {
			n, pages := 0, 0
			err := c.Employees(context.Background(), o.DepartmentCode, func(es []knox.Employee) error {
				if pages > 0 && n%knox.PageSize != 0 {
					t.Errorf("a short page before the last one in %s", o.DepartmentCode)
				}
				pages++
				for _, e := range es {
					if e.EpID == "" || seen[e.EpID] || e.DepartmentCode != o.DepartmentCode || e.FullName == "" {
						t.Errorf("bad or repeated employee %s in %s", e.EpID, o.DepartmentCode)
					}
					seen[e.EpID] = true
				}
				n += len(es)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if want := (n + knox.PageSize - 1) / knox.PageSize; pages != want {
				t.Errorf("%s: %d employees in %d pages, want %d", o.DepartmentCode, n, pages, want)
			}
			biggest = max(biggest, n)
		}
		if len(seen) != 1300 || biggest <= knox.PageSize {
			t.Errorf("post=%v: %d employees, biggest department %d", post, len(seen), biggest)
		}
	}
}

func TestSandboxOrganizationPagingAndTitles(t *testing.T) {
	sb := newSandbox(t, 0, 1100)
	c := sb.client()
	all, pages := orgs(t, c)
	if len(all) != 1100 || len(pages) != 3 || pages[0] != 500 || pages[2] != 100 {
		t.Errorf("%d organizations in pages %v", len(all), pages)
	}
	codes := map[string]bool{}
	for _, o := range all {
		codes[o.DepartmentCode] = true
	}
	for _, o := range all {
		if o.UprDepartmentCode != "" && !codes[o.UprDepartmentCode] {
			t.Errorf("%s: unknown parent %s", o.DepartmentCode, o.UprDepartmentCode)
		}
	}
	titles, err := c.Titles(context.Background())
	if err != nil || len(titles) == 0 || titles[0].TitleCode == "" || titles[0].SortOrder == "" {
		t.Errorf("titles %+v, %v", titles, err)
	}
}

func knoxErr(t *testing.T, err error) *knox.Error {
	t.Helper()
	var ke *knox.Error
	if !errors.As(err, &ke) {
		t.Fatalf("%T %v is not a *knox.Error", err, err)
	}
	return ke
}

func TestSandboxErrors(t *testing.T) {
	sb := newSandbox(t, 30, 3)
	ctx := context.Background()
	noop := func([]knox.Employee) error { return nil }
	noopOrg := func([]knox.Organization) error { return nil }
	dept := func() string {
		all, _ := orgs(t, sb.client())
		return all[0].DepartmentCode
	}()

	t.Run("unknown System-ID", func(t *testing.T) {
		_, err := sb.client(func(c *knox.Config) { c.SystemID = "NOPE" }).Titles(ctx)
		if ke := knoxErr(t, err); ke.Status != 401 || ke.Code != "UNAUTHORIZED" || ke.Retryable() {
			t.Errorf("%#v", ke)
		}
	})
	t.Run("unknown company", func(t *testing.T) {
		c := sb.client(func(c *knox.Config) { c.CompanyCode = "X99" })
		ke := knoxErr(t, c.Organizations(ctx, noopOrg))
		if ke.Code != "ORG0012" || ke.Meaning != knox.Meaning("ORG0012") || ke.Retryable() || ke.Page != 1 {
			t.Errorf("%#v", ke)
		}
		ke = knoxErr(t, c.Employees(ctx, dept, noop))
		if ke.Code != "EM0015" || ke.Meaning == "" || ke.Retryable() {
			t.Errorf("%#v", ke)
		}
	})
	t.Run("wildcard keyword", func(t *testing.T) {
		ke := knoxErr(t, sb.client().Employees(ctx, "C60%", noop))
		if ke.Code != "EM0007" || ke.Status != 400 || ke.Retryable() {
			t.Errorf("%#v", ke)
		}
	})
	t.Run("5xx is retryable", func(t *testing.T) {
		sb.faults(map[string]any{"status": 503, "statusFor": "employees"})
		defer sb.faults(map[string]any{})
		ke := knoxErr(t, sb.client().Employees(ctx, dept, noop))
		if ke.Status != 503 || ke.Code != "EM0010" || !ke.Retryable() || ke.Meaning == "" {
			t.Errorf("%#v", ke)
		}
		if _, err := sb.client().Titles(ctx); err != nil {
			t.Errorf("titles failed too: %v", err)
		}
		sb.faults(map[string]any{"status": 500, "statusFor": "organizations"})
		if ke := knoxErr(t, sb.client().Organizations(ctx, noopOrg)); ke.Code != "ORG0010" || !ke.Retryable() {
			t.Errorf("%#v", ke)
		}
	})
	t.Run("not JSON", func(t *testing.T) {
		sb.faults(map[string]any{"notJSON": "employees"})
		defer sb.faults(map[string]any{})
		err := sb.client().Employees(ctx, dept, noop)
		ke := knoxErr(t, err)
		if ke.Retryable() || ke.Status != 200 || !strings.Contains(err.Error(), "knox employees page 1") ||
			!strings.Contains(err.Error(), "not valid JSON") || strings.Contains(err.Error(), "maintenance") {
			t.Errorf("%v", err)
		}
	})
	t.Run("truncated", func(t *testing.T) {
		sb.faults(map[string]any{"truncate": "organizations"})
		defer sb.faults(map[string]any{})
		err := sb.client().Organizations(ctx, noopOrg)
		if ke := knoxErr(t, err); ke.Retryable() || !strings.Contains(err.Error(), "knox organizations page 1") {
			t.Errorf("%v", err)
		}
		sb.faults(map[string]any{"truncate": "titles"})
		if _, err := sb.client().Titles(ctx); err == nil || !strings.Contains(err.Error(), "knox titles") {
			t.Errorf("%v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		sb.faults(map[string]any{"latencyMs": 500})
		defer sb.faults(map[string]any{})
		c := sb.client(func(c *knox.Config) { c.Timeout = 50 * time.Millisecond })
		if ke := knoxErr(t, c.Organizations(ctx, noopOrg)); !ke.Retryable() || ke.Status != 0 {
			t.Errorf("%#v", ke)
		}
	})
}
