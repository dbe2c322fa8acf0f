package knoxsim

import "strconv"

// Conversions from the compact records to the wire form. Callers hold at
// least the read lock; the results are copies safe to encode after unlock.

func (d *dataset) titleOut(t *title) any {
	if t.raw != nil {
		return t.raw
	}
	return Title{
		CompanyCode: d.code, TitleCode: t.code, TitleName: t.name,
		EnTitleName: t.enName, SortOrder: t.sort,
	}
}

func (d *dataset) orgOut(o *org) any {
	if o.raw != nil {
		return o.raw
	}
	out := Organization{
		CompanyCode: d.code, CompanyName: d.name, EnCompanyName: d.enName,
		DepartmentCode: o.code, DepartmentName: o.name, EnDepartmentName: o.enName,
		DepartmentLevel:   strconv.Itoa(d.level(o)),
		DepartmentOrder:   strconv.Itoa(o.order),
		UprDepartmentCode: o.upr,
		LowDepartmentYn:   "F", HiddenDepartmentYn: "F", PreferredLanguage: "ko",
	}
	if d.kids[o.code] > 0 {
		out.LowDepartmentYn = "T"
	}
	if p := d.orgs[o.upr]; p != nil {
		out.UprDepartmentName, out.EnUprDepartmentName = p.name, p.enName
	}
	return out
}

// level is the depth from the top (1). Bounded, because raw records may
// form a cycle.
func (d *dataset) level(o *org) int {
	n := 1
	for p := d.orgs[o.upr]; p != nil && n < 64; p = d.orgs[p.upr] {
		n++
	}
	return n
}

func (d *dataset) empOut(e *employee) any {
	if e.raw != nil {
		return e.raw
	}
	g := grades[e.grade]
	out := Employee{
		EpID: e.epID, EmployeeNumber: e.number, UserID: e.userID,
		FullName: e.fullName, EnFullName: e.enFullName, EmailAddress: e.email,
		CompanyCode: d.code, CompanyName: d.name, EnCompanyName: d.enName,
		DefaultCompanyCode: "O",
		DepartmentCode:     e.dept,
		TitleCode:          e.title,
		GradeName:          g.ko, EnGradeName: g.en, GradeTitleIndiCode: "B",
		EmployeeStatus: string(e.status), EmployeeType: "N", ExecutiveYn: "N",
		AccountStatus: "A", Mobile: e.mobile, OfficeTelNumber: e.tel,
		PreferredLanguage: "ko", TimeZone: "Asia/Seoul", RealNameYn: "R",
		ServerLocation: "KR", Country: "KR", SecurityLevel: "5",
	}
	// Korean names: the first syllable is the surname.
	if r := []rune(e.fullName); len(r) > 1 {
		out.SirName, out.GivenName = string(r[:1]), string(r[1:])
	}
	for i := len(e.enFullName) - 1; i >= 0; i-- {
		if e.enFullName[i] == ' ' {
			out.EnGivenName, out.EnSirName = e.enFullName[:i], e.enFullName[i+1:]
			break
		}
	}
	if o := d.orgs[e.dept]; o != nil {
		out.DepartmentName, out.EnDepartmentName = o.name, o.enName
	}
	if t := d.titles[e.title]; t != nil {
		out.TitleName, out.EnTitleName = t.name, t.enName
		out.TitleSortOrder = t.sort
	}
	switch {
	case e.grade == gradeExecutive:
		out.ExecutiveYn, out.SecurityLevel = "Y", "3"
	case e.grade >= gradePrincipal:
		out.SecurityLevel = "4"
	}
	return out
}
