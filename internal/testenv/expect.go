package testenv

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/orgsync/orgsync/internal/app"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/sandbox/workboxsim"
)

// Source reads the whole source as the worker would, valid records only,
// by kind.
func (s *Stack) Source(t testing.TB) map[model.Kind][]model.Entity {
	t.Helper()
	src, err := app.NewSource(s.Config)
	if err != nil {
		t.Fatal(err)
	}
	out := map[model.Kind][]model.Entity{}
	seen := map[model.Kind]bool{}
	for _, k := range model.Kinds {
		if seen[k] {
			continue
		}
		for _, l := range src.Loads(k) {
			seen[l] = true
		}
		err := src.Fetch(context.Background(), k, func(e model.Entity, fe *model.FieldError) error {
			if fe == nil {
				out[e.Kind] = append(out[e.Kind], e)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("read source %s: %v", k, err)
		}
	}
	return out
}

// WorkboxState maps source records to what WORKBOX should hold.
func WorkboxState(src map[model.Kind][]model.Entity) workboxsim.State {
	st := workboxsim.State{Grades: map[string]workboxsim.Item{}, Positions: map[string]workboxsim.Item{},
		Depts: map[string]workboxsim.Dept{}, Users: map[string]workboxsim.User{}}
	for _, e := range src[model.Grade] {
		st.Grades[e.Key] = workboxsim.Item{Name: e.Name, I18nNames: e.I18nNames, SortOrd: e.SortOrder}
	}
	for _, e := range src[model.Position] {
		st.Positions[e.Key] = workboxsim.Item{Name: e.Name, I18nNames: e.I18nNames, SortOrd: e.SortOrder}
	}
	for _, e := range src[model.Department] {
		st.Depts[e.Key] = workboxsim.Dept{Name: e.Name, I18nNames: e.I18nNames, SortOrd: strconv.Itoa(e.SortOrder), UprDeptExternalKey: e.ParentKey}
	}
	for _, e := range src[model.Employee] {
		st.Users[e.Key] = workboxsim.User{Name: e.Name, I18nNames: e.I18nNames, DeptExternalKey: e.DeptKey,
			GradeExternalKey: e.GradeKey, PositionExternalKey: e.PositionKey, EmailAddr: e.Email, TelNo: e.Tel,
			CphNo: e.Mobile, LocaleTypeCd: e.Locale, TmznTypeCd: e.TimeZone}
	}
	return st
}

// SameJSON reports whether two values encode to the same JSON (maps are
// written sorted, so this compares contents, not order).
func SameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
