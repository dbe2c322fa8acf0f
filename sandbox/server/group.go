package server

import (
	"net/http"
	"net/url"
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
