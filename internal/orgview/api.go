// Package orgview is the reviewer's picture of a plan: the department tree
// after the plan with each department marked (new, renamed, moved,
// deleted), the member changes of every department, grade and position
// changes and invalid records. It renders the picture as text (`starter
// plan show`) and as one self-contained HTML file (no network: it opens
// from disk or an e-mail attachment), and derives the organisation after a
// run and the changes between two runs (org history).
package orgview

import "github.com/orgsync/orgsync/internal/model"

// Department marks.
const (
	MarkNew       = "new"
	MarkRenamed   = "renamed"
	MarkMoved     = "moved"
	MarkDeleted   = "deleted"
	MarkChanged   = "changed" // other fields (sort order)
	MarkUnchanged = "unchanged"
)

// Member changes.
const (
	Joined  = "joined"
	Left    = "left"
	Changed = "changed"
)

// View is the whole picture.
type View struct {
	Title    string
	Subtitle []string // lines under the title: run, digest, approval
	Stages   []Stage  // in stage order
	Roots    []*Dept  // the department tree after the plan
	// Unplaced holds member changes of employees whose department is not
	// in the tree (a department the target does not hold).
	Unplaced *Dept
	Marks    map[string]int // departments per mark
	Members  map[string]int // member changes per kind of change
	Invalid  []Change
}

// Stage is one kind's changes.
type Stage struct {
	Kind    model.Kind
	Creates int
	Updates int
	Deletes int
	Invalid int
	Changes []Change // creates, updates, deletes, then invalid records
}

// Change is one item as a reviewer reads it.
type Change struct {
	Kind   model.Kind
	Op     string // create, update, delete, invalid
	Key    string
	Name   string
	En     string // the English name, if any
	Where  string // the department (employee) or parent department (department) it ends up in
	Fields []Field
	Status string // the item's status, when it is not simply planned or applied
	Reason string // why it failed, was skipped or is invalid
	Field  string // the invalid field
}

// Field is one field an update changes.
type Field struct {
	Name string
	Old  string
	New  string
}

// Dept is one department of the tree.
type Dept struct {
	Key      string
	Name     string
	En       string
	Marks    []string
	OldName  string // renamed: the name before
	From     string // moved: the parent's name before
	Status   string
	Reason   string
	Children []*Dept
	Members  []Member // changed members first, then the unchanged ones
	Staying  int      // unchanged members
}

// Member is one employee in a department's list.
type Member struct {
	Key    string
	Name   string
	En     string
	Change string // joined, left, changed; "" when unchanged
	Other  string // joined: the department before; left: the department after
	Fields []Field
	Status string
}
