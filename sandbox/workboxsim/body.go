package workboxsim

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

// Field rules. Lengths count characters, as the Java service does.
const (
	maxName  = 100
	maxKey   = 36
	maxEmail = 100
	maxTel   = 30
	maxCph   = 100
)

// Locales the service knows (i18nNames keys and localeTypeCd).
var locales = map[string]bool{"ko_KR": true, "en_US": true, "ja_JP": true, "zh_CN": true, "zh_TW": true}

var (
	emailRE = regexp.MustCompile(`^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+$`)
	phoneRE = regexp.MustCompile(`^[0-9+\-() ]*[0-9][0-9+\-() ]*$`)
)

// apiError is a WORKBOX error answer.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + " " + e.message }

func badRequest(code, msg string) *apiError { return &apiError{http.StatusBadRequest, code, msg} }

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
)

// body is a request body split into fields, so that a wrong type is a
// field error (as Jackson reports it) rather than an unreadable body.
type body map[string]json.RawMessage

func parseBody(b []byte) (body, *apiError) {
	var f body
	if len(bytes.TrimSpace(b)) == 0 || json.Unmarshal(b, &f) != nil || f == nil {
		return nil, errBadBody
	}
	return f, nil
}

// str returns a string field; present is false for absent or null, ok is
// false for a value of another type.
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

// optStr is str for optional fields: wrong type yields bad.
func (f body) optStr(name string, bad *apiError) (string, *apiError) {
	v, _, ok := f.str(name)
	if !ok {
		return "", bad
	}
	return v, nil
}

func validKey(key string) *apiError {
	if n := utf8.RuneCountInString(key); n == 0 || n > maxKey || key == "#" || strings.ContainsAny(key, "\x00\r\n\t") {
		return errKeyFmt
	}
	return nil
}

func (f body) name() (string, *apiError) {
	v, present, ok := f.str("name")
	switch {
	case !ok:
		return "", errNameFmt
	case !present || strings.TrimSpace(v) == "":
		return "", errNameReq
	case utf8.RuneCountInString(v) > maxName:
		return "", errNameFmt
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
		return nil, errNameFmt
	}
	for loc, name := range m {
		if !locales[loc] {
			return nil, errLocaleFmt
		}
		if utf8.RuneCountInString(name) > maxName {
			return nil, errNameFmt
		}
	}
	return m, nil
}

// sortOrd accepts an integer or a string holding one, as Jackson coerces
// both ways; the protocol sends an int for grades and a string for depts.
func (f body) sortOrd() (int, *apiError) {
	raw, has := f["sortOrd"]
	if !has || string(raw) == "null" {
		return 0, errSortReq
	}
	text := string(raw)
	if s, _, ok := f.str("sortOrd"); ok {
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

func parseItem(b []byte) (Item, *apiError) {
	f, bad := parseBody(b)
	if bad != nil {
		return Item{}, bad
	}
	var it Item
	if it.Name, bad = f.name(); bad != nil {
		return it, bad
	}
	if it.I18nNames, bad = f.i18n(); bad != nil {
		return it, bad
	}
	it.SortOrd, bad = f.sortOrd()
	return it, bad
}

func parseDept(b []byte) (Dept, *apiError) {
	f, bad := parseBody(b)
	if bad != nil {
		return Dept{}, bad
	}
	var d Dept
	if d.Name, bad = f.name(); bad != nil {
		return d, bad
	}
	if d.I18nNames, bad = f.i18n(); bad != nil {
		return d, bad
	}
	n, bad := f.sortOrd()
	if bad != nil {
		return d, bad
	}
	d.SortOrd = strconv.Itoa(n)
	upr, _, ok := f.str("uprDeptExternalKey")
	if !ok || upr == "" {
		// Required by the doc ("#" for a top department); there is no
		// dedicated code, so it is an unknown parent.
		return d, errUprNotFound
	}
	d.UprDeptExternalKey = upr
	return d, nil
}

func parseUser(b []byte) (User, *apiError) {
	f, bad := parseBody(b)
	if bad != nil {
		return User{}, bad
	}
	var u User
	if u.Name, bad = f.name(); bad != nil {
		return u, bad
	}
	if u.I18nNames, bad = f.i18n(); bad != nil {
		return u, bad
	}
	email, present, ok := f.str("emailAddr")
	switch {
	case !ok:
		return u, errEmailFmt
	case !present || strings.TrimSpace(email) == "":
		return u, errEmailReq
	case utf8.RuneCountInString(email) > maxEmail || !emailRE.MatchString(email):
		return u, errEmailFmt
	}
	u.EmailAddr = email
	// A referenced key of the wrong type can never exist: not found.
	if u.DeptExternalKey, bad = f.optStr("deptExternalKey", errDeptRef); bad != nil {
		return u, bad
	}
	if u.GradeExternalKey, bad = f.optStr("gradeExternalKey", errGradeRef); bad != nil {
		return u, bad
	}
	if u.PositionExternalKey, bad = f.optStr("positionExternalKey", errPositionRef); bad != nil {
		return u, bad
	}
	if u.TelNo, bad = phone(f, "telNo", maxTel, errTelFmt); bad != nil {
		return u, bad
	}
	if u.CphNo, bad = phone(f, "cphNo", maxCph, errCphFmt); bad != nil {
		return u, bad
	}
	if u.LocaleTypeCd, bad = f.optStr("localeTypeCd", errLocaleFmt); bad != nil {
		return u, bad
	}
	if u.LocaleTypeCd != "" && !locales[u.LocaleTypeCd] {
		return u, errLocaleFmt
	}
	if u.TmznTypeCd, bad = f.optStr("tmznTypeCd", errTzFmt); bad != nil {
		return u, bad
	}
	if u.TmznTypeCd != "" && !validZone(u.TmznTypeCd) {
		return u, errTzFmt
	}
	return u, nil
}

// phone checks a phone field: digits, "+", "-", spaces and parentheses,
// at least one digit, at most max characters. Empty means absent.
func phone(f body, name string, max int, bad *apiError) (string, *apiError) {
	v, err := f.optStr(name, bad)
	if err != nil || v == "" {
		return v, err
	}
	if len(v) > max || !phoneRE.MatchString(v) {
		return "", bad
	}
	return v, nil
}

// zones caches valid names only (LoadLocation parses tzdata on every call;
// caching invalid ones would let a bad-input corpus grow the map).
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
