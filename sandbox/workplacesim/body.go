package workplacesim

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/orgsync/orgsync/sandbox/gatewaysim"
	"github.com/orgsync/orgsync/sandbox/targetsim"
)

// Field rules of the v2 pages (lengths in characters).
const (
	maxName  = 100
	maxKey   = 100
	maxLogin = 100
	maxEmail = 100
	maxTel   = 30
	maxCph   = 100
	maxOrder = 10
)

var (
	loginRE = regexp.MustCompile(`^[A-Za-z0-9._\-]+$`)
	orderRE = regexp.MustCompile(`^[0-9]+$`)
)

// apiError is an error answer: a service error in the seed-003 shape
// {"status","code","message","errors"}, or (gateway) an API Gateway error
// {"error":{"errorCode","message"}}.
type apiError = targetsim.Error

func svc(status int, code, msg string) *apiError {
	return &apiError{Status: status, Code: code, Message: msg}
}

// fieldErr is a field rule failure (400, -1030) naming the field.
func fieldErr(field, msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "-1030", Message: "invalid request field", Field: field + ": " + msg}
}

var (
	errBadBody    = svc(http.StatusBadRequest, "-1002", "request body is not readable JSON")
	errHasMembers = svc(http.StatusBadRequest, "-1040", "the dept has employees")
)

// errs are the answers to the skeleton's checks (docs/protocol.md,
// "WORKPLACE"); the gateway's own are targetsim's.
var errs = targetsim.Errors{
	Refused: [...]*apiError{
		gatewaysim.BadBody:   errBadBody,
		gatewaysim.Method:    svc(http.StatusMethodNotAllowed, "-1004", "method not allowed"),
		gatewaysim.MediaType: svc(http.StatusUnsupportedMediaType, "-1005", "unsupported media type"),
		gatewaysim.SyncOff:   svc(http.StatusForbidden, "-1003", "organization sync is not enabled for this item"),
		gatewaysim.Rejected:  svc(http.StatusBadRequest, "-1050", "request rejected"),
	},
	Company: svc(http.StatusBadRequest, "-1001", "company not found"),
	Key:     fieldErr("externalKey", "must be 1..100 characters and not #"),
	Exists:  svc(http.StatusConflict, "-1010", "external key already exists"),
	Missing: [4]*apiError{
		svc(http.StatusNotFound, "-1011", "grade not found"),
		svc(http.StatusNotFound, "-1012", "job not found"),
		svc(http.StatusNotFound, "-1014", "dept not found"),
		svc(http.StatusNotFound, "-1015", "emp not found"),
	},
	Ref: [3]*apiError{
		svc(http.StatusBadRequest, "-1014", "dept not found"),
		svc(http.StatusBadRequest, "-1011", "grade not found"),
		svc(http.StatusBadRequest, "-1012", "job not found"),
	},
	ParentMissing: svc(http.StatusBadRequest, "-1016", "parent dept not found"),
	SelfParent:    svc(http.StatusBadRequest, "-1017", "parent dept can not be the dept itself"),
	Cycle:         svc(http.StatusBadRequest, "-1018", "parent dept can not be a sub dept of the dept"),
	HasChildren:   svc(http.StatusBadRequest, "-1040", "the dept has sub depts"),
	HasMembers:    errHasMembers,
	InUse:         svc(http.StatusBadRequest, "-1040", "the item is assigned to employees"),
	DupName:       svc(http.StatusConflict, "-1020", "name already exists"),
	Unique: []*apiError{
		svc(http.StatusConflict, "-1021", "loginId already exists"),
		svc(http.StatusConflict, "-1021", "emailAddress already exists"),
	},
	BadQuery:     svc(http.StatusBadRequest, "-1030", "offset and limit must be whole numbers, limit 1..1000"),
	Internal:     svc(http.StatusInternalServerError, "-9500", "internal server error"),
	Plain:        svc(http.StatusBadRequest, "-9999", "bad request"),
	SeedNotFound: svc(http.StatusBadRequest, "-1015", "emp not found"),
}

// body adds WORKPLACE's field rules to the shared reader.
type body struct{ targetsim.Body }

func parseBody(b []byte) (body, *apiError) {
	f, bad := targetsim.ParseBody(b, errBadBody)
	return body{f}, bad
}

// required reads a required string field of at most max characters.
func (f body) required(name string, max int) (string, *apiError) {
	if v, _, ok := f.Str(name); ok && strings.TrimSpace(v) == "" { // absent, null or blank
		return "", fieldErr(name, "is required")
	}
	return f.optional(name, max)
}

// optional reads an optional string field of at most max characters.
func (f body) optional(name string, max int) (string, *apiError) {
	v, _, ok := f.Str(name)
	switch {
	case !ok:
		return "", fieldErr(name, "must be a string")
	case utf8.RuneCountInString(v) > max:
		return "", fieldErr(name, "is longer than "+strconv.Itoa(max)+" characters")
	}
	return v, nil
}

// names reads name and i18nNames.
func (f body) names() (string, map[string]string, *apiError) {
	name, err := f.required("name", maxName)
	if err != nil {
		return "", nil, err
	}
	m, fault, loc := f.I18n(maxName)
	switch fault {
	case targetsim.I18nNotObject:
		return "", nil, fieldErr("i18nNames", "must be an object of locale to name")
	case targetsim.I18nLocale:
		return "", nil, fieldErr("i18nNames", "unknown locale "+loc)
	case targetsim.I18nTooLong:
		return "", nil, fieldErr("i18nNames."+loc, "is longer than 100 characters")
	}
	if len(m) == 0 {
		m = nil
	}
	return name, m, nil
}

// field is a string field's rules: a value (when there is one) must
// pass ok (nil: any), or the answer names rule.
type field struct {
	name string
	dst  *string
	max  int
	ok   func(string) bool
	rule string
}

// read reads the fields in order, required or optional.
func (f body) read(required bool, fields ...field) *apiError {
	get := f.optional
	if required {
		get = f.required
	}
	for _, x := range fields {
		v, bad := get(x.name, x.max)
		if bad == nil && v != "" && x.ok != nil && !x.ok(v) {
			bad = fieldErr(x.name, x.rule)
		}
		if bad != nil {
			return bad
		}
		*x.dst = v
	}
	return nil
}

const digits = "must be a string of digits"

func parseItem(b []byte) (it Item, bad *apiError) {
	f, bad := parseBody(b)
	if bad == nil {
		it.Name, it.I18nNames, bad = f.names()
	}
	if bad != nil {
		return it, bad
	}
	raw, has := f.Body["itemUsed"]
	if !has || json.Unmarshal(raw, &it.ItemUsed) != nil {
		return it, fieldErr("itemUsed", "is required and must be a boolean")
	}
	return it, f.read(true, field{"sortOrder", &it.SortOrder, maxOrder, orderRE.MatchString, digits})
}

func parseDept(key string, b []byte) (d Dept, bad *apiError) {
	f, bad := parseBody(b)
	if bad == nil {
		d.Name, d.I18nNames, bad = f.names()
	}
	if bad == nil {
		d.DeptExternalKey, bad = f.required("deptExternalKey", maxKey)
	}
	if bad != nil {
		return d, bad
	}
	if d.DeptExternalKey != key {
		return d, fieldErr("deptExternalKey", "differs from the external key in the path")
	}
	return d, f.read(true, field{"parentDeptExternalKey", &d.ParentDeptExternalKey, maxKey, nil, ""},
		field{"dispOrd", &d.DispOrd, maxOrder, orderRE.MatchString, digits})
}

func parseEmployee(b []byte) (u Employee, bad *apiError) {
	f, bad := parseBody(b)
	if bad == nil {
		bad = f.read(true,
			field{"loginId", &u.LoginID, maxLogin, loginRE.MatchString, "may hold only letters, digits, '.', '_' and '-'"},
			field{"emailAddress", &u.EmailAddress, maxEmail, targetsim.EmailRE.MatchString, "is not an e-mail address"},
			field{"employYmd", &u.EmployYmd, 10, isDate, "must be yyyy-MM-dd"})
	}
	if bad == nil {
		u.Name, u.I18nNames, bad = f.names()
	}
	if bad == nil {
		bad = f.read(true, field{"deptExternalKey", &u.DeptExternalKey, maxKey, nil, ""})
	}
	if bad != nil {
		return u, bad
	}
	raw, has := f.Body["concurrentDeptExternalKeys"]
	if !has || json.Unmarshal(raw, &u.ConcurrentDeptExternalKeys) != nil || u.ConcurrentDeptExternalKeys == nil {
		return u, fieldErr("concurrentDeptExternalKeys", "is required and must be an array of strings ([] for none)")
	}
	const phone = "may hold only digits, +, -, spaces and parentheses"
	return u, f.read(false,
		field{"gradeCdExternalKey", &u.GradeCdExternalKey, maxKey, nil, ""},
		field{"jobCdExternalKey", &u.JobCdExternalKey, maxKey, nil, ""},
		field{"telephoneNo", &u.TelephoneNo, maxTel, targetsim.PhoneRE.MatchString, phone},
		field{"cellphoneNo", &u.CellphoneNo, maxCph, targetsim.PhoneRE.MatchString, phone},
		field{"localeTypeCd", &u.LocaleTypeCd, 10, func(v string) bool { return targetsim.Locales[v] }, "unknown locale"},
		field{"tmznTypeCd", &u.TmznTypeCd, 64, targetsim.ValidZone, "unknown time zone"})
}

func isDate(v string) bool {
	_, err := time.Parse("2006-01-02", v)
	return err == nil
}
