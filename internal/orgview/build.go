package orgview

import (
	"bytes"
	"cmp"
	"maps"
	"slices"
	"strconv"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
)

// Org is an organisation: per kind, the records by key.
type Org map[model.Kind]map[string]model.Entity

// OrgOf indexes lists of records by key.
func OrgOf(lists map[model.Kind][]model.Entity) Org {
	o := Org{}
	for _, k := range model.Kinds {
		o[k] = map[string]model.Entity{}
		for _, e := range lists[k] {
			e.Kind = k
			o[k][e.Key] = e
		}
	}
	return o
}

func (o Org) clone() Org {
	c := Org{}
	for _, k := range model.Kinds {
		c[k] = maps.Clone(o[k])
		if c[k] == nil {
			c[k] = map[string]model.Entity{}
		}
	}
	return c
}

// After is the organisation base becomes when the items with an applied
// status are written (an undone item was written and then reverted).
func After(base Org, items []store.ReviewItem) Org {
	o := base.clone()
	for _, it := range items {
		if it.Status != plan.StatusApplied {
			continue
		}
		switch it.Op {
		case plan.OpCreate, plan.OpUpdate:
			o[it.Kind][it.Key] = *it.Entity
		case plan.OpDelete:
			delete(o[it.Kind], it.Key)
		}
	}
	return o
}

// Compare lists, as applied items, the changes that turn a into b: in
// stage order, by key.
func Compare(a, b Org) []store.ReviewItem {
	var out []store.ReviewItem
	for _, k := range model.Kinds {
		keys := slices.Sorted(maps.Keys(a[k]))
		for key := range b[k] {
			if _, ok := a[k][key]; !ok {
				keys = append(keys, key)
			}
		}
		slices.Sort(keys)
		for _, key := range keys {
			old, inA := a[k][key]
			cur, inB := b[k][key]
			it := store.ReviewItem{Kind: k, Key: key, Status: plan.StatusApplied}
			switch {
			case !inA:
				it.Op, it.Entity = plan.OpCreate, &cur
			case !inB:
				it.Op, it.PreImage = plan.OpDelete, &old
			case !bytes.Equal(old.Hash(), cur.Hash()):
				it.Op, it.Entity, it.PreImage = plan.OpUpdate, &cur, &old
			default:
				continue
			}
			out = append(out, it)
		}
	}
	return out
}

// builder holds the organisation before and after the items.
type builder struct {
	before, after Org
	items         map[model.Kind]map[string]*store.ReviewItem
}

// Build makes the picture of items (a plan, a run, or Compare's changes)
// applied to the organisation base.
func Build(title string, base Org, items []store.ReviewItem) *View {
	b := &builder{before: base.clone(), after: base.clone(), items: map[model.Kind]map[string]*store.ReviewItem{}}
	v := &View{Title: title, Marks: map[string]int{}, Members: map[string]int{}}
	for _, k := range model.Kinds {
		b.items[k] = map[string]*store.ReviewItem{}
	}
	for i := range items {
		it := &items[i]
		if it.Op == plan.OpInvalid {
			continue
		}
		b.items[it.Kind][it.Key] = it
		switch it.Op {
		case plan.OpCreate, plan.OpUpdate:
			b.after[it.Kind][it.Key] = *it.Entity
		case plan.OpDelete:
			if _, ok := b.after[it.Kind][it.Key]; !ok && it.PreImage != nil {
				b.after[it.Kind][it.Key] = *it.PreImage // kept in the tree, marked deleted
			}
		}
	}
	for _, k := range model.Kinds {
		v.Stages = append(v.Stages, b.stage(k, items))
	}
	for _, st := range v.Stages {
		for _, c := range st.Changes {
			if c.Op == plan.OpInvalid {
				v.Invalid = append(v.Invalid, c)
			}
		}
	}
	b.tree(v)
	return v
}

func (b *builder) stage(k model.Kind, items []store.ReviewItem) Stage {
	st := Stage{Kind: k}
	var invalid []Change
	for i := range items {
		it := &items[i]
		if it.Kind != k {
			continue
		}
		c := b.change(it)
		switch it.Op {
		case plan.OpCreate:
			st.Creates++
		case plan.OpUpdate:
			st.Updates++
		case plan.OpDelete:
			st.Deletes++
		case plan.OpInvalid:
			st.Invalid++
			invalid = append(invalid, c)
			continue
		}
		st.Changes = append(st.Changes, c)
	}
	st.Changes = append(st.Changes, invalid...)
	return st
}

func (b *builder) change(it *store.ReviewItem) Change {
	c := Change{Kind: it.Kind, Op: it.Op, Key: it.Key, Status: shownStatus(it), Reason: it.Message, Field: it.Field}
	e := it.Entity
	if e == nil {
		e = it.PreImage
	}
	if e != nil {
		c.Name, c.En = e.Name, english(*e)
		switch it.Kind {
		case model.Department:
			c.Where = b.deptName(e.ParentKey)
		case model.Employee:
			c.Where = b.deptName(e.DeptKey)
		}
	}
	if it.Op == plan.OpUpdate && it.PreImage != nil && it.Entity != nil {
		c.Fields = b.fields(*it.PreImage, *it.Entity)
	}
	return c
}

// shownStatus is an item's status when it says more than "planned" or
// "applied".
func shownStatus(it *store.ReviewItem) string {
	switch it.Status {
	case plan.StatusPending, plan.StatusApplied, "":
		return ""
	case plan.StatusFailed:
		if it.Op == plan.OpInvalid {
			return ""
		}
	}
	return it.Status
}

func english(e model.Entity) string { return e.I18nNames["en_US"] }

// deptName names a department by key, as it is after the items (or was).
func (b *builder) deptName(key string) string {
	if key == "" || key == model.TopParent {
		return ""
	}
	if e, ok := b.after[model.Department][key]; ok {
		return e.Name
	}
	if e, ok := b.before[model.Department][key]; ok {
		return e.Name
	}
	return key
}

// named shows a reference field as "name (key)".
func (b *builder) named(kind model.Kind, key string) string {
	if key == model.TopParent {
		return "(top)"
	}
	if key == "" {
		return key
	}
	e, ok := b.after[kind][key]
	if !ok {
		e, ok = b.before[kind][key]
	}
	if !ok || e.Name == "" {
		return key
	}
	return e.Name + " (" + key + ")"
}

// fields lists what an update changes, field by field, old -> new.
func (b *builder) fields(old, cur model.Entity) []Field {
	var out []Field
	add := func(name, o, n string) {
		if o != n {
			out = append(out, Field{name, o, n})
		}
	}
	ref := func(name string, kind model.Kind, o, n string) {
		if o != n {
			out = append(out, Field{name, b.named(kind, o), b.named(kind, n)})
		}
	}
	add("name", old.Name, cur.Name)
	locs := slices.Sorted(maps.Keys(old.I18nNames))
	for l := range cur.I18nNames {
		if _, ok := old.I18nNames[l]; !ok {
			locs = append(locs, l)
		}
	}
	slices.Sort(locs)
	for _, l := range locs {
		add("i18nNames."+l, old.I18nNames[l], cur.I18nNames[l])
	}
	add("sortOrder", strconv.Itoa(old.SortOrder), strconv.Itoa(cur.SortOrder))
	ref("parentKey", model.Department, old.ParentKey, cur.ParentKey)
	add("email", old.Email, cur.Email)
	add("loginId", old.LoginID, cur.LoginID)
	ref("deptKey", model.Department, old.DeptKey, cur.DeptKey)
	ref("gradeKey", model.Grade, old.GradeKey, cur.GradeKey)
	ref("positionKey", model.Position, old.PositionKey, cur.PositionKey)
	add("tel", old.Tel, cur.Tel)
	add("mobile", old.Mobile, cur.Mobile)
	add("locale", old.Locale, cur.Locale)
	add("timeZone", old.TimeZone, cur.TimeZone)
	add("employYmd", old.EmployYmd, cur.EmployYmd)
	return out
}

// tree places every department after the items under its parent, marks
// it, and lists its member changes.
func (b *builder) tree(v *View) {
	depts := b.after[model.Department]
	nodes := make(map[string]*Dept, len(depts))
	for key, e := range depts {
		d := &Dept{Key: key, Name: e.Name, En: english(e)}
		if it := b.items[model.Department][key]; it != nil {
			d.Status, d.Reason = shownStatus(it), it.Message
			switch it.Op {
			case plan.OpCreate:
				d.Marks = []string{MarkNew}
			case plan.OpDelete:
				d.Marks = []string{MarkDeleted}
			case plan.OpUpdate:
				old := it.PreImage
				if old != nil && old.ParentKey != e.ParentKey {
					d.Marks, d.From = append(d.Marks, MarkMoved), cmp.Or(b.deptName(old.ParentKey), "(top)")
				}
				if old != nil && (old.Name != e.Name || english(*old) != d.En) {
					d.Marks, d.OldName = append(d.Marks, MarkRenamed), old.Name
				}
				if len(d.Marks) == 0 {
					d.Marks = []string{MarkChanged}
				}
			}
		}
		if len(d.Marks) == 0 {
			d.Marks = []string{MarkUnchanged}
		}
		for _, m := range d.Marks {
			v.Marks[m]++
		}
		nodes[key] = d
	}
	// Children in the target's order: sort order, then name, then key.
	keys := slices.SortedFunc(maps.Keys(depts), func(x, y string) int {
		a, c := depts[x], depts[y]
		return cmp.Or(cmp.Compare(a.SortOrder, c.SortOrder), cmp.Compare(a.Name, c.Name), cmp.Compare(x, y))
	})
	var t model.Tree
	for _, key := range keys {
		t.Add(key, depts[key].ParentKey, false)
	}
	for _, key := range keys {
		// A department on a loop (a source error the planner reports)
		// is still shown, at the top.
		parent := nodes[depts[key].ParentKey]
		if parent == nil || t.InCycle(key) {
			v.Roots = append(v.Roots, nodes[key])
			continue
		}
		parent.Children = append(parent.Children, nodes[key])
	}
	b.members(v, nodes)
}

var changeOrder = map[string]int{Joined: 0, Left: 1, Changed: 2, "": 3}

func (b *builder) members(v *View, nodes map[string]*Dept) {
	place := func(dept string, m Member) {
		d := nodes[dept]
		if d == nil {
			if v.Unplaced == nil {
				v.Unplaced = &Dept{Key: "", Name: "(not in a department of the target)", Marks: []string{MarkUnchanged}}
			}
			d = v.Unplaced
		}
		if m.Change == "" {
			d.Staying++
		} else {
			v.Members[m.Change]++
		}
		d.Members = append(d.Members, m)
	}
	emps := b.after[model.Employee]
	for key, e := range emps {
		m := Member{Key: key, Name: e.Name, En: english(e)}
		it := b.items[model.Employee][key]
		if it == nil {
			place(e.DeptKey, m)
			continue
		}
		m.Status = shownStatus(it)
		switch it.Op {
		case plan.OpCreate:
			m.Change = Joined
			place(e.DeptKey, m)
		case plan.OpDelete:
			m.Change = Left
			place(e.DeptKey, m)
		case plan.OpUpdate:
			old := it.PreImage
			if old == nil || old.DeptKey == e.DeptKey {
				m.Change = Changed
				if old != nil {
					m.Fields = b.fields(*old, e)
				}
				place(e.DeptKey, m)
				continue
			}
			in, out := m, m
			in.Change, in.Other, in.Fields = Joined, b.deptName(old.DeptKey), b.fields(*old, e)
			out.Change, out.Other = Left, b.deptName(e.DeptKey)
			place(e.DeptKey, in)
			place(old.DeptKey, out)
		}
	}
	all := slices.Collect(maps.Values(nodes))
	if v.Unplaced != nil {
		all = append(all, v.Unplaced)
	}
	for _, d := range all {
		slices.SortFunc(d.Members, func(x, y Member) int {
			return cmp.Or(cmp.Compare(changeOrder[x.Change], changeOrder[y.Change]), cmp.Compare(x.Name, y.Name), cmp.Compare(x.Key, y.Key))
		})
	}
}
