package model

import "testing"

func TestTree(t *testing.T) {
	var tr Tree
	for _, d := range []struct {
		key, parent string
		bad         bool
	}{
		{"A", TopParent, false}, {"B", "A", false}, {"C", "B", false},
		{"Y", "X", false}, {"X", "Y", false}, {"Z", "Y", false}, // a loop, and a child of it
		{"M", "NOPE", false}, {"M2", "M", false}, // a missing parent, and a child
		{"BAD", TopParent, true}, {"UNDER", "BAD", false},
		{"S", "S", false},
		{"A", "C", false}, // a duplicate: the first record counts
	} {
		tr.Add(d.key, d.parent, d.bad)
	}
	for _, c := range []struct {
		key    string
		depth  int
		cycle  bool
		reason string
	}{
		{"A", 0, false, ""}, {"C", 2, false, ""},
		{"Y", 0, true, "department cycle through X"},
		{"X", 0, true, "department cycle through X"},
		{"Z", 1, false, "parent department Y cannot be synced (department cycle through X)"},
		{"M", 0, false, "parent department NOPE is missing from the source"},
		{"M2", 1, false, "parent department M cannot be synced (parent department NOPE is missing from the source)"},
		{"BAD", 0, false, ""},
		{"UNDER", 1, false, "parent department BAD is invalid in the source"},
		{"S", 0, true, "department cycle through S"},
	} {
		if d, cy, r := tr.Depth(c.key), tr.InCycle(c.key), tr.Reason(c.key); d != c.depth || cy != c.cycle || r != c.reason {
			t.Errorf("%s: depth %d, cycle %v, reason %q; want %d, %v, %q", c.key, d, cy, r, c.depth, c.cycle, c.reason)
		}
	}
	if n := len(tr.Keys()); n != 11 {
		t.Errorf("%d keys, want 11 (the duplicate ignored)", n)
	}
}

func TestParentKey(t *testing.T) {
	for raw, want := range map[string]string{"": TopParent, "  ": TopParent, "#": TopParent, " D1 ": "D1", "-": "-"} {
		if got := ParentKey(raw); got != want {
			t.Errorf("ParentKey(%q) = %q, want %q", raw, got, want)
		}
	}
}
