package workboxsim

import "net/http"

// The state changes. Each runs under s.mu after the body has been parsed
// and validated outside it; only checks against other records happen here.

var (
	errExists       = &apiError{http.StatusConflict, "180011", "External key exists"}
	errEmailExists  = &apiError{http.StatusConflict, "180017", "User login ID already exist"}
	errDeptRef      = badRequest("180007", "Department not found")
	errGradeRef     = badRequest("180013", "Job grade not found")
	errPositionRef  = badRequest("180015", "Job position not found")
	errSelfParent   = badRequest("180006", "Upper externalKey can not be the current dept externalKey")
	errCycle        = badRequest("180009", "Upper dept can not be the current dept's sub dept")
	errHasChildren  = badRequest("180018", "Bad request: the department has sub departments")
	errHasMembers   = badRequest("180018", "Bad request: the department has members")
	errInUse        = badRequest("180018", "Bad request: the item is assigned to members")
	errRejected     = badRequest("180018", "Bad request")
	errDeptMissing  = &apiError{http.StatusNotFound, "180007", "Department not found"}
	errGradeMissing = &apiError{http.StatusNotFound, "180013", "Job grade not found"}
	errPosMissing   = &apiError{http.StatusNotFound, "180015", "Job position not found"}
	errUserMissing  = &apiError{http.StatusNotFound, "180019", "User not found"}
	errMethod       = &apiError{http.StatusMethodNotAllowed, "180022", "Method not allowed"}
	errMediaType    = &apiError{http.StatusUnsupportedMediaType, "180023", "Unsupported media type"}
	errCompany      = badRequest("180000", "Company does not exist")
	errSyncOff      = &apiError{http.StatusForbidden, "180001", "Forbidden, please check the sync setting in console"}
	errAuth         = &apiError{http.StatusUnauthorized, "200", "Authentication Failed"}
	errRateLimited  = &apiError{http.StatusTooManyRequests, "420", "Rate Limited"}
	errEndpoint     = &apiError{http.StatusServiceUnavailable, "500", "Endpoint Error"}
	errTooLarge     = &apiError{http.StatusRequestEntityTooLarge, "430", "Request Entity Too Large"}
	errNoSuchPath   = &apiError{http.StatusNotFound, "300", "Not Found Exception"}
)

// putItem creates (create) or replaces a job grade or position.
func (s *Sim) putItem(res, key string, it Item, create bool) *apiError {
	m, missing := s.st.Grades, errGradeMissing
	if res == ResPosition {
		m, missing = s.st.Positions, errPosMissing
	}
	_, exists := m[key]
	if create && exists {
		return errExists
	}
	if !create && !exists {
		return missing
	}
	m[key] = it
	return nil
}

func (s *Sim) deleteItem(res, key string) *apiError {
	m, missing, use := s.st.Grades, errGradeMissing, s.gradeUse
	if res == ResPosition {
		m, missing, use = s.st.Positions, errPosMissing, s.posUse
	}
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
	old, exists := s.st.Depts[key]
	switch {
	case create && exists:
		return errExists
	case !create && !exists:
		return errDeptMissing
	case d.UprDeptExternalKey == key:
		return errSelfParent
	}
	if p := d.UprDeptExternalKey; p != "#" {
		if _, ok := s.st.Depts[p]; !ok {
			return errUprNotFound
		}
		// Walk up from the new parent; meeting key means the parent is
		// below the department. Bounded in case state was ever cyclic.
		for i := 0; p != "#" && p != "" && i <= len(s.st.Depts); i++ {
			if p == key {
				return errCycle
			}
			p = s.st.Depts[p].UprDeptExternalKey
		}
	}
	if exists && old.UprDeptExternalKey != "#" {
		s.kids[old.UprDeptExternalKey]--
	}
	if d.UprDeptExternalKey != "#" {
		s.kids[d.UprDeptExternalKey]++
	}
	s.st.Depts[key] = d
	return nil
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
	if d.UprDeptExternalKey != "#" {
		s.kids[d.UprDeptExternalKey]--
	}
	delete(s.kids, key)
	delete(s.st.Depts, key)
	return nil
}

func (s *Sim) putUser(key string, u User, create bool) *apiError {
	old, exists := s.st.Users[key]
	switch {
	case create && exists:
		return errExists
	case !create && !exists:
		return errUserMissing
	}
	if u.DeptExternalKey != "" {
		if _, ok := s.st.Depts[u.DeptExternalKey]; !ok {
			return errDeptRef
		}
	}
	if u.GradeExternalKey != "" {
		if _, ok := s.st.Grades[u.GradeExternalKey]; !ok {
			return errGradeRef
		}
	}
	if u.PositionExternalKey != "" {
		if _, ok := s.st.Positions[u.PositionExternalKey]; !ok {
			return errPositionRef
		}
	}
	email := lowerASCII(u.EmailAddr)
	if holder, ok := s.emails[email]; ok && holder != key {
		return errEmailExists
	}
	if exists {
		s.unref(old)
	}
	s.ref(u)
	s.emails[email] = key
	s.st.Users[key] = u
	return nil
}

func (s *Sim) deleteUser(key string) *apiError {
	u, ok := s.st.Users[key]
	if !ok {
		return errUserMissing
	}
	s.unref(u)
	delete(s.st.Users, key)
	return nil
}

// ref and unref keep the usage counts that guard deletes, and the email
// index that guards uniqueness.
func (s *Sim) ref(u User) {
	count(s.members, u.DeptExternalKey, 1)
	count(s.gradeUse, u.GradeExternalKey, 1)
	count(s.posUse, u.PositionExternalKey, 1)
}

func (s *Sim) unref(u User) {
	count(s.members, u.DeptExternalKey, -1)
	count(s.gradeUse, u.GradeExternalKey, -1)
	count(s.posUse, u.PositionExternalKey, -1)
	delete(s.emails, lowerASCII(u.EmailAddr))
}

func count(m map[string]int, key string, d int) {
	if key == "" {
		return
	}
	if m[key] += d; m[key] <= 0 {
		delete(m, key)
	}
}

// lowerASCII lower-cases an email for the uniqueness check (logins are
// case-insensitive); the email regexp admits ASCII only.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
