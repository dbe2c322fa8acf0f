package testenv

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/sandbox/server"
)

// Companies is a Stack whose sandbox serves several companies of one
// group on one address (server.Group): each has its own Knox company
// code, target company id and keys.
type Companies struct {
	*Stack
	Sandboxes map[string]*server.Server // by company name
	Configs   map[string]config.Config  // each company's settings
	names     []string
}

// NewCompanies starts a stack serving the named companies; the first is
// the Stack's own sandbox renamed, the others get their own ids, keys and
// seeds.
func NewCompanies(t testing.TB, o StackOptions, names ...string) *Companies {
	t.Helper()
	s := NewStack(t, o)
	g := &Companies{Stack: s, Sandboxes: map[string]*server.Server{}, Configs: map[string]config.Config{}, names: names}
	var servers []*server.Server
	for i, n := range names {
		sc := s.Sandbox.Config()
		sc.KnoxCompanyCode = n
		sc.Seed += int64(i)
		if i > 0 {
			sc.CompanyID = fmt.Sprintf("%08d-0000-4000-8000-%012d", i, i)
			sc.AccessKey, sc.SecretKey, sc.APIKey = n+"ACCESS", n+"SECRET", n+"APIKEY"
		}
		sb := server.New(sc)
		servers = append(servers, sb)
		g.Sandboxes[n] = sb
	}
	hs := httptest.NewServer(server.NewGroup(servers...))
	t.Cleanup(hs.Close)
	s.URL, s.Sandbox = hs.URL, g.Sandboxes[names[0]]
	for _, n := range names {
		sc := g.Sandboxes[n].Config()
		c := s.Config
		c.KnoxURL, c.WorkboxURL, c.WorkplaceURL = hs.URL+"/knox", hs.URL+server.WorkboxPrefix, hs.URL+server.WorkplacePrefix
		c.KnoxCompanyCode, c.CompanyID = n, sc.CompanyID
		c.AccessKey, c.SecretKey, c.APIKey = config.Secret(sc.AccessKey), config.Secret(sc.SecretKey), config.Secret(sc.APIKey)
		g.Configs[n] = c
	}
	s.Config = g.Serving(t, names...)
	return g
}

// Serving is the stack's configuration serving the named companies.
func (g *Companies) Serving(t testing.TB, names ...string) config.Config {
	t.Helper()
	c, err := g.Stack.Config.WithCompanies(g.Configs, names...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Company is a Stack of one company: its sandbox and settings, for
// Source and state checks.
func (g *Companies) Company(name string) *Stack {
	s := *g.Stack
	s.Sandbox, s.Config = g.Sandboxes[name], g.Configs[name]
	return &s
}

// StartWorkerFor runs a worker serving the named companies on the shared
// task queue until the test ends.
func (g *Companies) StartWorkerFor(t testing.TB, names ...string) (stop func()) {
	t.Helper()
	s := *g.Stack
	s.Config = g.Serving(t, names...)
	return s.StartWorker(t)
}
