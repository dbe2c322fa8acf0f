package workplacesim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // time zone checks must not depend on the host's tzdata
	"unicode/utf8"
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

var locales = map[string]bool{"ko_KR": true, "en_US": true, "ja_JP": true, "zh_CN": true, "zh_TW": true}

var (
	emailRE = regexp.MustCompile(`^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+$`)
	loginRE = regexp.MustCompile(`^[A-Za-z0-9._\-]+$`)
	phoneRE = regexp.MustCompile(`^[0-9+\-() ]*[0-9][0-9+\-() ]*$`)
	orderRE = regexp.MustCompile(`^[0-9]+$`)
)

// apiError is an error answer: a service error in the seed-003 shape
// {"status","code","message","errors"}, or (gateway) an API Gateway error
// {"error":{"errorCode","message"}}.
type apiError struct {
	status  int
	code    string
	message string
	field   string // the field a rule failed on, reported in errors[]
	gateway bool
	noCode  bool // a service answer without a code (Strict.NotFoundVariants)
}

func (e *apiError) Error() string { return e.code + " " + e.message }

func svc(status int, code, msg string) *apiError {
	return &apiError{status: status, code: code, message: msg}
}
func gw(status int, code, msg string) *apiError {
	return &apiError{status: status, code: code, message: msg, gateway: true}
}

// fieldErr is a field rule failure (400, -1030) naming the field.
func fieldErr(field, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "-1030", message: "invalid request field", field: field + ": " + msg}
}

// Gateway errors (ncp-api.md §4).
var (
	errAuth        = gw(http.StatusUnauthorized, "200", "Authentication Failed")
	errRateLimited = gw(http.StatusTooManyRequests, "420", "Rate Limited")
	errEndpoint    = gw(http.StatusServiceUnavailable, "500", "Endpoint Error")
	errTooLarge    = gw(http.StatusRequestEntityTooLarge, "430", "Request Entity Too Large")
	errNoSuchPath  = gw(http.StatusNotFound, "300", "Not Found Exception")
)

// Service errors (docs/protocol.md, "WORKPLACE").
var (
	errCompany       = svc(http.StatusBadRequest, "-1001", "company not found")
	errBadBody       = svc(http.StatusBadRequest, "-1002", "request body is not readable JSON")
	errSyncOff       = svc(http.StatusForbidden, "-1003", "organization sync is not enabled for this item")
	errMethod        = svc(http.StatusMethodNotAllowed, "-1004", "method not allowed")
	errMediaType     = svc(http.StatusUnsupportedMediaType, "-1005", "unsupported media type")
	errExists        = svc(http.StatusConflict, "-1010", "external key already exists")
	errGradeMissing  = svc(http.StatusNotFound, "-1011", "grade not found")
	errJobMissing    = svc(http.StatusNotFound, "-1012", "job not found")
	errDeptMissing   = svc(http.StatusNotFound, "-1014", "dept not found")
	errEmpMissing    = svc(http.StatusNotFound, "-1015", "emp not found")
	errGradeRef      = svc(http.StatusBadRequest, "-1011", "grade not found")
	errJobRef        = svc(http.StatusBadRequest, "-1012", "job not found")
	errDeptRef       = svc(http.StatusBadRequest, "-1014", "dept not found")
	errParentMissing = svc(http.StatusBadRequest, "-1016", "parent dept not found")
	errSelfParent    = svc(http.StatusBadRequest, "-1017", "parent dept can not be the dept itself")
	errCycle         = svc(http.StatusBadRequest, "-1018", "parent dept can not be a sub dept of the dept")
	errDupName       = svc(http.StatusConflict, "-1020", "name already exists")
	errDupLogin      = svc(http.StatusConflict, "-1021", "loginId already exists")
	errDupEmail      = svc(http.StatusConflict, "-1021", "emailAddress already exists")
	errHasChildren   = svc(http.StatusBadRequest, "-1040", "the dept has sub depts")
	errHasMembers    = svc(http.StatusBadRequest, "-1040", "the dept has employees")
	errInUse         = svc(http.StatusBadRequest, "-1040", "the item is assigned to employees")
	errRejected      = svc(http.StatusBadRequest, "-1050", "request rejected")
	errBadQuery      = svc(http.StatusBadRequest, "-1030", "offset and limit must be whole numbers, limit 1..1000")
)

type body map[string]json.RawMessage

func parseBody(b []byte) (body, *apiError) {
	var f body
	if len(bytes.TrimSpace(b)) == 0 || json.Unmarshal(b, &f) != nil || f == nil {
		return nil, errBadBody
	}
	return f, nil
}

// str returns a string field: present is false for absent or null, ok
// false for another type.
func (f body) str(name string) (v string, present, ok bool) {
	raw, has := f[name]
	if !has || string(raw) == "null" {
		return "", false, true
	}
	if json.Unmarshal(raw, &v) != nil {
		return "", true, false
	}
	return v, true, true
}

// required reads a required string field of at most max characters.
func (f body) required(name string, max int) (string, *apiError) {
	v, present, ok := f.str(name)
	switch {
	case !ok:
		return "", fieldErr(name, "must be a string")
	case !present || strings.TrimSpace(v) == "":
		return "", fieldErr(name, "is required")
	case utf8.RuneCountInString(v) > max:
		return "", fieldErr(name, "is longer than "+strconv.Itoa(max)+" characters")
	}
	return v, nil
}

// optional reads an optional string field of at most max characters.
func (f body) optional(name string, max int) (string, *apiError) {
	v, _, ok := f.str(name)
	switch {
	case !ok:
		return "", fieldErr(name, "must be a string")
	case utf8.RuneCountInString(v) > max:
		return "", fieldErr(name, "is longer than "+strconv.Itoa(max)+" characters")
	}
	return v, nil
}

func (f body) i18n() (map[string]string, *apiError) {
	raw, has := f["i18nNames"]
	if !has || string(raw) == "null" {
		return nil, nil
	}
	var m map[string]string
	if json.Unmarshal(raw, &m) != nil {
		return nil, fieldErr("i18nNames", "must be an object of locale to name")
	}
	for loc, name := range m {
		if !locales[loc] {
			return nil, fieldErr("i18nNames", "unknown locale "+loc)
		}
		if utf8.RuneCountInString(name) > maxName {
			return nil, fieldErr("i18nNames."+loc, "is longer than 100 characters")
		}
	}
	if len(m) == 0 {
		m = nil
	}
	return m, nil
}

// order reads a display order: a string of digits (v2 sends strings).
func (f body) order(name string) (string, *apiError) {
	v, err := f.required(name, maxOrder)
	if err != nil {
		return "", err
	}
	if !orderRE.MatchString(v) {
		return "", fieldErr(name, "must be a string of digits")
	}
	return v, nil
}

func validKey(key string) *apiError {
	if n := utf8.RuneCountInString(key); n == 0 || n > maxKey || key == "#" || strings.ContainsAny(key, "\x00\r\n\t") {
		return fieldErr("externalKey", "must be 1..100 characters and not #")
	}
	return nil
}

func parseItem(b []byte) (Item, *apiError) {
	f, bad := parseBody(b)
	if bad != nil {
		return Item{}, bad
	}
	var it Item
	if it.Name, bad = f.required("name", maxName); bad != nil {
		return it, bad
	}
	if it.I18nNames, bad = f.i18n(); bad != nil {
		return it, bad
	}
	raw, has := f["itemUsed"]
	if !has || json.Unmarshal(raw, &it.ItemUsed) != nil {
		return it, fieldErr("itemUsed", "is required and must be a boolean")
	}
	it.SortOrder, bad = f.order("sortOrder")
	return it, bad
}

func parseDept(key string, b []byte) (Dept, *apiError) {
	f, bad := parseBody(b)
	if bad != nil {
		return Dept{}, bad
	}
	var d Dept
	if d.Name, bad = f.required("name", maxName); bad != nil {
		return d, bad
	}
	if d.I18nNames, bad = f.i18n(); bad != nil {
		return d, bad
	}
	if d.DeptExternalKey, bad = f.required("deptExternalKey", maxKey); bad != nil {
		return d, bad
	}
	if d.DeptExternalKey != key {
		return d, fieldErr("deptExternalKey", "differs from the external key in the path")
	}
	if d.ParentDeptExternalKey, bad = f.required("parentDeptExternalKey", maxKey); bad != nil {
		return d, bad
	}
	d.DispOrd, bad = f.order("dispOrd")
	return d, bad
}

func parseEmployee(b []byte) (Employee, *apiError) {
	f, bad := parseBody(b)
	if bad != nil {
		return Employee{}, bad
	}
	var u Employee
	if u.LoginID, bad = f.required("loginId", maxLogin); bad != nil {
		return u, bad
	}
	if !loginRE.MatchString(u.LoginID) {
		return u, fieldErr("loginId", "may hold only letters, digits, '.', '_' and '-'")
	}
	if u.EmailAddress, bad = f.required("emailAddress", maxEmail); bad != nil {
		return u, bad
	}
	if !emailRE.MatchString(u.EmailAddress) {
		return u, fieldErr("emailAddress", "is not an e-mail address")
	}
	if u.EmployYmd, bad = f.required("employYmd", 10); bad != nil {
		return u, bad
	}
	if _, err := time.Parse("2006-01-02", u.EmployYmd); err != nil {
		return u, fieldErr("employYmd", "must be yyyy-MM-dd")
	}
	if u.Name, bad = f.required("name", maxName); bad != nil {
		return u, bad
	}
	if u.I18nNames, bad = f.i18n(); bad != nil {
		return u, bad
	}
	if u.DeptExternalKey, bad = f.required("deptExternalKey", maxKey); bad != nil {
		return u, bad
	}
	raw, has := f["concurrentDeptExternalKeys"]
	if !has || json.Unmarshal(raw, &u.ConcurrentDeptExternalKeys) != nil || u.ConcurrentDeptExternalKeys == nil {
		return u, fieldErr("concurrentDeptExternalKeys", "is required and must be an array of strings ([] for none)")
	}
	if u.GradeCdExternalKey, bad = f.optional("gradeCdExternalKey", maxKey); bad != nil {
		return u, bad
	}
	if u.JobCdExternalKey, bad = f.optional("jobCdExternalKey", maxKey); bad != nil {
		return u, bad
	}
	if u.TelephoneNo, bad = phone(f, "telephoneNo", maxTel); bad != nil {
		return u, bad
	}
	if u.CellphoneNo, bad = phone(f, "cellphoneNo", maxCph); bad != nil {
		return u, bad
	}
	if u.LocaleTypeCd, bad = f.optional("localeTypeCd", 10); bad != nil {
		return u, bad
	}
	if u.LocaleTypeCd != "" && !locales[u.LocaleTypeCd] {
		return u, fieldErr("localeTypeCd", "unknown locale")
	}
	if u.TmznTypeCd, bad = f.optional("tmznTypeCd", 64); bad != nil {
		return u, bad
	}
	if u.TmznTypeCd != "" && !validZone(u.TmznTypeCd) {
		return u, fieldErr("tmznTypeCd", "unknown time zone")
	}
	return u, nil
}

func phone(f body, name string, max int) (string, *apiError) {
	v, err := f.optional(name, max)
	if err != nil || v == "" {
		return v, err
	}
	if !phoneRE.MatchString(v) {
		return "", fieldErr(name, "may hold only digits, +, -, spaces and parentheses")
	}
	return v, nil
}

var zones sync.Map

func validZone(name string) bool {
	if _, ok := zones.Load(name); ok {
		return true
	}
	if _, err := time.LoadLocation(name); err != nil || name == "Local" {
		return false
	}
	zones.Store(name, true)
	return true
}
