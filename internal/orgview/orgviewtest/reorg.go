// Package orgviewtest makes reorganisation plans (조직개편) of any size for
// the tests and benchmarks of the plan picture: a company, and a plan with
// new, renamed, moved and deleted departments, transfers, hires, leavers,
// field changes, grade and position changes and invalid records.
package orgviewtest

import (
	"fmt"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
)

// Reorg is a company and a plan over it.
type Reorg struct {
	Base  map[model.Kind][]model.Entity
	Items []store.ReviewItem
}

// New makes a company of depts departments (a tree, 8 children a node) and
// emps employees, and a plan that touches about one department in 20 and
// one employee in 10 (at least one of each change).
func New(depts, emps int) Reorg {
	r := Reorg{Base: map[model.Kind][]model.Entity{}}
	for i := range 5 {
		r.Base[model.Grade] = append(r.Base[model.Grade], ent(model.Grade, fmt.Sprintf("G%d", i), fmt.Sprintf("%d급", i+1), fmt.Sprintf("Grade %d", i+1)))
		r.Base[model.Position] = append(r.Base[model.Position], ent(model.Position, fmt.Sprintf("P%d", i), fmt.Sprintf("직책%d", i+1), fmt.Sprintf("Position %d", i+1)))
	}
	for i := range depts {
		d := ent(model.Department, deptKey(i), fmt.Sprintf("부서%04d", i), fmt.Sprintf("Dept %04d", i))
		d.ParentKey, d.SortOrder = model.TopParent, i
		if i > 0 {
			d.ParentKey = deptKey((i - 1) / 8)
		}
		r.Base[model.Department] = append(r.Base[model.Department], d)
	}
	for i := range emps {
		e := ent(model.Employee, empKey(i), fmt.Sprintf("직원%06d", i), fmt.Sprintf("Employee %06d", i))
		e.DeptKey, e.GradeKey, e.PositionKey = deptKey(i%depts), fmt.Sprintf("G%d", i%5), fmt.Sprintf("P%d", i%5)
		e.Email = fmt.Sprintf("e%06d@example.com", i)
		r.Base[model.Employee] = append(r.Base[model.Employee], e)
	}
	seq := 0
	add := func(it store.ReviewItem) {
		seq++
		it.Seq, it.Status = seq, plan.StatusPending
		if it.Op == plan.OpInvalid {
			it.Status = plan.StatusFailed
		}
		r.Items = append(r.Items, it)
	}
	// Grades and positions: one new, one renamed.
	g := ent(model.Grade, "G9", "수석", "Principal")
	add(store.ReviewItem{Kind: model.Grade, Op: plan.OpCreate, Key: g.Key, Entity: &g})
	old, cur := r.Base[model.Position][1], r.Base[model.Position][1]
	cur.Name = "팀장"
	add(store.ReviewItem{Kind: model.Position, Op: plan.OpUpdate, Key: cur.Key, Entity: &cur, PreImage: &old})
	// Departments: per 20 of the first 90%, one new (under dept i), one
	// renamed, one moved (under department 1, or to the top); and one leaf
	// of the last 10% deleted.
	ds := r.Base[model.Department]
	deleted := map[string]bool{}
	for i, leaf := 1, len(ds)-1; i+3 < len(ds)*9/10; i, leaf = i+20, leaf-1 {
		n := ent(model.Department, fmt.Sprintf("N%05d", i), fmt.Sprintf("신설%05d", i), fmt.Sprintf("New %05d", i))
		n.ParentKey = ds[i].Key
		add(store.ReviewItem{Kind: model.Department, Op: plan.OpCreate, Key: n.Key, Entity: &n})
		ren := ds[i+1]
		ren.Name, ren.I18nNames = ren.Name+"(개편)", map[string]string{"en_US": ren.I18nNames["en_US"] + " (reorg)"}
		add(store.ReviewItem{Kind: model.Department, Op: plan.OpUpdate, Key: ren.Key, Entity: &ren, PreImage: &ds[i+1]})
		mv := ds[i+2]
		mv.ParentKey = ds[1].Key
		if mv.ParentKey == ds[i+2].ParentKey {
			mv.ParentKey = model.TopParent
		}
		add(store.ReviewItem{Kind: model.Department, Op: plan.OpUpdate, Key: mv.Key, Entity: &mv, PreImage: &ds[i+2]})
		if leaf >= len(ds)*9/10 && leaf*8+1 >= len(ds) {
			deleted[ds[leaf].Key] = true
			add(store.ReviewItem{Kind: model.Department, Op: plan.OpDelete, Key: ds[leaf].Key, PreImage: &ds[leaf]})
		}
	}
	// Employees: per 10, one transferred, one changed, one leaver, one
	// hire; members of a deleted department move to department 0.
	es := r.Base[model.Employee]
	for i, e := range es {
		switch {
		case deleted[e.DeptKey]:
			t := e
			t.DeptKey = ds[0].Key
			add(store.ReviewItem{Kind: model.Employee, Op: plan.OpUpdate, Key: e.Key, Entity: &t, PreImage: &es[i]})
		case i%10 == 1:
			t := e
			t.DeptKey = ds[(i*7+3)%len(ds)].Key
			if deleted[t.DeptKey] || t.DeptKey == e.DeptKey {
				t.DeptKey = ds[0].Key
			}
			add(store.ReviewItem{Kind: model.Employee, Op: plan.OpUpdate, Key: e.Key, Entity: &t, PreImage: &es[i]})
		case i%10 == 2:
			t := e
			t.GradeKey, t.Tel = "G9", "02-123-4567"
			add(store.ReviewItem{Kind: model.Employee, Op: plan.OpUpdate, Key: e.Key, Entity: &t, PreImage: &es[i]})
		case i%10 == 3 && i%20 == 3:
			add(store.ReviewItem{Kind: model.Employee, Op: plan.OpDelete, Key: e.Key, PreImage: &es[i]})
		case i%10 == 4 && i%20 == 4:
			h := ent(model.Employee, fmt.Sprintf("H%07d", i), fmt.Sprintf("신입%06d", i), fmt.Sprintf("Hire %06d", i))
			h.DeptKey, h.GradeKey, h.PositionKey = ds[i%len(ds)].Key, "G0", "P0"
			if deleted[h.DeptKey] {
				h.DeptKey = ds[0].Key
			}
			add(store.ReviewItem{Kind: model.Employee, Op: plan.OpCreate, Key: h.Key, Entity: &h})
		}
	}
	bad := ent(model.Employee, "X0000001", "오류직원", "")
	bad.Email = "not-an-email"
	add(store.ReviewItem{Kind: model.Employee, Op: plan.OpInvalid, Key: bad.Key, Entity: &bad, Field: "email", Message: "not an e-mail address"})
	return r
}

func ent(k model.Kind, key, name, en string) model.Entity {
	e := model.Entity{Kind: k, Key: key, Name: name}
	if en != "" {
		e.I18nNames = map[string]string{"en_US": en}
	}
	return e
}

func deptKey(i int) string { return fmt.Sprintf("D%05d", i) }
func empKey(i int) string  { return fmt.Sprintf("E%07d", i) }
