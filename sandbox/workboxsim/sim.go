// Package workboxsim stands in for the NAVER Cloud WORKBOX organisation-sync
// API (job-grade, job-position, dept, user) as docs/protocol.md fixes it:
// v1 signatures, the real API's field rules and error codes, and
// switchable faults (rate limits, 503s, sync switches OFF, rejections).
// The skeleton it shares with workplacesim is sandbox/targetsim.
package workboxsim

import (
	"log/slog"
	"strings"
	"time"

	"github.com/orgsync/orgsync/sandbox/gatewaysim"
	"github.com/orgsync/orgsync/sandbox/targetsim"
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

// MaxBody is the largest accepted request body; beyond it 413 / 430.
const MaxBody = gatewaysim.MaxBody

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

// Sim is the WORKBOX stand-in: targetsim with WORKBOX's paths, records,
// field rules and error codes. It answers
// /organization/company/{companyId}/{resource}/{key} (the server strips the
// /workbox/workbox/openapi/v1 prefix; signatures are checked against the
// full request URI, prefix included).
type Sim struct {
	targetsim.Front // ServeHTTP, Reset, SetFaults, Faults, Stats
	t               *targetsim.Sim[Item, Dept, User]
}

// New returns an empty stand-in.
func New(cfg Config) *Sim {
	t := targetsim.New(targetsim.Spec[Item, Dept, User]{
		Gateway: gatewaysim.Config{
			Product: "workbox",
			Verifier: gatewaysim.Verifier{Version: gatewaysim.V1, AccessKey: cfg.AccessKey, SecretKey: cfg.SecretKey,
				APIKey: cfg.APIKey, V1Variant: cfg.SignatureV1},
			Logger: cfg.Logger,
			Now:    cfg.Now,
		},
		Company:     cfg.CompanyID,
		Path:        []string{"organization", "company"},
		Resources:   [4]string(Resources),
		MaxKey:      maxKey,
		Errors:      errs,
		ParseItem:   parseItem,
		ParseDept:   parseDept,
		ParseMember: parseUser,
		Parent:      func(d Dept) string { return d.UprDeptExternalKey },
		Refs: func(u User) targetsim.Refs {
			r := targetsim.Refs{Grade: u.GradeExternalKey, Position: u.PositionExternalKey, Unique: []string{strings.ToLower(u.EmailAddr)}}
			if u.DeptExternalKey != "" {
				r.Depts = []string{u.DeptExternalKey}
			}
			return r
		},
		Success: func(int, string) any { return map[string]string{"result": "success"} },
	})
	return &Sim{t.Front(), t}
}

// State returns a copy of what the stand-in holds.
func (s *Sim) State() State {
	items, depts, users := s.t.Snapshot()
	return State{Grades: items[0], Positions: items[1], Depts: depts, Users: users}
}

// Faults are switchable misbehaviours, set with POST /admin/workbox/faults
// (see gatewaysim.Faults). Here a resource in SyncOff answers 403 / 180001, a
// rejected write 400 / 180018.
type Faults = gatewaysim.Faults

// ErrBadFaults is returned for a fault setting that cannot apply.
var ErrBadFaults = gatewaysim.ErrBadFaults

// KeyShare maps (resource, key) to a fixed number in [0,1): the keys with
// KeyShare below rejectRate are the rejected ones. Exported so tests can
// predict them.
func KeyShare(res, key string) float64 { return gatewaysim.KeyShare(res, key) }

// Stats are the request counters of the WORKBOX stand-in (see
// gatewaysim.Stats); DuplicateCreates counts POSTs refused with 180011.
type Stats = gatewaysim.Stats
