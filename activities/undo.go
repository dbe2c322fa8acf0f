package activities

import (
	"context"
	"encoding/hex"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
)

// ErrUndo is the error type of an undo that cannot start (unknown run,
// another company's run, a run still going); retrying cannot help.
const ErrUndo = "UndoRefused"

// UndoInput plans the undo, by run RunID, of the finished run Of.
type UndoInput struct {
	RunID  string `json:"runId"`
	Of     string `json:"of"`
	DryRun bool   `json:"dryRun,omitempty"`
}

// UndoPlan is what an undo run will do: per kind, in the undone run's
// ranges, Creates re-creates deleted items, Updates restores changed
// ones, Deletes removes created ones. NotUndoable items are left as the
// run wrote them (no exact pre-image of an item it did not create), and
// so are Later items, which a later run wrote too.
type UndoPlan struct {
	Of          string       `json:"of"` // the run id undone
	Stages      []plan.Stage `json:"stages"`
	NotUndoable int          `json:"notUndoable"`
	Later       int          `json:"later"`
}

// PlanUndo checks that run Of may be undone by this worker and counts
// what undoing it means. Unless it is a dry run, it closes the items a
// later run wrote too, so that undo leaves them alone.
func (a *Activities) PlanUndo(ctx context.Context, in UndoInput) (UndoPlan, error) {
	refuse := func(format string, args ...any) (UndoPlan, error) {
		return UndoPlan{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), ErrUndo, nil)
	}
	if err := a.guard(ctx, in.RunID); err != nil { // company.go
		return UndoPlan{}, err
	}
	orig, err := a.Store.GetRun(ctx, in.Of)
	if err != nil {
		return refuse("%v", err)
	}
	switch {
	case orig.Target != a.Config.Target || orig.Company != a.Config.CompanyID:
		return refuse("run %s wrote %s company %s; this worker syncs %s company %s", orig.RunID, orig.Target, orig.Company, a.Config.Target, a.Config.CompanyID)
	case orig.RunID == in.RunID:
		return refuse("a run cannot undo itself")
	case orig.Status == plan.RunRunning || orig.Status == plan.RunWaitingApproval:
		return refuse("run %s has not finished (status %s): cancel it instead, its rollback policy compensates", orig.RunID, orig.Status)
	case orig.Status == plan.RunDryRun:
		return refuse("run %s was a dry run: it wrote nothing", orig.RunID)
	}
	up := UndoPlan{Of: orig.RunID}
	if up.Later, err = a.Store.CloseLaterWrites(ctx, orig.RunID, in.DryRun); err != nil {
		return up, err
	}
	counts := map[model.Kind]*plan.Stage{}
	for _, k := range model.Kinds {
		counts[k] = &plan.Stage{Kind: k}
	}
	err = a.Store.Compensable(ctx, orig.RunID, func(it store.Item) error {
		st := counts[it.Kind]
		if st == nil {
			return nil
		}
		op, _, why := compensation(it)
		switch {
		case why != "":
			up.NotUndoable++
		case op == plan.OpCreate:
			st.Creates++
		case op == plan.OpUpdate:
			st.Updates++
		case op == plan.OpDelete:
			st.Deletes++
		}
		return nil
	})
	if err != nil {
		return up, err
	}
	mapped, err := a.Store.CountMappings(ctx, a.Config.Target, a.Config.CompanyID)
	if err != nil {
		return up, err
	}
	for _, k := range model.Kinds {
		p, ok := orig.Plan[k]
		if !ok {
			continue
		}
		st := counts[k]
		st.Current, st.Upserts, st.Removals = mapped[k], p.Upserts, p.Removals
		up.Stages = append(up.Stages, *st)
	}
	a.logger(ctx, "runId", in.RunID, "of", orig.RunID).Info("undo planned", "notUndoable", up.NotUndoable, "later", up.Later)
	return up, nil
}

// ApprovalInput records the approval of run RunID's held deletes: Items
// is the run whose plan items they are (the run itself, or the run an
// undo run compensates).
type ApprovalInput struct {
	RunID   string `json:"runId"`
	Items   string `json:"items,omitempty"`
	By      string `json:"by"`
	Creates int    `json:"creates"`
	Updates int    `json:"updates"`
	Deletes int    `json:"deletes"`
}

// RecordApproval stores who approved which plan: its counts and a digest
// of its items.
func (a *Activities) RecordApproval(ctx context.Context, in ApprovalInput) (plan.Approval, error) {
	if err := a.guard(ctx, in.RunID); err != nil { // company.go
		return plan.Approval{}, err
	}
	items := in.Items
	if items == "" {
		items = in.RunID
	}
	digest, _, err := a.Store.PlanDigest(ctx, items)
	if err != nil {
		return plan.Approval{}, err
	}
	ap := plan.Approval{By: in.By, Creates: in.Creates, Updates: in.Updates, Deletes: in.Deletes, Digest: hex.EncodeToString(digest)}
	return ap, a.Store.SaveApproval(ctx, in.RunID, ap)
}
