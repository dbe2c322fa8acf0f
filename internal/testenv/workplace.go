package testenv

import (
	"strconv"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/workplace"
	"github.com/orgsync/orgsync/sandbox/workplacesim"
)

// WorkplaceState maps source records to what WORKPLACE should hold, with
// the client's defaults (login id from the e-mail, default hire date).
func WorkplaceState(src map[model.Kind][]model.Entity) workplacesim.State {
	st := workplacesim.State{Grades: map[string]workplacesim.Item{}, Jobs: map[string]workplacesim.Item{},
		Depts: map[string]workplacesim.Dept{}, Employees: map[string]workplacesim.Employee{}}
	item := func(e model.Entity) workplacesim.Item {
		return workplacesim.Item{Name: e.Name, I18nNames: e.I18nNames, ItemUsed: true, SortOrder: strconv.Itoa(e.SortOrder)}
	}
	for _, e := range src[model.Grade] {
		st.Grades[e.Key] = item(e)
	}
	for _, e := range src[model.Position] {
		st.Jobs[e.Key] = item(e)
	}
	for _, e := range src[model.Department] {
		st.Depts[e.Key] = workplacesim.Dept{Name: e.Name, I18nNames: e.I18nNames, DeptExternalKey: e.Key,
			ParentDeptExternalKey: e.ParentKey, DispOrd: strconv.Itoa(e.SortOrder)}
	}
	for _, e := range src[model.Employee] {
		ymd := e.EmployYmd
		if ymd == "" {
			ymd = workplace.DefaultEmployYmd
		}
		st.Employees[e.Key] = workplacesim.Employee{LoginID: workplace.LoginID(e), EmailAddress: e.Email, EmployYmd: ymd,
			Name: e.Name, I18nNames: e.I18nNames, DeptExternalKey: e.DeptKey, ConcurrentDeptExternalKeys: []string{},
			GradeCdExternalKey: e.GradeKey, JobCdExternalKey: e.PositionKey, TelephoneNo: e.Tel, CellphoneNo: e.Mobile,
			LocaleTypeCd: e.Locale, TmznTypeCd: e.TimeZone}
	}
	return st
}
