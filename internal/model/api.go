// Package model is the canonical organisation model that every source maps
// into and every target maps out of: job grades (직급), job positions (직책),
// departments (부서) and employees (사원).
package model

import (
	"reflect"
	"strings"
)

// Kind names one entity kind. The values are also the stage names of the
// OrgSync workflow and the `kind` column of the Postgres tables.
type Kind string

const (
	Grade      Kind = "grade"      // 직급; Knox "titles"; WORKBOX job-grade
	Position   Kind = "position"   // 직책; derived from an employee field; WORKBOX job-position
	Department Kind = "department" // 부서; Knox organizations; WORKBOX dept
	Employee   Kind = "employee"   // 사원; Knox employees; WORKBOX user
)

// Kinds is the fixed stage order (seed 000: 직급-직책-부서-사원).
var Kinds = []Kind{Grade, Position, Department, Employee}

// TopParent is the parent key of a top-level department.
const TopParent = "#"

// ParseKind returns the kind named s.
func ParseKind(s string) (Kind, bool) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

// Entity is one record of any kind. One flat type (rather than four) keeps
// the snapshot, mapping and plan tables uniform: each stores it as jsonb and
// its content hash decides whether the target needs a write. Fields that do
// not apply to a kind stay empty and are omitted from the JSON.
type Entity struct {
	Kind      Kind              `json:"-"`
	Key       string            `json:"key"`
	Name      string            `json:"name"`
	I18nNames map[string]string `json:"i18nNames,omitempty"` // locale -> name, e.g. en_US
	SortOrder int               `json:"sortOrder"`

	// Department.
	ParentKey string `json:"parentKey,omitempty"` // TopParent for a top department

	// Employee.
	Email       string `json:"email,omitempty"`
	LoginID     string `json:"loginId,omitempty"`
	DeptKey     string `json:"deptKey,omitempty"`
	GradeKey    string `json:"gradeKey,omitempty"`
	PositionKey string `json:"positionKey,omitempty"`
	Tel         string `json:"tel,omitempty"`
	Mobile      string `json:"mobile,omitempty"`
	Locale      string `json:"locale,omitempty"`   // e.g. ko_KR
	TimeZone    string `json:"timeZone,omitempty"` // e.g. Asia/Seoul
	EmployYmd   string `json:"employYmd,omitempty"`
}

// FieldError is a validation failure that names the record and the field.
type FieldError struct {
	Kind   Kind   `json:"kind"`
	Key    string `json:"key"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (e *FieldError) Error() string {
	key := e.Key
	if key == "" {
		key = "(no key)"
	}
	return string(e.Kind) + " " + key + ": " + e.Field + ": " + e.Reason
}

// Emit receives one record and, when it breaks a per-record rule, its
// validation failure: a source emits, the snapshot receives. Returning an
// error stops the fetch.
type Emit func(e Entity, fe *FieldError) error

// Ref is a field of one kind that names a record of a kind: that record
// must be there (in the source, or else in the target) before this one can
// be written.
type Ref struct {
	From  Kind
	Field string // the JSON name, as payloads and errors spell it
	To    Kind
}

// Refs is every reference, in the order they are checked and reported. A
// reference within a kind (parentKey) is the department Tree's; the others
// are looked up.
var Refs = []Ref{
	{Department, "parentKey", Department},
	{Employee, "deptKey", Department},
	{Employee, "gradeKey", Grade},
	{Employee, "positionKey", Position},
}

// Texts names Entity's plain text fields as JSON spells them, in
// declaration order; Text finds one by that name, so that a file column, a
// reference or a scrub can name a field. Both come from the struct tags,
// the one list of fields.
var Texts, texts = func() ([]string, map[string]int) {
	var names []string
	index := map[string]int{}
	t := reflect.TypeFor[Entity]()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Type == reflect.TypeFor[string]() && name != "-" {
			names, index[name] = append(names, name), i
		}
	}
	return names, index
}()

// Text is the text field of e that JSON calls field, or nil.
func (e *Entity) Text(field string) *string {
	i, ok := texts[field]
	if !ok {
		return nil
	}
	return reflect.ValueOf(e).Elem().Field(i).Addr().Interface().(*string)
}
