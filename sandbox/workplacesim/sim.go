// Package workplacesim stands in for the NAVER Cloud WORKPLACE
// organisation API v2 (grade, job, department, employee) as
// docs/protocol.md fixes it: v2 signatures, the gateway's clock window,
// the v2 field rules (unique grade/job names, itemUsed, sortOrder,
// parentDeptExternalKey, loginId, emailAddress, employYmd), references,
// list endpoints with offset/limit, switchable faults and counters, and
// strict switches. The skeleton it shares with workboxsim is
// sandbox/targetsim.
package workplacesim

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/orgsync/orgsync/sandbox/gatewaysim"
	"github.com/orgsync/orgsync/sandbox/targetsim"
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

// MaxBody is the largest accepted request body; beyond it 413 / 430.
const MaxBody = gatewaysim.MaxBody

// MaxLimit is the largest page a list answers.
const MaxLimit = targetsim.MaxLimit

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

// Sim is the WORKPLACE stand-in: targetsim with WORKPLACE's paths,
// records, field rules and error codes, reads and strict switches. It
// answers /company/{companyId}/{resource}[/{key}] (the server strips
// /organization/apigw/v2; signatures cover the full request URI, prefix
// and query included).
type Sim struct {
	targetsim.Front // ServeHTTP, Reset, SetFaults, Faults, Stats
	t               *targetsim.Sim[Item, Dept, Employee]
}

// New returns an empty stand-in.
func New(cfg Config) *Sim {
	t := targetsim.New(targetsim.Spec[Item, Dept, Employee]{
		Gateway: gatewaysim.Config{
			Product:  "workplace",
			Verifier: gatewaysim.Verifier{Version: gatewaysim.V2, AccessKey: cfg.AccessKey, SecretKey: cfg.SecretKey},
			Logger:   cfg.Logger,
			Now:      cfg.Now,
		},
		Company:     cfg.CompanyID,
		Path:        []string{"company"},
		Resources:   [4]string(Resources),
		Reads:       true,
		MaxKey:      maxKey,
		Errors:      errs,
		ParseItem:   parseItem,
		ParseDept:   parseDept,
		ParseMember: parseEmployee,
		ItemName:    func(it Item) string { return strings.TrimSpace(it.Name) },
		Parent:      func(d Dept) string { return d.ParentDeptExternalKey },
		Refs: func(u Employee) targetsim.Refs {
			return targetsim.Refs{
				Depts: append([]string{u.DeptExternalKey}, u.ConcurrentDeptExternalKeys...),
				Grade: u.GradeCdExternalKey, Position: u.JobCdExternalKey,
				Unique: []string{strings.ToLower(u.LoginID), strings.ToLower(u.EmailAddress)},
			}
		},
		Success: func(status int, key string) any { return map[string]any{"status": status, "externalKey": key} },
	})
	return &Sim{t.Front(), t}
}

// State returns a copy of what the stand-in holds.
func (s *Sim) State() State {
	items, depts, emps := s.t.Snapshot()
	return State{Grades: items[0], Jobs: items[1], Depts: depts, Employees: emps}
}

// Faults are switchable misbehaviours, set with POST /admin/workplace/faults
// (see gatewaysim.Faults). Here a resource in SyncOff answers 403 / -1003, a
// rejected write 400 / -1050.
type Faults = gatewaysim.Faults

// ErrBadFaults is returned for a fault setting that cannot apply.
var ErrBadFaults = gatewaysim.ErrBadFaults

// KeyShare maps (resource, key) to a fixed number in [0,1): the keys with
// KeyShare below rejectRate are the rejected ones. Exported so tests can
// predict them.
func KeyShare(res, key string) float64 { return gatewaysim.KeyShare(res, key) }

// Stats are the request counters of the WORKPLACE stand-in (see
// gatewaysim.Stats); DuplicateCreates counts POSTs refused with -1010.
type Stats = gatewaysim.Stats

// Strict switches make the stand-in answer the way a stricter WORKPLACE
// may (see targetsim.Strict: its seed code is 400 / -1015 "emp not found",
// its plain error 400 / -9999, its server error 500 / -9500). Set with POST
// /admin/workplace/strict.
type Strict = targetsim.Strict

// ErrBadStrict is returned for a strict setting that cannot apply.
var ErrBadStrict = targetsim.ErrBadStrict

// SetStrict replaces the strict switches.
func (s *Sim) SetStrict(st Strict) error { return s.t.SetStrict(st) }

// Strict returns the current strict switches.
func (s *Sim) Strict() Strict { return s.t.Strict() }

// Accepted counts the writes the stand-in applied, by resource and
// method, whatever it answered (a 500 after applying included): what a
// run's report must add up to.
type Accepted = targetsim.Accepted

// Accepted returns the applied writes by resource and method.
func (s *Sim) Accepted() Accepted { return s.t.Accepted() }

// Errors of the hand edits.
var (
	ErrUnknownResource = errors.New("unknown WORKPLACE resource")
	ErrNotFound        = errors.New("no such WORKPLACE object")
	ErrBadObject       = errors.New("bad WORKPLACE object")
)

func resource(res string) (int, error) {
	if i := slices.Index(Resources, res); i >= 0 {
		return i, nil
	}
	return 0, fmt.Errorf("%w %q (want one of %s)", ErrUnknownResource, res, strings.Join(Resources, ", "))
}

// Put stores an object by hand, as an administrator editing WORKPLACE in
// its own console would: raw is the stored JSON of the resource (the
// state dump's shape). Only the JSON shape is checked: no field rules, no
// references, so a test can make any drift. A department's
// deptExternalKey is set to key.
func (s *Sim) Put(res, key string, raw []byte) error {
	if key == "" {
		return fmt.Errorf("%w: empty key", ErrBadObject)
	}
	i, err := resource(res)
	if err != nil {
		return err
	}
	var v any
	switch i {
	case targetsim.Dept:
		var d Dept
		err = json.Unmarshal(raw, &d)
		d.DeptExternalKey = key
		if d.ParentDeptExternalKey == "" {
			d.ParentDeptExternalKey = "#"
		}
		v = d
	case targetsim.Member:
		var u Employee
		err = json.Unmarshal(raw, &u)
		if u.ConcurrentDeptExternalKeys == nil {
			u.ConcurrentDeptExternalKeys = []string{}
		}
		v = u
	default:
		var it Item
		err = json.Unmarshal(raw, &it)
		v = it
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadObject, err)
	}
	s.t.Set(i, key, v)
	return nil
}

// Get returns the stored JSON of one object, for hand edits.
func (s *Sim) Get(res, key string) ([]byte, error) {
	i, err := resource(res)
	if err != nil {
		return nil, err
	}
	v, ok := s.t.Get(i, key)
	if !ok {
		return nil, fmt.Errorf("%w: %s %s", ErrNotFound, res, key)
	}
	return json.Marshal(v)
}

// Remove deletes an object by hand, without the in-use checks: members of
// a removed department keep pointing at its key, as after a forced delete.
func (s *Sim) Remove(res, key string) error {
	i, err := resource(res)
	if err != nil {
		return err
	}
	if !s.t.Remove(i, key) {
		return fmt.Errorf("%w: %s %s", ErrNotFound, res, key)
	}
	return nil
}
