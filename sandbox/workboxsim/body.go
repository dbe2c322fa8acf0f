package workboxsim

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/orgsync/orgsync/sandbox/gatewaysim"
	"github.com/orgsync/orgsync/sandbox/targetsim"
)

// Field rules. Lengths count characters, as the Java service does.
const (
	maxName  = 100
	maxKey   = 36
	maxEmail = 100
	maxTel   = 30
	maxCph   = 100
)

type apiError = targetsim.Error

// WORKBOX answers every error in the gateway's shape
// {"error":{"errorCode","message"}}.
func fail(status int, code, msg string) *apiError {
	return &apiError{Status: status, Code: code, Message: msg, Gateway: true}
}

func badRequest(code, msg string) *apiError { return fail(http.StatusBadRequest, code, msg) }

var (
	errBadBody     = badRequest("180018", "Bad request")
	errNameReq     = badRequest("181001", "Name is required")
	errNameFmt     = badRequest("181002", "Name format error")
	errKeyFmt      = badRequest("181003", "External key format error")
	errTelFmt      = badRequest("181004", "Tel number format error")
	errCphFmt      = badRequest("181005", "Cell phone number format error")
	errLocaleFmt   = badRequest("181006", "Locale type format error")
	errTzFmt       = badRequest("181007", "Time zone format error")
	errEmailReq    = badRequest("181008", "User email address is required")
	errEmailFmt    = badRequest("181009", "User email address format error")
	errSortReq     = badRequest("181010", "Display order is required")
	errSortFmt     = badRequest("181011", "Display order format error")
	errUprNotFound = badRequest("180004", "Upper dept external key not found")
	errDeptRef     = badRequest("180007", "Department not found")
	errGradeRef    = badRequest("180013", "Job grade not found")
	errPositionRef = badRequest("180015", "Job position not found")
)

// errs are the answers to the skeleton's checks.
var errs = targetsim.Errors{
	Refused: [...]*apiError{
		gatewaysim.BadBody:   errBadBody,
		gatewaysim.Method:    fail(http.StatusMethodNotAllowed, "180022", "Method not allowed"),
		gatewaysim.MediaType: fail(http.StatusUnsupportedMediaType, "180023", "Unsupported media type"),
		gatewaysim.SyncOff:   fail(http.StatusForbidden, "180001", "Forbidden, please check the sync setting in console"),
		gatewaysim.Rejected:  badRequest("180018", "Bad request"),
	},
	Company: badRequest("180000", "Company does not exist"),
	Key:     errKeyFmt,
	Exists:  fail(http.StatusConflict, "180011", "External key exists"),
	Missing: [4]*apiError{
		fail(http.StatusNotFound, "180013", "Job grade not found"),
		fail(http.StatusNotFound, "180015", "Job position not found"),
		fail(http.StatusNotFound, "180007", "Department not found"),
		fail(http.StatusNotFound, "180019", "User not found"),
	},
	Ref:           [3]*apiError{errDeptRef, errGradeRef, errPositionRef},
	ParentMissing: errUprNotFound,
	SelfParent:    badRequest("180006", "Upper externalKey can not be the current dept externalKey"),
	Cycle:         badRequest("180009", "Upper dept can not be the current dept's sub dept"),
	HasChildren:   badRequest("180018", "Bad request: the department has sub departments"),
	HasMembers:    badRequest("180018", "Bad request: the department has members"),
	InUse:         badRequest("180018", "Bad request: the item is assigned to members"),
	Unique:        []*apiError{fail(http.StatusConflict, "180017", "User login ID already exist")},
}

// body adds WORKBOX's field rules to the shared reader.
type body struct{ targetsim.Body }

func parseBody(b []byte) (body, *apiError) {
	f, bad := targetsim.ParseBody(b, errBadBody)
	return body{f}, bad
}

// optStr reads an optional string field: wrong type yields bad.
func (f body) optStr(name string, bad *apiError) (string, *apiError) {
	v, _, ok := f.Str(name)
	if !ok {
		return "", bad
	}
	return v, nil
}

// names reads name and i18nNames.
func (f body) names() (string, map[string]string, *apiError) {
	v, present, ok := f.Str("name")
	switch {
	case !ok:
		return "", nil, errNameFmt
	case !present || strings.TrimSpace(v) == "":
		return "", nil, errNameReq
	case utf8.RuneCountInString(v) > maxName:
		return "", nil, errNameFmt
	}
	m, fault, _ := f.I18n(maxName)
	switch fault {
	case targetsim.I18nOK:
		return v, m, nil
	case targetsim.I18nLocale:
		return "", nil, errLocaleFmt
	}
	return "", nil, errNameFmt
}

// sortOrd accepts an integer or a string holding one, as Jackson coerces
// both ways; the protocol sends an int for grades and a string for depts.
func (f body) sortOrd() (int, *apiError) {
	raw, has := f.Body["sortOrd"]
	if !has || string(raw) == "null" {
		return 0, errSortReq
	}
	text := string(raw)
	if s, _, ok := f.Str("sortOrd"); ok {
		if strings.TrimSpace(s) == "" {
			return 0, errSortReq
		}
		text = s
	}
	n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 32)
	if err != nil || n < 0 {
		return 0, errSortFmt
	}
	return int(n), nil
}

func parseItem(b []byte) (it Item, bad *apiError) {
	f, bad := parseBody(b)
	if bad == nil {
		it.Name, it.I18nNames, bad = f.names()
	}
	if bad == nil {
		it.SortOrd, bad = f.sortOrd()
	}
	return it, bad
}

func parseDept(_ string, b []byte) (d Dept, bad *apiError) {
	f, bad := parseBody(b)
	if bad == nil {
		d.Name, d.I18nNames, bad = f.names()
	}
	if bad != nil {
		return d, bad
	}
	n, bad := f.sortOrd()
	if bad != nil {
		return d, bad
	}
	d.SortOrd = strconv.Itoa(n)
	upr, _, ok := f.Str("uprDeptExternalKey")
	if !ok || upr == "" {
		// Required by the doc ("#" for a top department); there is no
		// dedicated code, so it is an unknown parent.
		return d, errUprNotFound
	}
	d.UprDeptExternalKey = upr
	return d, nil
}

func parseUser(b []byte) (u User, bad *apiError) {
	f, bad := parseBody(b)
	if bad == nil {
		u.Name, u.I18nNames, bad = f.names()
	}
	if bad != nil {
		return u, bad
	}
	email, present, ok := f.Str("emailAddr")
	switch {
	case !ok:
		return u, errEmailFmt
	case !present || strings.TrimSpace(email) == "":
		return u, errEmailReq
	case utf8.RuneCountInString(email) > maxEmail || !targetsim.EmailRE.MatchString(email):
		return u, errEmailFmt
	}
	u.EmailAddr = email
	// Each optional field in order, with the error its wrong value gets.
	// A referenced key of the wrong type can never exist: not found.
	for _, o := range []struct {
		name string
		dst  *string
		bad  *apiError
		ok   func(string) bool // nil: any string
	}{
		{"deptExternalKey", &u.DeptExternalKey, errDeptRef, nil},
		{"gradeExternalKey", &u.GradeExternalKey, errGradeRef, nil},
		{"positionExternalKey", &u.PositionExternalKey, errPositionRef, nil},
		{"telNo", &u.TelNo, errTelFmt, phone(maxTel)},
		{"cphNo", &u.CphNo, errCphFmt, phone(maxCph)},
		{"localeTypeCd", &u.LocaleTypeCd, errLocaleFmt, func(v string) bool { return targetsim.Locales[v] }},
		{"tmznTypeCd", &u.TmznTypeCd, errTzFmt, targetsim.ValidZone},
	} {
		v, bad := f.optStr(o.name, o.bad)
		if bad == nil && v != "" && o.ok != nil && !o.ok(v) {
			bad = o.bad
		}
		if bad != nil {
			return u, bad
		}
		*o.dst = v
	}
	return u, nil
}

// phone checks a phone field of at most max bytes.
func phone(max int) func(string) bool {
	return func(v string) bool { return len(v) <= max && targetsim.PhoneRE.MatchString(v) }
}
