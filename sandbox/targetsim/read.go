package targetsim

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// MaxLimit is the largest page a list answers.
const MaxLimit = 1000

// list answers GET {collection}?offset=&limit= with
// {"offset","limit","total","elements":[{externalKey, body fields...}]},
// in external-key order. Defaults: offset 0, limit 10 (as MCC documents).
func (s *Sim[I, D, M]) list(w http.ResponseWriter, r *http.Request, res, pageCap int) int {
	q := r.URL.Query()
	offset, limit := 0, 10
	var err error
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return writeErr(w, s.spec.Errors.BadQuery)
		}
	}
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > MaxLimit {
			return writeErr(w, s.spec.Errors.BadQuery)
		}
	}
	if pageCap > 0 {
		limit = min(limit, pageCap)
	}
	s.mu.Lock()
	keys := s.keys(res)
	total := len(keys)
	offset = min(offset, total)
	keys = keys[offset:min(total, offset+limit)]
	elems := make([]map[string]any, 0, len(keys))
	for _, k := range keys {
		elems = append(elems, s.element(res, k))
	}
	s.mu.Unlock()
	return writeJSON(w, http.StatusOK, map[string]any{"offset": offset, "limit": limit, "total": total, "elements": elems})
}

func (s *Sim[I, D, M]) get(w http.ResponseWriter, res int, key string, answer func(*Error) int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.value(res, key); !ok {
		return answer(s.spec.Errors.Missing[res])
	}
	return writeJSON(w, http.StatusOK, s.element(res, key))
}

// element is one list entry: the stored body plus externalKey; s.mu is held.
func (s *Sim[I, D, M]) element(res int, key string) map[string]any {
	v, _ := s.value(res, key)
	b, _ := json.Marshal(v)
	m := map[string]any{}
	_ = json.Unmarshal(b, &m)
	m["externalKey"] = key
	return m
}

// The hand edits stand for an administrator changing the product in its
// own console: no field rules, no references, so a test can make any
// drift.

// Set stores a record by hand; v is the resource's record type.
func (s *Sim[I, D, M]) Set(res int, key string, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch res {
	case Dept:
		s.storeDept(key, v.(D))
	case Member:
		s.storeMember(key, v.(M))
	default:
		s.items[res][key] = v.(I)
	}
}

// Get returns a stored record.
func (s *Sim[I, D, M]) Get(res int, key string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.value(res, key)
}

// Remove deletes a record by hand, without the in-use checks: members of a
// removed department keep pointing at its key, as after a forced delete.
// It reports whether the record was there.
func (s *Sim[I, D, M]) Remove(res int, key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.value(res, key); !ok {
		return false
	}
	s.remove(res, key)
	return true
}
