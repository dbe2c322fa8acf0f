package workflows

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/orgsync/orgsync/activities"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/target"
)

// A stage that stops part-way (bad credentials after some employees were
// written) has failed: the stage policy undoes what it applied, and only
// that.
func TestStagePolicyUndoesAStoppedStage(t *testing.T) {
	applied := 0
	f := &fake{stages: fullPlan(), fail: func(seq int) (string, target.Class) {
		if kindOf(seq) == model.Employee && seq%100 == 0 {
			return plan.StatusFailed, target.Auth
		}
		return "", ""
	}}
	rep := run(t, newEnv(t, f), Input{Rollback: "stage"})
	for seq := range f.done {
		if kindOf(seq) == model.Employee {
			applied++
		}
	}
	if rep.FailedStage != "employee" || applied == 0 || len(f.undos) != applied || rep.Undo == nil || rep.Undo.Undone != applied || !rep.RolledBack {
		t.Fatalf("report %+v undo %+v; %d employees applied, %d undone", rep, rep.Undo, applied, len(f.undos))
	}
	for _, seq := range f.undos {
		if kindOf(seq) != model.Employee {
			t.Fatalf("the stage policy undid %s item %d", kindOf(seq), seq)
		}
	}
}

// An undo run compensates the named run's items newest first, and says
// whether the target is back.
func TestUndoRunUndoesNewestFirst(t *testing.T) {
	f := &fake{stages: map[model.Kind]plan.Stage{}, done: map[int]bool{}}
	stages := []plan.Stage{}
	for _, k := range model.Kinds {
		st := fullPlan()[k]
		for _, r := range append(st.Upserts, st.Removals...) {
			for seq := r.Lo; seq <= r.Hi; seq++ {
				f.done[seq] = true
			}
		}
		st.Creates, st.Updates, st.Deletes, st.Current = 0, 0, 1, 1000 // compensation counts: one delete each, under the limit
		stages = append(stages, st)
	}
	env := newEnv(t, f)
	env.OnActivity(a.PlanUndo, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.UndoInput) (activities.UndoPlan, error) {
			if in.Of != "run-0" {
				t.Errorf("PlanUndo of %q", in.Of)
			}
			return activities.UndoPlan{Of: "run-0", Stages: stages, Later: 1}, nil
		})
	rep := run(t, env, Input{Undo: "run-0"})
	if len(f.calls) != 0 || len(f.undos) != len(f.done) {
		t.Fatalf("%d writes, %d undone of %d: %+v", len(f.calls), len(f.undos), len(f.done), rep)
	}
	if first, last := f.undos[0], f.undos[len(f.undos)-1]; first != rng(model.Grade, 0, 4, 1, true).Lo || kindOf(last) != model.Grade {
		t.Fatalf("undo began with %d and ended with %d: want the last write (the grade delete) first", first, last)
	}
	if rep.Undo == nil || rep.Undo.Of != "run-0" || rep.Undo.Undone != len(f.done) || rep.Undo.NotUndoable != 1 || rep.Undo.Restored ||
		rep.Status != plan.RunCompletedFailing {
		t.Fatalf("report %+v, undo %+v", rep, rep.Undo)
	}
}

// A run cancelled while it waits for approval compensates by its policy
// and ends Canceled, with the report stored first.
func TestCancelEndsCanceled(t *testing.T) {
	f := &fake{stages: deletesOnly()}
	env := newEnv(t, f)
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Minute)
	env.ExecuteWorkflow(OrgSync, Input{Rollback: "run"})
	var ce *temporal.CanceledError
	if err := env.GetWorkflowError(); !errors.As(err, &ce) {
		t.Fatalf("workflow error %v, want Canceled", err)
	}
	var stored plan.Report // what FinishRun stored, also the error's details
	if err := ce.Details(&stored); err != nil {
		t.Fatal(err)
	}
	if stored.Status != plan.RunCanceled || stored.FailedStage != "approval" || stored.Undo == nil || !stored.Undo.Restored || len(f.calls) != 0 {
		t.Fatalf("stored report %+v undo %+v; %d writes", stored, stored.Undo, len(f.calls))
	}
}

// Approval is recorded: who, and the plan's counts and digest.
func TestApprovalRecorded(t *testing.T) {
	f := &fake{stages: deletesOnly()}
	env := newEnv(t, f)
	env.OnActivity(a.RecordApproval, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ApprovalInput) (plan.Approval, error) {
			return plan.Approval{By: in.By, Deletes: in.Deletes, Digest: "d1"}, nil
		})
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalApproveDeletes, ApproveInput{By: "kim"}) }, time.Minute)
	rep := run(t, env, Input{})
	if rep.Approval == nil || rep.Approval.By != "kim" || rep.Approval.Deletes != 50 || rep.Approval.Digest != "d1" || len(f.calls) != 50 {
		t.Fatalf("approval %+v, %d deletes", rep.Approval, len(f.calls))
	}
}

// Approval is taken only while the run waits for it: one sent before the
// plan exists is refused, and the deletes still wait.
func TestApprovalOnlyWhileWaiting(t *testing.T) {
	f := &fake{stages: deletesOnly()}
	env := newEnv(t, f)
	var early error
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateApproveDeletes, "early", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { early = err },
			OnAccept:   func() {},
			OnComplete: func(any, error) {},
		}, ApproveInput{By: "too early"})
	}, 0)
	rep := run(t, env, Input{})
	if early == nil || !strings.Contains(early.Error(), "not waiting") || rep.DeletesApproved || len(f.calls) != 0 {
		t.Fatalf("early approval: rejected %v; report %+v, %d deletes", early, rep, len(f.calls))
	}
}
