package model

import (
	"slices"
	"strings"
)

// ParentKey is the parent key a raw parent field stands for: blank is a
// top department (TopParent, "#", is one already). Any other value is a
// department's key, "-" included: only HR files use "-" for the top
// (source.File says so), since a real department may be coded "-".
func ParentKey(raw string) string {
	if raw = strings.TrimSpace(raw); raw == "" {
		return TopParent
	}
	return raw
}

// Tree is the department tree that parent links make, and the one walk of
// it: the snapshot check (missing parents, cycles, depth), the delete
// order of a plan and the org picture all ask it. A company has thousands
// of departments, not millions, so it lives in memory. Add every
// department, then ask.
type Tree struct {
	nodes map[string]*treeNode
	keys  []string
}

type treeNode struct {
	parent string
	bad    bool   // failed its own validation
	depth  int    // unresolved, onPath, or the depth (0 at the top)
	cycle  bool   // on a parent loop
	reason string // why it cannot be written (its own place or inherited)
}

const (
	unresolved = -1
	onPath     = -2
)

// Add adds a department; bad says it failed its own validation, so that
// its children cannot be written either. A key added again is ignored: the
// first record counts (the others are duplicates, reported as such).
func (t *Tree) Add(key, parent string, bad bool) {
	if t.nodes == nil {
		t.nodes = map[string]*treeNode{}
	}
	if _, dup := t.nodes[key]; dup {
		return
	}
	t.nodes[key] = &treeNode{parent: parent, bad: bad, depth: unresolved}
	t.keys = append(t.keys, key)
}

// Keys lists the departments in the order they were added.
func (t *Tree) Keys() []string { return t.keys }

// Depth is key's distance from the top: 0 for a top department, and for
// one whose parent is missing or that is on a loop.
func (t *Tree) Depth(key string) int { return t.resolve(key).depth }

// Reason says why key cannot be written because of its place in the tree
// (its parent is missing, it is on a loop, or an ancestor cannot be
// written), or "" when it can.
func (t *Tree) Reason(key string) string { return t.resolve(key).reason }

// InCycle reports whether key's parent chain comes back to key.
func (t *Tree) InCycle(key string) bool { return t.resolve(key).cycle }

// resolve walks up from key to a resolved ancestor, the top, a missing
// parent or a loop, then sets depth and reason on the way back down.
// Iterative, so a deep or cyclic tree cannot blow the stack; each node is
// walked once. A loop is named by its smallest key, so the name does not
// depend on which department was asked first.
func (t *Tree) resolve(key string) *treeNode {
	n := t.nodes[key]
	if n == nil {
		return &treeNode{}
	}
	var path []string
	for cur := key; ; {
		c := t.nodes[cur]
		if c.depth >= 0 {
			break
		}
		if c.depth == onPath {
			i := slices.Index(path, cur)
			loop := path[i:]
			name := slices.Min(loop)
			for _, k := range loop {
				m := t.nodes[k]
				m.depth, m.cycle, m.reason = 0, true, "department cycle through "+name
			}
			path = path[:i]
			break
		}
		if c.parent == TopParent {
			c.depth = 0
			break
		}
		if _, ok := t.nodes[c.parent]; !ok {
			c.depth, c.reason = 0, "parent department "+c.parent+" is missing from the source"
			break
		}
		c.depth = onPath
		path = append(path, cur)
		cur = c.parent
	}
	for i := len(path) - 1; i >= 0; i-- {
		c := t.nodes[path[i]]
		p := t.nodes[c.parent]
		c.depth = p.depth + 1
		switch {
		case p.reason != "":
			c.reason = "parent department " + c.parent + " cannot be synced (" + p.reason + ")"
		case p.bad:
			c.reason = "parent department " + c.parent + " is invalid in the source"
		}
	}
	return n
}
