package targetsim

import (
	"maps"
	"net/http"
	"slices"
)

// The state changes. Write parses a body outside s.mu; the changes run
// under it, where only checks against other records happen.

// Write applies one write (POST creates, PUT replaces, DELETE deletes) and
// returns the error it answers, nil for success.
func (s *Sim[I, D, M]) Write(method string, res int, key string, b []byte) *Error {
	var apply func() *Error
	create := method == http.MethodPost
	switch {
	case method == http.MethodDelete:
		apply = func() *Error { return s.delete(res, key) }
	case res == Dept:
		d, bad := s.spec.ParseDept(key, b)
		if bad != nil {
			return bad
		}
		apply = func() *Error { return s.putDept(key, d, create) }
	case res == Member:
		m, bad := s.spec.ParseMember(b)
		if bad != nil {
			return bad
		}
		apply = func() *Error { return s.putMember(key, m, create) }
	default:
		it, bad := s.spec.ParseItem(b)
		if bad != nil {
			return bad
		}
		apply = func() *Error { return s.putItem(res, key, it, create) }
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return apply()
}

// present answers a create of an existing key or a replace of an absent one.
func (s *Sim[I, D, M]) present(res int, exists, create bool) *Error {
	switch {
	case create && exists:
		return s.spec.Errors.Exists
	case !create && !exists:
		return s.spec.Errors.Missing[res]
	}
	return nil
}

func (s *Sim[I, D, M]) putItem(res int, key string, it I, create bool) *Error {
	m := s.items[res]
	_, exists := m[key]
	if bad := s.present(res, exists, create); bad != nil {
		return bad
	}
	if dup := s.spec.Errors.DupName; dup != nil {
		name := s.spec.ItemName(it)
		for k, other := range m {
			if k != key && s.spec.ItemName(other) == name {
				return dup
			}
		}
	}
	m[key] = it
	return nil
}

func (s *Sim[I, D, M]) putDept(key string, d D, create bool) *Error {
	_, exists := s.depts[key]
	if bad := s.present(Dept, exists, create); bad != nil {
		return bad
	}
	e := &s.spec.Errors
	p := s.spec.Parent(d)
	if p == key {
		return e.SelfParent
	}
	if p != "#" {
		if _, ok := s.depts[p]; !ok {
			return e.ParentMissing
		}
		// Walk up from the new parent; meeting key means the parent is
		// below the department. Bounded in case state was ever cyclic.
		for i := 0; p != "#" && p != "" && i <= len(s.depts); i++ {
			if p == key {
				return e.Cycle
			}
			p = s.spec.Parent(s.depts[p])
		}
	}
	s.storeDept(key, d)
	return nil
}

// storeDept writes a department and keeps the child counts.
func (s *Sim[I, D, M]) storeDept(key string, d D) {
	if old, ok := s.depts[key]; ok {
		count(s.kids, s.parentOf(old), -1)
	}
	count(s.kids, s.parentOf(d), 1)
	s.depts[key] = d
}

func (s *Sim[I, D, M]) parentOf(d D) string {
	if p := s.spec.Parent(d); p != "#" {
		return p
	}
	return ""
}

func (s *Sim[I, D, M]) putMember(key string, m M, create bool) *Error {
	_, exists := s.members[key]
	if bad := s.present(Member, exists, create); bad != nil {
		return bad
	}
	e, refs := &s.spec.Errors, s.spec.Refs(m)
	for _, d := range refs.Depts {
		if _, ok := s.depts[d]; !ok {
			return e.Ref[0]
		}
	}
	for i, k := range []string{refs.Grade, refs.Position} {
		if _, ok := s.items[i][k]; k != "" && !ok {
			return e.Ref[i+1]
		}
	}
	for i, v := range refs.Unique {
		if holder, ok := s.unique[i][v]; v != "" && ok && holder != key {
			return e.Unique[i]
		}
	}
	s.storeMember(key, m)
	return nil
}

// storeMember writes a member and keeps the usage counts and the
// uniqueness indexes.
func (s *Sim[I, D, M]) storeMember(key string, m M) {
	if old, ok := s.members[key]; ok {
		s.ref(key, old, -1)
	}
	s.ref(key, m, 1)
	s.members[key] = m
}

// ref adds (d 1) or drops (d -1) what member m of key counts for.
func (s *Sim[I, D, M]) ref(key string, m M, d int) {
	refs := s.spec.Refs(m)
	for _, dept := range refs.Depts {
		count(s.inDept, dept, d)
	}
	count(s.use[0], refs.Grade, d)
	count(s.use[1], refs.Position, d)
	for i, v := range refs.Unique {
		switch {
		case v == "":
		case d > 0:
			s.unique[i][v] = key
		case s.unique[i][v] == key:
			delete(s.unique[i], v)
		}
	}
}

// delete deletes a record unless another one still needs it.
func (s *Sim[I, D, M]) delete(res int, key string) *Error {
	e := &s.spec.Errors
	_, ok := s.value(res, key)
	switch {
	case !ok:
		return e.Missing[res]
	case res == Dept && s.kids[key] > 0:
		return e.HasChildren
	case res == Dept && s.inDept[key] > 0:
		return e.HasMembers
	case res < Dept && s.use[res][key] > 0:
		return e.InUse
	}
	s.remove(res, key)
	return nil
}

// remove deletes a record without the in-use checks; s.mu is held.
func (s *Sim[I, D, M]) remove(res int, key string) {
	switch res {
	case Dept:
		count(s.kids, s.parentOf(s.depts[key]), -1)
		delete(s.depts, key)
	case Member:
		s.ref(key, s.members[key], -1)
		delete(s.members, key)
	default:
		delete(s.items[res], key)
	}
}

// value returns a stored record; s.mu is held.
func (s *Sim[I, D, M]) value(res int, key string) (v any, ok bool) {
	switch res {
	case Dept:
		v, ok = s.depts[key]
	case Member:
		v, ok = s.members[key]
	default:
		v, ok = s.items[res][key]
	}
	return v, ok
}

// keys returns the sorted keys of a resource; s.mu is held.
func (s *Sim[I, D, M]) keys(res int) []string {
	switch res {
	case Dept:
		return slices.Sorted(maps.Keys(s.depts))
	case Member:
		return slices.Sorted(maps.Keys(s.members))
	}
	return slices.Sorted(maps.Keys(s.items[res]))
}

func count(m map[string]int, key string, d int) {
	if key == "" {
		return
	}
	if m[key] += d; m[key] <= 0 {
		delete(m, key)
	}
}
