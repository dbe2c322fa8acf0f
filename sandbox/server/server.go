package server

import (
	"log/slog"
	"net/http"

	"github.com/orgsync/orgsync/sandbox/knoxsim"
	"github.com/orgsync/orgsync/sandbox/workboxsim"
	"github.com/orgsync/orgsync/sandbox/workplacesim"
)

// URL prefixes of the stand-ins (docs/protocol.md).
const (
	KnoxPrefix      = "/knox"
	WorkboxPrefix   = "/workbox/workbox/openapi/v1"
	WorkplacePrefix = "/organization/apigw/v2"
	AdminPrefix     = "/admin"
)

// Server is the sandbox: an http.Handler serving every stand-in and the
// admin API. Tests use it as httptest.NewServer(server.New(cfg)).
type Server struct {
	cfg     Config
	log     *slog.Logger
	knox    *knoxsim.Company
	workbox *workboxsim.Sim
	// workplace is the WORKPLACE org API v2 stand-in.
	workplace *workplacesim.Sim
	mux       *http.ServeMux
}

// New builds the sandbox and generates the Knox company. Empty string
// settings take the demo defaults. It panics on a configuration that
// Config.Validate rejects (ConfigFromEnv has already validated it).
func New(cfg Config) *Server {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	knox, err := knoxsim.New(knoxsim.Config{
		SystemID: cfg.KnoxSystemID, CompanyCode: cfg.KnoxCompanyCode,
		Employees: cfg.Employees, Departments: cfg.Departments, Seed: cfg.Seed,
	})
	if err != nil {
		panic(err)
	}
	s := &Server{
		cfg:  cfg,
		log:  log,
		knox: knox,
		workbox: workboxsim.New(workboxsim.Config{
			CompanyID: cfg.CompanyID, AccessKey: cfg.AccessKey, SecretKey: cfg.SecretKey,
			APIKey: cfg.APIKey, SignatureV1: cfg.SignatureV1, Logger: log,
		}),
		workplace: workplacesim.New(workplacesim.Config{
			CompanyID: cfg.CompanyID, AccessKey: cfg.AccessKey, SecretKey: cfg.SecretKey, Logger: log,
		}),
		mux: http.NewServeMux(),
	}
	// The stand-ins see paths below their prefix. WORKBOX still verifies
	// the signature over the full request URI, which StripPrefix keeps.
	s.mux.Handle(KnoxPrefix+"/", http.StripPrefix(KnoxPrefix, s.knox))
	s.mux.Handle(WorkboxPrefix+"/", http.StripPrefix(WorkboxPrefix, s.workbox))

	// WORKPLACE (org API v2, signature v2 over the full URI and query).
	s.mux.Handle(WorkplacePrefix+"/", http.StripPrefix(WorkplacePrefix, s.workplace))

	s.mountAdmin()
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Config returns the configuration the sandbox runs with.
func (s *Server) Config() Config { return s.cfg }

// Knox returns the Knox stand-in, for in-process tests that change HR data
// without HTTP.
func (s *Server) Knox() *knoxsim.Company { return s.knox }

// Workbox returns the WORKBOX stand-in (faults, state, counters).
func (s *Server) Workbox() *workboxsim.Sim { return s.workbox }

// WorkboxState returns a copy of what WORKBOX holds now.
func (s *Server) WorkboxState() workboxsim.State { return s.workbox.State() }

// Workplace returns the WORKPLACE stand-in (faults, state, counters, hand edits).
func (s *Server) Workplace() *workplacesim.Sim { return s.workplace }

// WorkplaceState returns a copy of what WORKPLACE holds now.
func (s *Server) WorkplaceState() workplacesim.State { return s.workplace.State() }

// Stats returns the WORKBOX request counters.
func (s *Server) Stats() workboxsim.Stats { return s.workbox.Stats() }

// Reset regenerates the Knox company, empties the targets, zeroes the
// counters and clears all faults.
func (s *Server) Reset(employees, departments int, seed int64) error {
	if err := s.knox.Reset(employees, departments, seed); err != nil {
		return err
	}
	s.workbox.Reset()
	s.workplace.Reset()
	return nil
}
