package knoxsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
)

// Config is what the Knox stand-in needs from the sandbox configuration.
type Config struct {
	SystemID    string // the only accepted System-ID header
	CompanyCode string // the only accepted companyCode
	Employees   int
	Departments int
	Seed        int64
}

// Company is the generated Knox company plus its HTTP face. It is safe for
// concurrent use: reads share an RWMutex, admin changes take it exclusively.
type Company struct {
	cfg    Config
	mu     sync.RWMutex
	d      *dataset
	faults Faults
}

// Errors of the change operations, so the admin API can pick a status.
var (
	ErrNotFound = errors.New("not found")
	ErrInvalid  = errors.New("invalid")
)

// New generates the company described by cfg.
func New(cfg Config) (*Company, error) {
	c := &Company{cfg: cfg}
	if err := c.Reset(cfg.Employees, cfg.Departments, cfg.Seed); err != nil {
		return nil, err
	}
	return c, nil
}

// Reset replaces the company with a freshly generated one and clears faults.
// Generation runs outside the lock; readers see the old or the new company.
func (c *Company) Reset(employees, departments int, seed int64) error {
	switch {
	case employees < 0 || employees > MaxEmployees:
		return fmt.Errorf("%w: employees must be in 0..%d", ErrInvalid, MaxEmployees)
	case departments < 0 || departments > MaxDepartments:
		return fmt.Errorf("%w: departments must be in 0..%d", ErrInvalid, MaxDepartments)
	case employees > 0 && departments == 0:
		return fmt.Errorf("%w: employees need at least one department", ErrInvalid)
	}
	d := generate(c.cfg.CompanyCode, employees, departments, seed)
	c.mu.Lock()
	c.d = d
	c.faults = Faults{}
	c.mu.Unlock()
	return nil
}

// Counts reports the current number of titles, departments and employees.
func (c *Company) Counts() (titles, departments, employees int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.d.titles), len(c.d.orgs), len(c.d.emps)
}

// Hire adds a generated employee to department dept and returns its epId.
func (c *Company) Hire(dept string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.d
	if _, ok := d.orgs[dept]; !ok {
		return "", fmt.Errorf("%w: department %q", ErrNotFound, dept)
	}
	e := d.genEmployee(d.nextIdx, dept)
	for d.emps[e.epID] != nil { // a raw PUT may have taken the id
		d.nextIdx++
		e = d.genEmployee(d.nextIdx, dept)
	}
	d.nextIdx++
	d.addEmp(e)
	return e.epID, nil
}

// Retire removes an employee (Knox lists only staff in office or on leave).
func (c *Company) Retire(epID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.d.emps[epID]
	if !ok {
		return fmt.Errorf("%w: employee %q", ErrNotFound, epID)
	}
	c.d.removeEmp(e)
	return nil
}

// Move puts an employee into another department.
func (c *Company) Move(epID, dept string) error {
	return c.editEmp(epID, func(d *dataset, e *employee) error {
		o, ok := d.orgs[dept]
		if !ok {
			return fmt.Errorf("%w: department %q", ErrNotFound, dept)
		}
		d.removeEmp(e)
		e.dept = o.code
		d.addEmp(e)
		return nil
	})
}

// Rename changes an employee's full name.
func (c *Company) Rename(epID, fullName string) error {
	return c.editEmp(epID, func(_ *dataset, e *employee) error {
		e.fullName = fullName
		return nil
	})
}

// Regrade gives an employee another title (직급).
func (c *Company) Regrade(epID, titleCode string) error {
	return c.editEmp(epID, func(d *dataset, e *employee) error {
		t, ok := d.titles[titleCode]
		if !ok {
			return fmt.Errorf("%w: title %q", ErrNotFound, titleCode)
		}
		e.title = t.code
		return nil
	})
}

func (c *Company) editEmp(epID string, fn func(*dataset, *employee) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.d.emps[epID]
	if !ok {
		return fmt.Errorf("%w: employee %q", ErrNotFound, epID)
	}
	if e.raw != nil {
		return fmt.Errorf("%w: employee %q was PUT raw; PUT it again instead", ErrInvalid, epID)
	}
	return fn(c.d, e)
}

// MoveDept gives a department a new parent ("" makes it a top department).
// Knox itself never holds a cycle, so one is refused here.
func (c *Company) MoveDept(code, upr string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.d
	o, ok := d.orgs[code]
	if !ok {
		return fmt.Errorf("%w: department %q", ErrNotFound, code)
	}
	if o.raw != nil {
		return fmt.Errorf("%w: department %q was PUT raw; PUT it again instead", ErrInvalid, code)
	}
	if upr != "" {
		p, ok := d.orgs[upr]
		if !ok {
			return fmt.Errorf("%w: department %q", ErrNotFound, upr)
		}
		for steps := 0; p != nil && steps <= len(d.orgs); steps++ {
			if p.code == code {
				return fmt.Errorf("%w: %q is %q itself or below it", ErrInvalid, upr, code)
			}
			p = d.orgs[p.upr]
		}
	}
	o.upr = upr
	d.recountKids()
	return nil
}

// RenameDept changes a department's name.
func (c *Company) RenameDept(code, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	o, ok := c.d.orgs[code]
	if !ok {
		return fmt.Errorf("%w: department %q", ErrNotFound, code)
	}
	if o.raw != nil {
		return fmt.Errorf("%w: department %q was PUT raw; PUT it again instead", ErrInvalid, code)
	}
	o.name = name
	return nil
}

// ClearEmployees removes every employee (departments and titles stay).
func (c *Company) ClearEmployees() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.d.emps = map[string]*employee{}
	c.d.byDept = map[string][]*employee{}
}

// Kinds of raw records, as in the admin path /admin/knox/{kind}/{key}.
const (
	KindTitles        = "titles"
	KindOrganizations = "organizations"
	KindEmployees     = "employees"
)

// PutRaw stores body (any valid JSON) verbatim as the record key of kind,
// replacing a generated or raw record. The few fields Knox queries on are
// read from it when they are present, so the record shows up where a
// client would look for it.
func (c *Company) PutRaw(kind, key string, body []byte) error {
	if key == "" {
		return fmt.Errorf("%w: empty key", ErrInvalid)
	}
	if !json.Valid(body) {
		return fmt.Errorf("%w: body is not JSON", ErrInvalid)
	}
	raw := json.RawMessage(append([]byte(nil), body...))
	f := rawFields(raw)
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.d
	switch kind {
	case KindTitles:
		d.titles[key] = &title{code: key, name: f.str("titleName"), enName: f.str("enTitleName"), sort: f.str("sortOrder"), raw: raw}
		d.titleKeys = insertSorted(d.titleKeys, key)
	case KindOrganizations:
		d.orgs[key] = &org{code: key, name: f.str("departmentName"), upr: f.str("uprDepartmentCode"), raw: raw}
		d.orgKeys = insertSorted(d.orgKeys, key)
		d.recountKids()
	case KindEmployees:
		if old, ok := d.emps[key]; ok {
			d.removeEmp(old)
		}
		d.addEmp(&employee{
			epID: key, raw: raw,
			dept:     f.str("departmentCode"),
			title:    f.str("titleCode"),
			number:   f.str("employeeNumber"),
			userID:   f.str("userId"),
			fullName: f.str("fullName"),
			email:    f.str("emailAddress"),
		})
	default:
		return fmt.Errorf("%w: kind %q", ErrNotFound, kind)
	}
	return nil
}

// DeleteRaw removes the record key of kind, generated or raw.
func (c *Company) DeleteRaw(kind, key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.d
	switch kind {
	case KindTitles:
		if _, ok := d.titles[key]; !ok {
			return fmt.Errorf("%w: title %q", ErrNotFound, key)
		}
		delete(d.titles, key)
		d.titleKeys = removeSorted(d.titleKeys, key)
	case KindOrganizations:
		if _, ok := d.orgs[key]; !ok {
			return fmt.Errorf("%w: department %q", ErrNotFound, key)
		}
		delete(d.orgs, key)
		d.orgKeys = removeSorted(d.orgKeys, key)
		d.recountKids()
	case KindEmployees:
		e, ok := d.emps[key]
		if !ok {
			return fmt.Errorf("%w: employee %q", ErrNotFound, key)
		}
		d.removeEmp(e)
	default:
		return fmt.Errorf("%w: kind %q", ErrNotFound, kind)
	}
	return nil
}

// addEmp indexes e; its department list stays sorted by epId.
func (d *dataset) addEmp(e *employee) {
	d.emps[e.key()] = e
	list := d.byDept[e.dept]
	i := sort.Search(len(list), func(i int) bool { return list[i].key() >= e.key() })
	list = append(list, nil)
	copy(list[i+1:], list[i:])
	list[i] = e
	d.byDept[e.dept] = list
}

func (d *dataset) removeEmp(e *employee) {
	delete(d.emps, e.key())
	list := d.byDept[e.dept]
	i := sort.Search(len(list), func(i int) bool { return list[i].key() >= e.key() })
	if i < len(list) && list[i] == e {
		list = append(list[:i], list[i+1:]...)
	}
	if len(list) == 0 {
		delete(d.byDept, e.dept)
	} else {
		d.byDept[e.dept] = list
	}
}

// fields is a decoded raw record; nil when the record is not an object.
type fields map[string]json.RawMessage

func rawFields(raw json.RawMessage) fields {
	var f fields
	if json.Unmarshal(raw, &f) != nil {
		return nil
	}
	return f
}

// str returns a field as a string: the value of a JSON string, the JSON
// text of anything else (so garbage like 123 is still findable), "" if
// absent or null.
func (f fields) str(name string) string {
	v, ok := f[name]
	if !ok || string(v) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}
