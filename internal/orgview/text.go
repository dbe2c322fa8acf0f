package orgview

import (
	"fmt"
	"io"
	"strings"

	"github.com/orgsync/orgsync/internal/plan"
)

var opSign = map[string]string{plan.OpCreate: "+", plan.OpUpdate: "~", plan.OpDelete: "-", plan.OpInvalid: "!"}

// WriteText prints the changes stage by stage: creates, updates field by
// field (old -> new), moves, deletes, and the invalid records with their
// reasons.
func WriteText(w io.Writer, v *View) error {
	p := &printer{w: w}
	p.line("%s", v.Title)
	for _, s := range v.Subtitle {
		p.line("%s", s)
	}
	for _, st := range v.Stages {
		p.line("")
		p.line("== %s: %d create, %d update, %d delete, %d invalid", st.Kind, st.Creates, st.Updates, st.Deletes, st.Invalid)
		groups := map[string][]Change{}
		for _, c := range st.Changes {
			groups[group(c)] = append(groups[group(c)], c)
		}
		for _, g := range groupOrder {
			if len(groups[g]) == 0 {
				continue
			}
			p.line("  %s (%d):", g, len(groups[g]))
			for _, c := range groups[g] {
				p.change(c)
			}
		}
	}
	if len(v.Marks) > 0 {
		p.line("")
		p.line("departments: %d new, %d renamed, %d moved, %d deleted; members: %d joined, %d left, %d changed",
			v.Marks[MarkNew], v.Marks[MarkRenamed], v.Marks[MarkMoved], v.Marks[MarkDeleted],
			v.Members[Joined], v.Members[Left], v.Members[Changed])
	}
	return p.err
}

var groupOrder = []string{"creates", "moves", "updates", "deletes", "invalid"}

// group is the heading a change is printed under: an update that changes
// the parent department (or an employee's department) is a move.
func group(c Change) string {
	switch c.Op {
	case plan.OpCreate:
		return "creates"
	case plan.OpDelete:
		return "deletes"
	case plan.OpInvalid:
		return "invalid"
	}
	for _, f := range c.Fields {
		if f.Name == "parentKey" || f.Name == "deptKey" {
			return "moves"
		}
	}
	return "updates"
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) line(format string, a ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format+"\n", a...)
	}
}

func (p *printer) change(c Change) {
	head := fmt.Sprintf("    %s %s %s", opSign[c.Op], c.Key, label(c.Name, c.En))
	if c.Status != "" {
		head += " [" + c.Status + "]"
	}
	switch c.Op {
	case plan.OpCreate:
		if c.Where != "" {
			head += " in " + c.Where
		}
		p.line("%s", head)
	case plan.OpDelete:
		p.line("%s", head)
	case plan.OpInvalid:
		p.line("%s: %s: %s", head, dash(c.Field), oneLine(c.Reason))
		return
	case plan.OpUpdate:
		p.line("%s", head)
		for _, f := range c.Fields {
			p.line("        %s: %s -> %s", f.Name, quoted(f.Old), quoted(f.New))
		}
	}
	if c.Status != "" && c.Reason != "" {
		p.line("        %s", oneLine(c.Reason))
	}
}

func label(name, en string) string {
	if en != "" && en != name {
		return name + " / " + en
	}
	return name
}

func quoted(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// WriteTree prints the department tree, indented, with each department's
// key, mark (when not unchanged) and number of members.
func WriteTree(w io.Writer, v *View) error {
	p := &printer{w: w}
	p.line("%s", v.Title)
	for _, s := range v.Subtitle {
		p.line("%s", s)
	}
	var walk func(d *Dept, depth int)
	walk = func(d *Dept, depth int) {
		mark := ""
		if d.Marks[0] != MarkUnchanged {
			mark = " [" + strings.Join(d.Marks, ", ") + "]"
		}
		p.line("%s%s %s%s  %d members", strings.Repeat("  ", depth), label(d.Name, d.En), d.Key, mark, len(d.Members))
		for _, c := range d.Children {
			walk(c, depth+1)
		}
	}
	for _, r := range v.Roots {
		walk(r, 0)
	}
	if v.Unplaced != nil {
		walk(v.Unplaced, 0)
	}
	return p.err
}
