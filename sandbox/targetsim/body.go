package targetsim

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sync"
	"time"
	_ "time/tzdata" // time zone checks must not depend on the host's tzdata
	"unicode/utf8"
)

// Field rules both products share (lengths count characters, as the Java
// services do).
var (
	// Locales are the known locales (i18nNames keys and localeTypeCd).
	Locales = map[string]bool{"ko_KR": true, "en_US": true, "ja_JP": true, "zh_CN": true, "zh_TW": true}
	EmailRE = regexp.MustCompile(`^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+$`)
	// PhoneRE: digits, "+", "-", spaces and parentheses, at least one digit.
	PhoneRE = regexp.MustCompile(`^[0-9+\-() ]*[0-9][0-9+\-() ]*$`)
)

// Body is a request body split into fields, so that a wrong type is a
// field error (as Jackson reports it) rather than an unreadable body.
type Body map[string]json.RawMessage

// ParseBody splits a JSON object; anything else is answered bad.
func ParseBody(b []byte, bad *Error) (f Body, _ *Error) {
	if len(bytes.TrimSpace(b)) == 0 || json.Unmarshal(b, &f) != nil || f == nil {
		return nil, bad
	}
	return f, nil
}

// Str returns a string field; present is false for absent or null, ok is
// false for a value of another type.
func (f Body) Str(name string) (v string, present, ok bool) {
	raw, has := f[name]
	if !has || string(raw) == "null" {
		return "", false, true
	}
	if json.Unmarshal(raw, &v) != nil {
		return "", true, false
	}
	return v, true, true
}

// I18nFault is what is wrong with i18nNames.
type I18nFault int

const (
	I18nOK        I18nFault = iota
	I18nNotObject           // not an object of strings
	I18nLocale              // a key that is not in Locales
	I18nTooLong             // a name over the limit
)

// I18n reads i18nNames (nil when absent or null); on a fault, loc is the
// locale at fault.
func (f Body) I18n(maxName int) (m map[string]string, fault I18nFault, loc string) {
	raw, has := f["i18nNames"]
	if !has || string(raw) == "null" {
		return nil, I18nOK, ""
	}
	if json.Unmarshal(raw, &m) != nil {
		return nil, I18nNotObject, ""
	}
	for loc, name := range m {
		if !Locales[loc] {
			return nil, I18nLocale, loc
		}
		if utf8.RuneCountInString(name) > maxName {
			return nil, I18nTooLong, loc
		}
	}
	return m, I18nOK, ""
}

// zones caches valid names only (LoadLocation parses tzdata on every call;
// caching invalid ones would let a bad-input corpus grow the map).
var zones sync.Map

// ValidZone says whether name is an IANA time zone ("Local" is not).
func ValidZone(name string) bool {
	if _, ok := zones.Load(name); ok {
		return true
	}
	if _, err := time.LoadLocation(name); err != nil || name == "Local" {
		return false
	}
	zones.Store(name, true)
	return true
}
