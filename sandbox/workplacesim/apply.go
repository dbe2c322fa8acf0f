package workplacesim

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The state changes. Each runs under s.mu after the body was parsed and
// validated outside it; only checks against other records happen here.

func (s *Sim) items(res string) (map[string]Item, *apiError, map[string]int) {
	if res == ResJob {
		return s.st.Jobs, errJobMissing, s.jobUse
	}
	return s.st.Grades, errGradeMissing, s.gradeUse
}

// putItem creates or replaces a grade or job. Names are unique per
// resource ("Duplication is not allowed").
func (s *Sim) putItem(res, key string, it Item, create bool) *apiError {
	m, missing, _ := s.items(res)
	_, exists := m[key]
	if create && exists {
		return errExists
	}
	if !create && !exists {
		return missing
	}
	name := strings.TrimSpace(it.Name)
	for k, other := range m {
		if k != key && strings.TrimSpace(other.Name) == name {
			return errDupName
		}
	}
	m[key] = it
	return nil
}

func (s *Sim) deleteItem(res, key string) *apiError {
	m, missing, use := s.items(res)
	if _, ok := m[key]; !ok {
		return missing
	}
	if use[key] > 0 {
		return errInUse
	}
	delete(m, key)
	return nil
}

func (s *Sim) putDept(key string, d Dept, create bool) *apiError {
	_, exists := s.st.Depts[key]
	switch {
	case create && exists:
		return errExists
	case !create && !exists:
		return errDeptMissing
	case d.ParentDeptExternalKey == key:
		return errSelfParent
	}
	if p := d.ParentDeptExternalKey; p != "#" {
		if _, ok := s.st.Depts[p]; !ok {
			return errParentMissing
		}
		for i := 0; p != "#" && p != "" && i <= len(s.st.Depts); i++ {
			if p == key {
				return errCycle
			}
			p = s.st.Depts[p].ParentDeptExternalKey
		}
	}
	s.storeDept(key, d)
	return nil
}

// storeDept writes a department and keeps the child counts.
func (s *Sim) storeDept(key string, d Dept) {
	if old, ok := s.st.Depts[key]; ok {
		count(s.kids, parentOf(old), -1)
	}
	count(s.kids, parentOf(d), 1)
	s.st.Depts[key] = d
}

func parentOf(d Dept) string {
	if d.ParentDeptExternalKey == "#" {
		return ""
	}
	return d.ParentDeptExternalKey
}

func (s *Sim) deleteDept(key string) *apiError {
	d, ok := s.st.Depts[key]
	switch {
	case !ok:
		return errDeptMissing
	case s.kids[key] > 0:
		return errHasChildren
	case s.members[key] > 0:
		return errHasMembers
	}
	count(s.kids, parentOf(d), -1)
	delete(s.st.Depts, key)
	return nil
}

func (s *Sim) putEmployee(key string, u Employee, create bool) *apiError {
	_, exists := s.st.Employees[key]
	switch {
	case create && exists:
		return errExists
	case !create && !exists:
		return errEmpMissing
	}
	for _, d := range append([]string{u.DeptExternalKey}, u.ConcurrentDeptExternalKeys...) {
		if _, ok := s.st.Depts[d]; !ok {
			return errDeptRef
		}
	}
	if u.GradeCdExternalKey != "" {
		if _, ok := s.st.Grades[u.GradeCdExternalKey]; !ok {
			return errGradeRef
		}
	}
	if u.JobCdExternalKey != "" {
		if _, ok := s.st.Jobs[u.JobCdExternalKey]; !ok {
			return errJobRef
		}
	}
	if holder, ok := s.logins[strings.ToLower(u.LoginID)]; ok && holder != key {
		return errDupLogin
	}
	if holder, ok := s.emails[strings.ToLower(u.EmailAddress)]; ok && holder != key {
		return errDupEmail
	}
	s.storeEmployee(key, u)
	return nil
}

// storeEmployee writes an employee and keeps the usage counts and the
// login/e-mail indexes.
func (s *Sim) storeEmployee(key string, u Employee) {
	if old, ok := s.st.Employees[key]; ok {
		s.unref(key, old)
	}
	count(s.members, u.DeptExternalKey, 1)
	for _, d := range u.ConcurrentDeptExternalKeys {
		count(s.members, d, 1)
	}
	count(s.gradeUse, u.GradeCdExternalKey, 1)
	count(s.jobUse, u.JobCdExternalKey, 1)
	if u.LoginID != "" {
		s.logins[strings.ToLower(u.LoginID)] = key
	}
	if u.EmailAddress != "" {
		s.emails[strings.ToLower(u.EmailAddress)] = key
	}
	s.st.Employees[key] = u
}

func (s *Sim) unref(key string, u Employee) {
	count(s.members, u.DeptExternalKey, -1)
	for _, d := range u.ConcurrentDeptExternalKeys {
		count(s.members, d, -1)
	}
	count(s.gradeUse, u.GradeCdExternalKey, -1)
	count(s.jobUse, u.JobCdExternalKey, -1)
	if s.logins[strings.ToLower(u.LoginID)] == key {
		delete(s.logins, strings.ToLower(u.LoginID))
	}
	if s.emails[strings.ToLower(u.EmailAddress)] == key {
		delete(s.emails, strings.ToLower(u.EmailAddress))
	}
}

func (s *Sim) deleteEmployee(key string) *apiError {
	u, ok := s.st.Employees[key]
	if !ok {
		return errEmpMissing
	}
	s.unref(key, u)
	delete(s.st.Employees, key)
	return nil
}

func count(m map[string]int, key string, d int) {
	if key == "" {
		return
	}
	if m[key] += d; m[key] <= 0 {
		delete(m, key)
	}
}

// Errors of the hand edits.
var (
	ErrUnknownResource = errors.New("unknown WORKPLACE resource")
	ErrNotFound        = errors.New("no such WORKPLACE object")
	ErrBadObject       = errors.New("bad WORKPLACE object")
)

// Put stores an object by hand, as an administrator editing WORKPLACE in
// its own console would: raw is the stored JSON of the resource (the
// state dump's shape). Only the JSON shape is checked: no field rules, no
// references, so a test can make any drift. A department's
// deptExternalKey is set to key.
func (s *Sim) Put(res, key string, raw []byte) error {
	if key == "" {
		return fmt.Errorf("%w: empty key", ErrBadObject)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch res {
	case ResGrade, ResJob:
		var it Item
		if err := json.Unmarshal(raw, &it); err != nil {
			return fmt.Errorf("%w: %v", ErrBadObject, err)
		}
		m, _, _ := s.items(res)
		m[key] = it
	case ResDept:
		var d Dept
		if err := json.Unmarshal(raw, &d); err != nil {
			return fmt.Errorf("%w: %v", ErrBadObject, err)
		}
		d.DeptExternalKey = key
		if d.ParentDeptExternalKey == "" {
			d.ParentDeptExternalKey = "#"
		}
		s.storeDept(key, d)
	case ResEmp:
		var u Employee
		if err := json.Unmarshal(raw, &u); err != nil {
			return fmt.Errorf("%w: %v", ErrBadObject, err)
		}
		if u.ConcurrentDeptExternalKeys == nil {
			u.ConcurrentDeptExternalKeys = []string{}
		}
		s.storeEmployee(key, u)
	default:
		return fmt.Errorf("%w %q (want one of %s)", ErrUnknownResource, res, strings.Join(Resources, ", "))
	}
	return nil
}

// Get returns the stored JSON of one object, for hand edits.
func (s *Sim) Get(res, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var v any
	var ok bool
	switch res {
	case ResGrade:
		v, ok = s.st.Grades[key]
	case ResJob:
		v, ok = s.st.Jobs[key]
	case ResDept:
		v, ok = s.st.Depts[key]
	case ResEmp:
		v, ok = s.st.Employees[key]
	default:
		return nil, fmt.Errorf("%w %q", ErrUnknownResource, res)
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s %s", ErrNotFound, res, key)
	}
	return json.Marshal(v)
}

// Remove deletes an object by hand, without the in-use checks: members of
// a removed department keep pointing at its key, as after a forced delete.
func (s *Sim) Remove(res, key string) error {
	if !slices.Contains(Resources, res) {
		return fmt.Errorf("%w %q", ErrUnknownResource, res)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch res {
	case ResGrade, ResJob:
		m, _, _ := s.items(res)
		if _, ok := m[key]; !ok {
			return fmt.Errorf("%w: %s %s", ErrNotFound, res, key)
		}
		delete(m, key)
	case ResDept:
		d, ok := s.st.Depts[key]
		if !ok {
			return fmt.Errorf("%w: %s %s", ErrNotFound, res, key)
		}
		count(s.kids, parentOf(d), -1)
		delete(s.st.Depts, key)
	case ResEmp:
		if s.deleteEmployee(key) != nil {
			return fmt.Errorf("%w: %s %s", ErrNotFound, res, key)
		}
	}
	return nil
}
