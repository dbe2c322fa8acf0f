package server

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// Group serves several companies' sandboxes on one address, as Knox and
// NAVER Cloud serve a group of companies: Knox picks the company by the
// request's companyCode, WORKBOX and WORKPLACE by the company id in the
// path, the admin API by ?company=<Knox code>. A request naming no known
// company goes to the first, which refuses it the way it refuses any
// other company. Each company keeps its own credentials, so a request
// signed with one company's keys for another's id is refused (401).
type Group struct {
	servers []*Server
}

// NewGroup serves the given sandboxes; the first is the default.
func NewGroup(servers ...*Server) *Group { return &Group{servers: servers} }

// Company returns the sandbox of a Knox company code, nil if none.
func (g *Group) Company(code string) *Server {
	for _, s := range g.servers {
		if strings.EqualFold(s.cfg.KnoxCompanyCode, code) {
			return s
		}
	}
	return nil
}

func (g *Group) byID(id string) *Server {
	for _, s := range g.servers {
		if s.cfg.CompanyID == id {
			return s
		}
	}
	return nil
}

// ServeHTTP hands the request to its company's sandbox.
func (g *Group) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := g.pick(r)
	if s == nil {
		s = g.servers[0]
	}
	s.ServeHTTP(w, r)
}

func (g *Group) pick(r *http.Request) *Server {
	p := r.URL.EscapedPath()
	switch {
	case strings.HasPrefix(p, KnoxPrefix+"/"):
		return g.Company(r.URL.Query().Get("companyCode"))
	case strings.HasPrefix(p, AdminPrefix+"/"):
		return g.Company(r.URL.Query().Get("company"))
	case strings.HasPrefix(p, WorkboxPrefix+"/organization/company/"):
		return g.byID(segment(strings.TrimPrefix(p, WorkboxPrefix+"/organization/company/")))
	case strings.HasPrefix(p, WorkplacePrefix+"/company/"):
		return g.byID(segment(strings.TrimPrefix(p, WorkplacePrefix+"/company/")))
	}
	return nil
}

// segment is the first path segment of p, unescaped.
func segment(p string) string {
	first, _, _ := strings.Cut(p, "/")
	s, err := url.PathUnescape(first)
	if err != nil {
		return ""
	}
	return s
}

// GroupConfigFromEnv reads the companies of ORGSYNC_COMPANIES the way the
// worker does: each takes ORGSYNC_<NAME>_COMPANY_ID, _NCP_ACCESS_KEY,
// _NCP_SECRET_KEY, _NCP_API_KEY and _KNOX_COMPANY_CODE (default: the
// name), and the rest from the sandbox's own settings; the n-th company's
// data is generated with seed ORGSYNC_SANDBOX_SEED+n. Without
// ORGSYNC_COMPANIES it is the one company of ConfigFromEnv.
func GroupConfigFromEnv() ([]Config, error) {
	base, err := ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	var out []Config
	for _, name := range strings.Split(os.Getenv("ORGSYNC_COMPANIES"), ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		c := base
		p := "ORGSYNC_" + strings.ToUpper(name) + "_"
		c.KnoxCompanyCode = name
		if v := os.Getenv(p + "KNOX_COMPANY_CODE"); v != "" {
			c.KnoxCompanyCode = v
		}
		for _, f := range []struct {
			key string
			v   *string
		}{{"COMPANY_ID", &c.CompanyID}, {"NCP_ACCESS_KEY", &c.AccessKey}, {"NCP_SECRET_KEY", &c.SecretKey}, {"NCP_API_KEY", &c.APIKey}} {
			if *f.v = os.Getenv(p + f.key); *f.v == "" {
				return nil, fmt.Errorf("sandbox config: %s%s: required for company %s but not set", p, f.key, name)
			}
		}
		c.Seed = base.Seed + int64(len(out))
		out = append(out, c)
	}
	if len(out) == 0 {
		out = append(out, base)
	}
	return out, nil
}
