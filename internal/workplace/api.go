// Package workplace is the NAVER Cloud WORKPLACE organisation API v2
// client: create, replace, delete and list job grades, jobs (직책),
// departments and employees by external key (docs/protocol.md,
// "WORKPLACE"). It implements target.Client and target.Lister and
// classifies every answer as *target.Error.
package workplace

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpapi"
)

// ProductionURL is the WORKPLACE org API v2 behind the NCP API Gateway.
const ProductionURL = "https://workplace.apigw.ntruss.com/organization/apigw/v2"

// Defaults and limits.
const (
	DefaultTimeout = ncpapi.DefaultTimeout
	// DefaultPageSize is the limit of one list request.
	DefaultPageSize = 200
	// MaxResponseBytes bounds what is read of one answer: a list page of
	// DefaultPageSize employees is well under 1 MiB.
	MaxResponseBytes = 4 << 20
	// DefaultEmployYmd is sent as employYmd (hire date, required by
	// WORKPLACE) for an employee whose source has none: Knox has no hire
	// date. A fixed value, so that re-runs do not see a change.
	DefaultEmployYmd = "2000-01-01"
)

// Config is what a Client needs: the account, with BaseURL e.g.
// ProductionURL or http://127.0.0.1:8088/organization/apigw/v2, and how
// lists and employees are sent. SecretKey never leaves it through String,
// GoString, LogValue or JSON.
type Config struct {
	ncpapi.Account
	PageSize int // list page size; 0 = DefaultPageSize
	// DefaultEmployYmd replaces DefaultEmployYmd when set (yyyy-MM-dd).
	DefaultEmployYmd string
}

// String prints the config without credentials.
func (c Config) String() string {
	return fmt.Sprintf("workplace.Config{%s PageSize:%d DefaultEmployYmd:%s}", c.Account, c.PageSize, c.DefaultEmployYmd)
}

// GoString keeps %#v from dumping the secret.
func (c Config) GoString() string { return c.String() }

// LogValue keeps slog from dumping the secret.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Resource returns the v2 path segment of a kind: grade, job, department
// or employee ("" for an unknown kind).
func Resource(k model.Kind) string {
	switch k {
	case model.Grade:
		return "grade"
	case model.Position:
		return "job"
	case model.Department:
		return "department"
	case model.Employee:
		return "employee"
	}
	return ""
}

// KindOf is the inverse of Resource.
func KindOf(res string) (model.Kind, bool) {
	for _, k := range model.Kinds {
		if Resource(k) == res {
			return k, true
		}
	}
	return "", false
}

// Service error codes (docs/protocol.md, "WORKPLACE"). The body is
// {"status":4xx,"code":-1015,"message":"...","errors":[...]} (seed 003).
const (
	CodeCompany       = "-1001" // company id unknown
	CodeSyncOff       = "-1003" // organisation sync not enabled for the resource
	CodeExists        = "-1010" // POST of an existing external key
	CodeGradeNotFound = "-1011"
	CodeJobNotFound   = "-1012"
	CodeDeptNotFound  = "-1014"
	CodeEmpNotFound   = "-1015"
	CodeParentMissing = "-1016"
	CodeSelfParent    = "-1017"
	CodeCycle         = "-1018"
	CodeDuplicateName = "-1020" // grade/job names are unique
	CodeDuplicateID   = "-1021" // loginId or emailAddress already used
	CodeField         = "-1030" // a field rule; errors[] names the field
	CodeInUse         = "-1040" // delete of a department with children or members, a grade/job in use
	CodeRejected      = "-1050" // refused (sandbox fault)
)

// notFoundCode is the code of a missing object of each resource: on
// PUT/DELETE of that resource it is the key itself, anywhere else a
// missing reference.
var notFoundCode = map[string]string{
	"grade":      CodeGradeNotFound,
	"job":        CodeJobNotFound,
	"department": CodeDeptNotFound,
	"employee":   CodeEmpNotFound,
}

// ItemBody is a grade or job body (v2: itemUsed, sortOrder as a string).
type ItemBody struct {
	Name      string            `json:"name"`
	I18nNames map[string]string `json:"i18nNames"`
	ItemUsed  bool              `json:"itemUsed"`
	SortOrder string            `json:"sortOrder"`
}

// DeptBody is a department body.
type DeptBody struct {
	Name                  string            `json:"name"`
	I18nNames             map[string]string `json:"i18nNames"`
	DeptExternalKey       string            `json:"deptExternalKey"`
	ParentDeptExternalKey string            `json:"parentDeptExternalKey"`
	DispOrd               string            `json:"dispOrd"`
}

// EmployeeBody is an employee body. Grade and job references use the
// names of the public v2 client code (gradeCdExternalKey, jobCdExternalKey).
type EmployeeBody struct {
	LoginID                    string            `json:"loginId"`
	EmailAddress               string            `json:"emailAddress"`
	EmployYmd                  string            `json:"employYmd"`
	Name                       string            `json:"name"`
	I18nNames                  map[string]string `json:"i18nNames"`
	DeptExternalKey            string            `json:"deptExternalKey"`
	ConcurrentDeptExternalKeys []string          `json:"concurrentDeptExternalKeys"`
	GradeCdExternalKey         string            `json:"gradeCdExternalKey,omitempty"`
	JobCdExternalKey           string            `json:"jobCdExternalKey,omitempty"`
	TelephoneNo                string            `json:"telephoneNo,omitempty"`
	CellphoneNo                string            `json:"cellphoneNo,omitempty"`
	LocaleTypeCd               string            `json:"localeTypeCd,omitempty"`
	TmznTypeCd                 string            `json:"tmznTypeCd,omitempty"`
}

// LoginID is the loginId sent for e: Entity.LoginID, else the local part
// of the e-mail address.
func LoginID(e model.Entity) string {
	if e.LoginID != "" {
		return e.LoginID
	}
	if at := strings.LastIndex(e.Email, "@"); at > 0 {
		return e.Email[:at]
	}
	return e.Email
}

// Body maps an entity to its v2 request body; defaultYmd fills an empty
// hire date. The same body serves POST and PUT (PUT replaces the object).
func Body(e model.Entity, defaultYmd string) any {
	e = ncpapi.Sendable(e)
	switch e.Kind {
	case model.Grade, model.Position:
		return ItemBody{Name: e.Name, I18nNames: e.I18nNames, ItemUsed: true, SortOrder: strconv.Itoa(e.SortOrder)}
	case model.Department:
		return DeptBody{Name: e.Name, I18nNames: e.I18nNames, DeptExternalKey: e.Key, ParentDeptExternalKey: e.ParentKey,
			DispOrd: strconv.Itoa(e.SortOrder)}
	case model.Employee:
		ymd := e.EmployYmd
		if ymd == "" {
			ymd = defaultYmd
		}
		return EmployeeBody{
			LoginID: LoginID(e), EmailAddress: e.Email, EmployYmd: ymd, Name: e.Name, I18nNames: e.I18nNames,
			DeptExternalKey: e.DeptKey, ConcurrentDeptExternalKeys: []string{},
			GradeCdExternalKey: e.GradeKey, JobCdExternalKey: e.PositionKey,
			TelephoneNo: e.Tel, CellphoneNo: e.Mobile, LocaleTypeCd: e.Locale, TmznTypeCd: e.TimeZone,
		}
	}
	return nil
}
