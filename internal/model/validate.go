package model

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits from the WORKBOX field tables (seed 000, the org-sync Open API pages), counted in
// characters, not bytes: a 100-character Korean name is 300 bytes.
const (
	MaxKey   = 36
	MaxName  = 100
	MaxEmail = 100
	MaxTel   = 30
	MaxPhone = 100
)

// Locales the targets accept for localeTypeCd.
var Locales = []string{"ko_KR", "en_US", "ja_JP", "zh_CN", "zh_TW"}

// Validate checks one record on its own (lengths, formats, required
// fields). Rules that need other records (duplicates, the department Tree,
// Refs) are checked over the whole snapshot (store.CheckSnapshot).
func (e Entity) Validate() *FieldError {
	bad := func(field, format string, a ...any) *FieldError {
		return &FieldError{Kind: e.Kind, Key: e.Key, Field: field, Reason: fmt.Sprintf(format, a...)}
	}
	if fe := checkKey(e.Key); fe != "" {
		return bad("key", "%s", fe)
	}
	if fe := checkText(e.Name, MaxName, true); fe != "" {
		return bad("name", "%s", fe)
	}
	for loc, n := range e.I18nNames {
		if fe := checkText(n, MaxName, false); fe != "" {
			return bad("i18nNames."+loc, "%s", fe)
		}
	}
	if e.SortOrder < 0 {
		return bad("sortOrder", "must not be negative, got %d", e.SortOrder)
	}
	switch e.Kind {
	case Department:
		if e.ParentKey == "" {
			return bad("parentKey", "is empty; a top department has parent %q", TopParent)
		}
		if e.ParentKey != TopParent {
			if fe := checkKey(e.ParentKey); fe != "" {
				return bad("parentKey", "%s", fe)
			}
		}
		if e.ParentKey == e.Key {
			return bad("parentKey", "is the department itself")
		}
	case Employee:
		return e.validateEmployee(bad)
	}
	return nil
}

func (e Entity) validateEmployee(bad func(string, string, ...any) *FieldError) *FieldError {
	if e.Email == "" {
		return bad("email", "is required (it is the login id)")
	}
	if fe := checkEmail(e.Email); fe != "" {
		return bad("email", "%s", fe)
	}
	for _, ref := range Refs {
		if v := *e.Text(ref.Field); ref.From == Employee && v != "" {
			if fe := checkKey(v); fe != "" {
				return bad(ref.Field, "%s", fe)
			}
		}
	}
	if fe := checkPhone(e.Tel, MaxTel); fe != "" {
		return bad("tel", "%s", fe)
	}
	if fe := checkPhone(e.Mobile, MaxPhone); fe != "" {
		return bad("mobile", "%s", fe)
	}
	if e.Locale != "" && !contains(Locales, e.Locale) {
		return bad("locale", "%q is not one of %s", e.Locale, strings.Join(Locales, ", "))
	}
	if e.TimeZone != "" {
		if _, err := time.LoadLocation(e.TimeZone); err != nil || e.TimeZone == "Local" {
			return bad("timeZone", "%q is not an IANA time zone", e.TimeZone)
		}
	}
	if e.EmployYmd != "" {
		if _, err := time.Parse("2006-01-02", e.EmployYmd); err != nil {
			return bad("employYmd", "%q is not a yyyy-MM-dd date", e.EmployYmd)
		}
	}
	return nil
}

func checkKey(k string) string {
	switch n := utf8.RuneCountInString(k); {
	case k == "":
		return "is empty"
	case !utf8.ValidString(k):
		return "is not valid UTF-8"
	case n > MaxKey:
		return fmt.Sprintf("is %d characters, at most %d allowed", n, MaxKey)
	case k == TopParent:
		return fmt.Sprintf("%q is reserved for the top of the department tree", TopParent)
	case strings.ContainsAny(k, "/?#%\\"):
		return fmt.Sprintf("%q contains a character not allowed in a URL path segment", k)
	}
	for _, r := range k {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return fmt.Sprintf("%q contains a control or space character", k)
		}
	}
	return ""
}

func checkText(s string, max int, required bool) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	if strings.TrimSpace(s) == "" {
		if required {
			return "is empty"
		}
		return ""
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Sprintf("is %d characters, at most %d allowed", n, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Sprintf("contains control character %U", r)
		}
	}
	return ""
}

func checkEmail(s string) string {
	if n := utf8.RuneCountInString(s); n > MaxEmail {
		return fmt.Sprintf("is %d characters, at most %d allowed", n, MaxEmail)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
		return fmt.Sprintf("%q is not an e-mail address", s)
	}
	return ""
}

func checkPhone(s string, max int) string {
	if s == "" {
		return ""
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Sprintf("is %d characters, at most %d allowed", n, max)
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+- ()", r):
		default:
			return fmt.Sprintf("%q may hold only digits, +, -, spaces and parentheses", s)
		}
	}
	if digits < 3 {
		return fmt.Sprintf("%q has too few digits", s)
	}
	return ""
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
