// Package workbox is the NAVER Cloud WORKBOX org-sync client: create,
// replace and delete job grades, job positions, departments and members by
// external key (docs/protocol.md, "WORKBOX"). It implements target.Client
// and classifies every answer as *target.Error.
package workbox

import (
	"fmt"
	"log/slog"
	"strconv"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpapi"
	"github.com/orgsync/orgsync/internal/ncpauth"
)

// ProductionURL is the WORKBOX org API behind the NCP API Gateway.
const ProductionURL = "https://workbox.apigw.ntruss.com/workbox/workbox/openapi/v1"

// Defaults and limits.
const (
	DefaultTimeout = ncpapi.DefaultTimeout
	// MaxResponseBytes bounds what is read of an answer: WORKBOX answers are
	// tiny, so anything larger is a misbehaving proxy, not data.
	MaxResponseBytes = 1 << 20
)

// Config is what a Client needs: the account, with BaseURL e.g.
// ProductionURL or http://127.0.0.1:8088/workbox/workbox/openapi/v1, and
// the API key. SecretKey and APIKey never leave it through String,
// GoString, LogValue or JSON.
type Config struct {
	ncpapi.Account
	APIKey string `json:"-"`
	// SignatureV1 is the v1 string to sign: "apikey" (default, with the
	// API-key line) or "sdk" (without it); see ncpauth.
	SignatureV1 string
}

// String prints the config without credentials.
func (c Config) String() string {
	return fmt.Sprintf("workbox.Config{%s APIKey:%s SignatureV1:%s}", c.Account, ncpauth.Redact(c.APIKey), c.SignatureV1)
}

// GoString keeps %#v from dumping the secret.
func (c Config) GoString() string { return c.String() }

// LogValue keeps slog from dumping the secret.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Resource returns the path segment of a kind: job-grade, job-position,
// dept or user ("" for an unknown kind).
func Resource(k model.Kind) string {
	switch k {
	case model.Grade:
		return "job-grade"
	case model.Position:
		return "job-position"
	case model.Department:
		return "dept"
	case model.Employee:
		return "user"
	}
	return ""
}

// notFoundCode is the error code WORKBOX gives for a missing object of each
// resource; on PUT/DELETE of that resource it means the key itself is
// missing, anywhere else it names a missing reference.
var notFoundCode = map[string]string{
	"job-grade":    "180013",
	"job-position": "180015",
	"dept":         "180007",
	"user":         "180019",
}

// label names the console's sync switch of a resource (seed 000).
var label = map[string]string{
	"job-grade":    "직급 (job grade)",
	"job-position": "직책 (job position)",
	"dept":         "부서 (department)",
	"user":         "구성원 (member)",
}

// codeBody is a job-grade or job-position body.
type codeBody struct {
	Name      string            `json:"name"`
	I18nNames map[string]string `json:"i18nNames"`
	SortOrd   int               `json:"sortOrd"`
}

// deptBody: sortOrd is a string, as the WORKBOX doc says.
type deptBody struct {
	Name               string            `json:"name"`
	I18nNames          map[string]string `json:"i18nNames"`
	SortOrd            string            `json:"sortOrd"`
	UprDeptExternalKey string            `json:"uprDeptExternalKey"`
}

type userBody struct {
	Name                string            `json:"name"`
	I18nNames           map[string]string `json:"i18nNames"`
	DeptExternalKey     string            `json:"deptExternalKey,omitempty"`
	GradeExternalKey    string            `json:"gradeExternalKey,omitempty"`
	PositionExternalKey string            `json:"positionExternalKey,omitempty"`
	EmailAddr           string            `json:"emailAddr"`
	TelNo               string            `json:"telNo,omitempty"`
	CphNo               string            `json:"cphNo,omitempty"`
	LocaleTypeCd        string            `json:"localeTypeCd,omitempty"`
	TmznTypeCd          string            `json:"tmznTypeCd,omitempty"`
}

// body maps an entity to its request body. The same body serves POST and
// PUT: PUT replaces the whole object, so an empty optional field is left out
// (cleared) rather than sent as "", which the format rules would refuse.
func body(e model.Entity) any {
	e = ncpapi.Sendable(e)
	switch e.Kind {
	case model.Grade, model.Position:
		return codeBody{Name: e.Name, I18nNames: e.I18nNames, SortOrd: e.SortOrder}
	case model.Department:
		return deptBody{Name: e.Name, I18nNames: e.I18nNames, SortOrd: strconv.Itoa(e.SortOrder), UprDeptExternalKey: e.ParentKey}
	case model.Employee:
		return userBody{
			Name: e.Name, I18nNames: e.I18nNames,
			DeptExternalKey: e.DeptKey, GradeExternalKey: e.GradeKey, PositionExternalKey: e.PositionKey,
			EmailAddr: e.Email, TelNo: e.Tel, CphNo: e.Mobile, LocaleTypeCd: e.Locale, TmznTypeCd: e.TimeZone,
		}
	}
	return nil
}
