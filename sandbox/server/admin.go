package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/orgsync/orgsync/sandbox/knoxsim"
	"github.com/orgsync/orgsync/sandbox/workplacesim"
)

// The admin API (docs/protocol.md, "Sandbox admin"). No authentication: the
// sandbox listens on loopback. Answers are {"ok":true,...} or
// {"ok":false,"error":"..."} with 400 (bad input) or 404 (unknown record).

const maxAdminBody = 4 << 20

func (s *Server) mountAdmin() {
	m := s.mux
	m.HandleFunc("POST "+AdminPrefix+"/reset", s.adminReset)
	m.HandleFunc("POST "+AdminPrefix+"/knox/change", s.adminKnoxChange)
	m.HandleFunc("PUT "+AdminPrefix+"/knox/{kind}/{key}", s.adminKnoxPut)
	m.HandleFunc("DELETE "+AdminPrefix+"/knox/{kind}/{key}", s.adminKnoxDelete)
	setting(m, AdminPrefix+"/knox/faults", "faults", func(f knoxsim.Faults) error {
		if err := f.Validate(); err != nil {
			return err
		}
		s.knox.SetFaults(f)
		return nil
	}, s.knox.Faults)
	setting(m, AdminPrefix+"/workbox/faults", "faults", s.workbox.SetFaults, s.workbox.Faults)
	m.HandleFunc("GET "+AdminPrefix+"/workbox/state", show(s.workbox.State))
	m.HandleFunc("GET "+AdminPrefix+"/stats", show(s.workbox.Stats))
	s.mountWorkplaceAdmin()
}

// ResetRequest is the body of POST /admin/reset; absent fields take the
// sandbox's configured values (200/20/1 by default).
type ResetRequest struct {
	Employees   *int   `json:"employees"`
	Departments *int   `json:"departments"`
	Seed        *int64 `json:"seed"`
}

func (s *Server) adminReset(w http.ResponseWriter, r *http.Request) {
	var req ResetRequest
	if !readJSON(w, r, &req, true) {
		return
	}
	emp, dept, seed := s.cfg.Employees, s.cfg.Departments, s.cfg.Seed
	if req.Employees != nil {
		emp = *req.Employees
	}
	if req.Departments != nil {
		dept = *req.Departments
	}
	if req.Seed != nil {
		seed = *req.Seed
	}
	if err := s.Reset(emp, dept, seed); err != nil {
		writeErr(w, err)
		return
	}
	t, d, e := s.knox.Counts()
	s.log.Info("sandbox reset", "employees", e, "departments", d, "titles", t, "seed", seed)
	writeOK(w, map[string]any{"employees": e, "departments": d, "titles": t, "seed": seed})
}

// ChangeRequest is one HR change, POST /admin/knox/change.
type ChangeRequest struct {
	Op                string `json:"op"`
	EpID              string `json:"epId"`
	DepartmentCode    string `json:"departmentCode"`
	UprDepartmentCode string `json:"uprDepartmentCode"`
	FullName          string `json:"fullName"`
	TitleCode         string `json:"titleCode"`
	DepartmentName    string `json:"departmentName"`
}

func (s *Server) adminKnoxChange(w http.ResponseWriter, r *http.Request) {
	var c ChangeRequest
	if !readJSON(w, r, &c, false) {
		return
	}
	k := s.knox
	var err error
	out := map[string]any{"op": c.Op}
	switch c.Op {
	case "hire":
		var ep string
		ep, err = k.Hire(c.DepartmentCode)
		out["epId"] = ep
	case "retire":
		err = k.Retire(c.EpID)
	case "move":
		err = k.Move(c.EpID, c.DepartmentCode)
	case "rename":
		err = needs(c.FullName, "fullName", func() error { return k.Rename(c.EpID, c.FullName) })
	case "regrade":
		err = k.Regrade(c.EpID, c.TitleCode)
	case "move-dept":
		err = k.MoveDept(c.DepartmentCode, c.UprDepartmentCode)
	case "rename-dept":
		err = needs(c.DepartmentName, "departmentName", func() error { return k.RenameDept(c.DepartmentCode, c.DepartmentName) })
	case "clear-employees":
		k.ClearEmployees()
	default:
		err = fmt.Errorf("%w: unknown op %q (hire, retire, move, rename, regrade, move-dept, rename-dept, clear-employees)", knoxsim.ErrInvalid, c.Op)
	}
	if err != nil {
		writeErr(w, err)
		return
	}
	if c.EpID != "" {
		out["epId"] = c.EpID
	}
	writeOK(w, out)
}

// needs refuses an empty new name: the admin API changes data, it does not
// produce bad input (raw PUT does that).
func needs(v, field string, fn func() error) error {
	if v == "" {
		return fmt.Errorf("%w: %s is empty", knoxsim.ErrInvalid, field)
	}
	return fn()
}

func (s *Server) adminKnoxPut(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxAdminBody))
	if err != nil {
		writeErr(w, fmt.Errorf("%w: %v", knoxsim.ErrInvalid, err))
		return
	}
	if err := s.knox.PutRaw(r.PathValue("kind"), r.PathValue("key"), b); err != nil {
		writeErr(w, err)
		return
	}
	writeOK(w, map[string]any{"kind": r.PathValue("kind"), "key": r.PathValue("key")})
}

func (s *Server) adminKnoxDelete(w http.ResponseWriter, r *http.Request) {
	if err := s.knox.DeleteRaw(r.PathValue("kind"), r.PathValue("key")); err != nil {
		writeErr(w, err)
		return
	}
	writeOK(w, map[string]any{"kind": r.PathValue("kind"), "key": r.PathValue("key")})
}

// setting mounts POST and GET of one set of switches at path: POST
// replaces them with the body (empty: none), GET shows them as name.
func setting[T any](m *http.ServeMux, path, name string, set func(T) error, get func() T) {
	m.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
		var v T
		if !readJSON(w, r, &v, true) {
			return
		}
		if err := set(v); err != nil {
			writeErr(w, err)
			return
		}
		writeOK(w, map[string]any{name: v})
	})
	m.HandleFunc("GET "+path, func(w http.ResponseWriter, _ *http.Request) {
		writeOK(w, map[string]any{name: get()})
	})
}

// show answers GET with what get returns, as it is.
func show[T any](get func() T) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, get()) }
}

// readJSON decodes the request body into v; an empty body is allowed when
// emptyOK (it means "defaults" or "clear"). Unknown fields are refused so
// a typo in a fault name does not silently do nothing.
func readJSON(w http.ResponseWriter, r *http.Request, v any, emptyOK bool) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxAdminBody))
	if err == nil && len(b) == 0 && emptyOK {
		return true
	}
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		err = dec.Decode(v)
	}
	if err != nil {
		writeErr(w, fmt.Errorf("%w: body: %v", knoxsim.ErrInvalid, err))
		return false
	}
	return true
}

func writeOK(w http.ResponseWriter, fields map[string]any) {
	fields["ok"] = true
	writeJSON(w, http.StatusOK, fields)
}

func writeErr(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	if errors.Is(err, knoxsim.ErrNotFound) || errors.Is(err, workplacesim.ErrNotFound) {
		status = http.StatusNotFound
	}
	writeJSON(w, status, map[string]any{"ok": false, "error": err.Error()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// mountWorkplaceAdmin adds the WORKPLACE admin API (docs/protocol.md,
// "Sandbox admin"): faults, state, counters, and hand edits that stand for
// an administrator changing WORKPLACE in its own console (drift).
func (s *Server) mountWorkplaceAdmin() {
	m := s.mux
	setting(m, AdminPrefix+"/workplace/faults", "faults", s.workplace.SetFaults, s.workplace.Faults)
	setting(m, AdminPrefix+"/workplace/strict", "strict", s.workplace.SetStrict, s.workplace.Strict)
	m.HandleFunc("GET "+AdminPrefix+"/workplace/accepted", show(s.workplace.Accepted))
	m.HandleFunc("GET "+AdminPrefix+"/workplace/state", show(s.workplace.State))
	m.HandleFunc("GET "+AdminPrefix+"/workplace/stats", show(s.workplace.Stats))
	m.HandleFunc("GET "+AdminPrefix+"/workplace/{res}/{key}", func(w http.ResponseWriter, r *http.Request) {
		b, err := s.workplace.Get(r.PathValue("res"), r.PathValue("key"))
		if err != nil {
			writeErr(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	})
	m.HandleFunc("PUT "+AdminPrefix+"/workplace/{res}/{key}", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(io.LimitReader(r.Body, maxAdminBody))
		if err == nil {
			err = s.workplace.Put(r.PathValue("res"), r.PathValue("key"), b)
		}
		if err != nil {
			writeErr(w, err)
			return
		}
		s.log.Info("workplace: object edited by hand", "resource", r.PathValue("res"), "key", r.PathValue("key"))
		writeOK(w, map[string]any{"resource": r.PathValue("res"), "key": r.PathValue("key")})
	})
	m.HandleFunc("DELETE "+AdminPrefix+"/workplace/{res}/{key}", func(w http.ResponseWriter, r *http.Request) {
		if err := s.workplace.Remove(r.PathValue("res"), r.PathValue("key")); err != nil {
			writeErr(w, err)
			return
		}
		s.log.Info("workplace: object removed by hand", "resource", r.PathValue("res"), "key", r.PathValue("key"))
		writeOK(w, map[string]any{"resource": r.PathValue("res"), "key": r.PathValue("key")})
	})
}
