// Package workplacesim stands in for the NAVER Cloud WORKPLACE
// organisation API v2 (grade, job, department, employee) as
// docs/protocol.md fixes it: v2 signatures, the gateway's clock window,
// the v2 field rules (unique grade/job names, itemUsed, sortOrder,
// parentDeptExternalKey, loginId, emailAddress, employYmd), references,
// list endpoints with offset/limit, switchable faults and counters.
package workplacesim

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/orgsync/orgsync/sandbox/gatewaysim"
)

// Resource names, as in the URL path and in the state dump.
const (
	ResGrade = "grade"
	ResJob   = "job"
	ResDept  = "department"
	ResEmp   = "employee"
)

// Resources lists the resources in sync order.
var Resources = []string{ResGrade, ResJob, ResDept, ResEmp}

// Config holds the credentials and company the stand-in accepts.
type Config struct {
	CompanyID string
	AccessKey string
	SecretKey string
	Logger    *slog.Logger     // nil: discard
	Now       func() time.Time // nil: time.Now; tests pin the clock
}

// Item is a stored grade or job.
type Item struct {
	Name      string            `json:"name"`
	I18nNames map[string]string `json:"i18nNames,omitempty"`
	ItemUsed  bool              `json:"itemUsed"`
	SortOrder string            `json:"sortOrder"`
}

// Dept is a stored department.
type Dept struct {
	Name                  string            `json:"name"`
	I18nNames             map[string]string `json:"i18nNames,omitempty"`
	DeptExternalKey       string            `json:"deptExternalKey"`
	ParentDeptExternalKey string            `json:"parentDeptExternalKey"`
	DispOrd               string            `json:"dispOrd"`
}

// Employee is a stored employee.
type Employee struct {
	LoginID                    string            `json:"loginId"`
	EmailAddress               string            `json:"emailAddress"`
	EmployYmd                  string            `json:"employYmd"`
	Name                       string            `json:"name"`
	I18nNames                  map[string]string `json:"i18nNames,omitempty"`
	DeptExternalKey            string            `json:"deptExternalKey"`
	ConcurrentDeptExternalKeys []string          `json:"concurrentDeptExternalKeys"`
	GradeCdExternalKey         string            `json:"gradeCdExternalKey,omitempty"`
	JobCdExternalKey           string            `json:"jobCdExternalKey,omitempty"`
	TelephoneNo                string            `json:"telephoneNo,omitempty"`
	CellphoneNo                string            `json:"cellphoneNo,omitempty"`
	LocaleTypeCd               string            `json:"localeTypeCd,omitempty"`
	TmznTypeCd                 string            `json:"tmznTypeCd,omitempty"`
}

// State is everything the stand-in holds, keyed by external key; its JSON
// is the body of GET /admin/workplace/state.
type State struct {
	Grades    map[string]Item     `json:"grade"`
	Jobs      map[string]Item     `json:"job"`
	Depts     map[string]Dept     `json:"department"`
	Employees map[string]Employee `json:"employee"`
}

// Sim is the WORKPLACE stand-in. One mutex guards the state; it is held
// only for the reference checks and the map update.
type Sim struct {
	cfg      Config
	gw       *gatewaysim.Gateway // signatures, clock, faults, counters
	strict   atomic.Pointer[Strict]
	accepted acceptedCounters

	mu       sync.Mutex
	st       State
	kids     map[string]int    // child departments by parent key
	members  map[string]int    // employees (main or concurrent) by department key
	gradeUse map[string]int    // employees by grade key
	jobUse   map[string]int    // employees by job key
	logins   map[string]string // lower-cased loginId -> employee key
	emails   map[string]string // lower-cased emailAddress -> employee key
}

// New returns an empty stand-in.
func New(cfg Config) *Sim {
	s := &Sim{cfg: cfg, gw: gatewaysim.New(gatewaysim.Config{
		Product:   "workplace",
		Resources: Resources,
		Verifier:  gatewaysim.Verifier{Version: gatewaysim.V2, AccessKey: cfg.AccessKey, SecretKey: cfg.SecretKey},
		Logger:    cfg.Logger,
		Now:       cfg.Now,
	})}
	s.Reset()
	return s
}

// Reset empties the state, zeroes the counters and clears the faults and
// the strict switches.
func (s *Sim) Reset() {
	s.strict.Store(&Strict{})
	s.accepted.reset()
	s.mu.Lock()
	s.st = State{Grades: map[string]Item{}, Jobs: map[string]Item{}, Depts: map[string]Dept{}, Employees: map[string]Employee{}}
	s.kids, s.members = map[string]int{}, map[string]int{}
	s.gradeUse, s.jobUse = map[string]int{}, map[string]int{}
	s.logins, s.emails = map[string]string{}, map[string]string{}
	s.mu.Unlock()
	s.gw.Reset()
}

// State returns a copy of what the stand-in holds. Stored values are
// replaced, never mutated in place, so sharing their maps is safe.
func (s *Sim) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := State{
		Grades: make(map[string]Item, len(s.st.Grades)), Jobs: make(map[string]Item, len(s.st.Jobs)),
		Depts: make(map[string]Dept, len(s.st.Depts)), Employees: make(map[string]Employee, len(s.st.Employees)),
	}
	for k, v := range s.st.Grades {
		out.Grades[k] = v
	}
	for k, v := range s.st.Jobs {
		out.Jobs[k] = v
	}
	for k, v := range s.st.Depts {
		out.Depts[k] = v
	}
	for k, v := range s.st.Employees {
		out.Employees[k] = v
	}
	return out
}
