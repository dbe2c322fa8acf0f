// Package workboxsim stands in for the NAVER Cloud WORKBOX organisation-sync
// API (job-grade, job-position, dept, user) as docs/protocol.md fixes it:
// v1 signatures, the real API's field rules and error codes, and
// switchable faults (rate limits, 503s, sync switches OFF, rejections).
package workboxsim

import (
	"log/slog"
	"sync"
	"time"

	"github.com/orgsync/orgsync/sandbox/gatewaysim"
)

// Resource names, as in the URL path and in the state dump.
const (
	ResGrade    = "job-grade"
	ResPosition = "job-position"
	ResDept     = "dept"
	ResUser     = "user"
)

// Resources lists the resources in sync order.
var Resources = []string{ResGrade, ResPosition, ResDept, ResUser}

// Signature variants of ORGSYNC_SIGNATURE_V1.
const (
	SignatureAny    = gatewaysim.V1Any    // accept both
	SignatureAPIKey = gatewaysim.V1APIKey // METHOD uri\nts\napiKey\naccessKey
	SignatureSDK    = gatewaysim.V1SDK    // METHOD uri\nts\naccessKey
)

// Config holds the credentials and company the stand-in accepts.
type Config struct {
	CompanyID   string
	AccessKey   string
	SecretKey   string
	APIKey      string
	SignatureV1 string           // SignatureAny, SignatureAPIKey or SignatureSDK
	Logger      *slog.Logger     // nil: discard
	Now         func() time.Time // nil: time.Now; tests pin the clock
}

// Item is a stored job grade or job position.
type Item struct {
	Name      string            `json:"name"`
	I18nNames map[string]string `json:"i18nNames,omitempty"`
	SortOrd   int               `json:"sortOrd"`
}

// Dept is a stored department.
type Dept struct {
	Name               string            `json:"name"`
	I18nNames          map[string]string `json:"i18nNames,omitempty"`
	SortOrd            string            `json:"sortOrd"`
	UprDeptExternalKey string            `json:"uprDeptExternalKey"`
}

// User is a stored member.
type User struct {
	Name                string            `json:"name"`
	I18nNames           map[string]string `json:"i18nNames,omitempty"`
	DeptExternalKey     string            `json:"deptExternalKey,omitempty"`
	GradeExternalKey    string            `json:"gradeExternalKey,omitempty"`
	PositionExternalKey string            `json:"positionExternalKey,omitempty"`
	EmailAddr           string            `json:"emailAddr"`
	TelNo               string            `json:"telNo,omitempty"`
	CphNo               string            `json:"cphNo,omitempty"`
	LocaleTypeCd        string            `json:"localeTypeCd,omitempty"`
	TmznTypeCd          string            `json:"tmznTypeCd,omitempty"`
}

// State is everything the stand-in holds, keyed by external key; its JSON
// is the body of GET /admin/workbox/state.
type State struct {
	Grades    map[string]Item `json:"job-grade"`
	Positions map[string]Item `json:"job-position"`
	Depts     map[string]Dept `json:"dept"`
	Users     map[string]User `json:"user"`
}

// Sim is the WORKBOX stand-in. One mutex guards the state; it is held only
// for the reference checks and the map update, never while reading a body,
// sleeping or signing.
type Sim struct {
	cfg Config
	gw  *gatewaysim.Gateway // signatures, clock, faults, counters

	mu       sync.Mutex
	st       State
	kids     map[string]int    // child departments by parent key
	members  map[string]int    // users by department key
	gradeUse map[string]int    // users by grade key
	posUse   map[string]int    // users by position key
	emails   map[string]string // lower-cased email -> user key
}

// New returns an empty stand-in.
func New(cfg Config) *Sim {
	s := &Sim{cfg: cfg, gw: gatewaysim.New(gatewaysim.Config{
		Product:   "workbox",
		Resources: Resources,
		Verifier: gatewaysim.Verifier{Version: gatewaysim.V1, AccessKey: cfg.AccessKey, SecretKey: cfg.SecretKey,
			APIKey: cfg.APIKey, V1Variant: cfg.SignatureV1},
		Logger: cfg.Logger,
		Now:    cfg.Now,
	})}
	s.Reset()
	return s
}

// Reset empties the state, zeroes the counters and clears the faults.
func (s *Sim) Reset() {
	s.mu.Lock()
	s.st = State{Grades: map[string]Item{}, Positions: map[string]Item{}, Depts: map[string]Dept{}, Users: map[string]User{}}
	s.kids, s.members = map[string]int{}, map[string]int{}
	s.gradeUse, s.posUse = map[string]int{}, map[string]int{}
	s.emails = map[string]string{}
	s.mu.Unlock()
	s.gw.Reset()
}

// State returns a deep copy of what the stand-in holds.
func (s *Sim) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := State{
		Grades:    make(map[string]Item, len(s.st.Grades)),
		Positions: make(map[string]Item, len(s.st.Positions)),
		Depts:     make(map[string]Dept, len(s.st.Depts)),
		Users:     make(map[string]User, len(s.st.Users)),
	}
	// Stored values are never mutated in place (updates replace them), so
	// sharing the i18n maps with the copy is safe.
	for k, v := range s.st.Grades {
		out.Grades[k] = v
	}
	for k, v := range s.st.Positions {
		out.Positions[k] = v
	}
	for k, v := range s.st.Depts {
		out.Depts[k] = v
	}
	for k, v := range s.st.Users {
		out.Users[k] = v
	}
	return out
}
