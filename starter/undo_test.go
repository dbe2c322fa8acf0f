package main

import (
	"strings"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
)

// `starter undo` of a completed run: the dry run lists what it would do
// and writes nothing, the undo restores the target, the report says so,
// and undoing the same run again does nothing.
func TestStarterUndo(t *testing.T) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 40, Departments: 6})
	s.StartWorker(t)
	cfg := s.Config
	mustStarter(t, cfg, "sync", "--wait")
	src := s.Source(t)
	k := s.Sandbox.Knox()
	if err := k.RenameDept(src[model.Department][1].Key, "바뀐팀"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Hire(src[model.Department][0].Key); err != nil {
		t.Fatal(err)
	}
	before := s.Sandbox.WorkboxState()
	mustStarter(t, cfg, "sync", "--wait")
	changed := statusOf(t, cfg, "").RunID

	writes := s.Sandbox.Stats().Writes
	out := mustStarter(t, cfg, "undo", changed, "--dry-run")
	if !strings.Contains(out, "re-create 0, restore 1, delete 1") || s.Sandbox.Stats().Writes != writes {
		t.Fatalf("dry run of the undo: %s (%d writes)", out, s.Sandbox.Stats().Writes-writes)
	}
	out = mustStarter(t, cfg, "undo", changed, "--wait")
	if !strings.Contains(out, "2 undone, 0 undo failed, 0 not undoable; target back where it was: yes") {
		t.Fatal(out)
	}
	if !testenv.SameJSON(s.Sandbox.WorkboxState(), before) {
		t.Fatal("the target after undo is not as it was before the undone run")
	}
	undoRun := statusOf(t, cfg, "").RunID
	if r := reportOf(t, cfg, undoRun); r.Undo == nil || r.Undo.Of != changed || !r.Undo.Restored || r.Status != plan.RunCompleted {
		t.Fatalf("report of the undo run %+v", r)
	}
	if out := mustStarter(t, cfg, "report", undoRun); !strings.Contains(out, "of run "+changed) {
		t.Fatal(out)
	}
	writes = s.Sandbox.Stats().Writes
	if out := mustStarter(t, cfg, "undo", changed, "--wait"); !strings.Contains(out, "nothing to undo") || s.Sandbox.Stats().Writes != writes {
		t.Fatalf("second undo: %s", out)
	}
	if out, code := starter(t, cfg, "undo", "no-such-run"); code == 0 || !strings.Contains(out, "no run") {
		t.Fatalf("undo of an unknown run: %d %s", code, out)
	}
}
