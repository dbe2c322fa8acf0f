// Package plan names the plan of a run as the workflow sees it: counts and
// ranges of plan items, never the entities themselves (those stay in
// Postgres, so workflow history holds no personal data).
package plan

import "github.com/orgsync/orgsync/internal/model"

// Operations of a plan item.
const (
	OpCreate  = "create"
	OpUpdate  = "update"
	OpDelete  = "delete"
	OpInvalid = "invalid" // the source record failed validation; nothing is written
)

// Statuses of a plan item.
const (
	StatusPending    = "pending"
	StatusApplied    = "applied"
	StatusFailed     = "failed"
	StatusSkipped    = "skipped"
	StatusUndone     = "undone"
	StatusUndoFailed = "undo_failed"
	// StatusNotUndoable closes an applied item that undo leaves as the
	// run wrote it: orgsync does not know exactly what the target held
	// before (and never deletes what it did not create), or a later run
	// wrote the item too (docs/operations.md, "Rollback, cancel and undo").
	StatusNotUndoable = "not_undoable"
)

// Effects: what an applied item did to the target (plan_items.effect).
const (
	EffectCreated = "created" // our POST answered 2xx: undo deletes it
	EffectAdopted = "adopted" // the key was there; we updated it: undo never deletes it
	EffectUpdated = "updated"
	EffectDeleted = "deleted"
	EffectNone    = "none" // a delete of a key that was already gone
)

// SeqBase spaces the kinds' item numbers apart (kind index x SeqBase), so a
// stage can be planned again without renumbering the others.
const SeqBase = 10_000_000

// KindOfSeq is the kind of a plan item from its number: the kinds start at
// 1 x SeqBase, in model.Kinds order.
func KindOfSeq(seq int) model.Kind {
	i := seq/SeqBase - 1
	if i < 0 || i >= len(model.Kinds) {
		return "unknown"
	}
	return model.Kinds[i]
}

// Span is the consecutive plan items Lo..Hi (inclusive): the one shape of
// a run of items in ranges, children's inputs and batches.
type Span struct {
	Lo int `json:"lo"`
	Hi int `json:"hi"`
}

// Count is the number of items in the span.
func (s Span) Count() int { return s.Hi - s.Lo + 1 }

// Range is a span of plan items of one kind and wave that may be applied
// in parallel. Waves order department writes by depth: parents before
// children, leaves before parents on delete.
type Range struct {
	Kind   model.Kind `json:"kind"`
	Wave   int        `json:"wave"`
	Delete bool       `json:"delete,omitempty"`
	Span
}

// Stage is what planning one kind found.
type Stage struct {
	Kind      model.Kind `json:"kind"`
	Creates   int        `json:"creates"`
	Updates   int        `json:"updates"`
	Deletes   int        `json:"deletes"`
	Unchanged int        `json:"unchanged"`
	Invalid   int        `json:"invalid"`
	Current   int        `json:"current"` // mappings held before this run
	Upserts   []Range    `json:"upserts,omitempty"`
	Removals  []Range    `json:"removals,omitempty"`
}

// Counts is the outcome of applying items.
type Counts struct {
	Applied int `json:"applied"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	// NotUndoable counts, in compensation, the applied items left as the
	// run wrote them (Applied counts those undone, Failed those refused).
	NotUndoable int `json:"notUndoable,omitempty"`
}

// Add returns the sum of two counts.
func (c Counts) Add(o Counts) Counts {
	return Counts{Applied: c.Applied + o.Applied, Failed: c.Failed + o.Failed, Skipped: c.Skipped + o.Skipped,
		NotUndoable: c.NotUndoable + o.NotUndoable}
}

// StageReport is the per-stage section of a run's report.
type StageReport struct {
	Stage     model.Kind `json:"stage"`
	Created   int        `json:"created"`
	Updated   int        `json:"updated"`
	Deleted   int        `json:"deleted"`
	Unchanged int        `json:"unchanged"`
	Failed    int        `json:"failed"`
	Skipped   int        `json:"skipped"`
	Pending   int        `json:"pending,omitempty"` // planned, not applied (dry run, stopped run)
	Undone    int        `json:"undone,omitempty"`
	// UndoFailed and NotUndoable are applied items that compensation
	// could not undo (the target refused) or would not (no exact
	// pre-image of an item orgsync did not create).
	UndoFailed  int `json:"undoFailed,omitempty"`
	NotUndoable int `json:"notUndoable,omitempty"`
	Retries     int `json:"retries"`
	// Throttled counts the target's throttled answers (429), which the
	// items waited out: never a failure.
	Throttled int `json:"throttled,omitempty"`
}

// Run statuses in reports, search attributes and the runs table.
const (
	RunRunning          = "running"
	RunWaitingApproval  = "waiting-approval"
	RunCompleted        = "completed"
	RunCompletedFailing = "completed-with-failures"
	RunFailed           = "failed"
	RunDryRun           = "dry-run"
	RunCanceled         = "canceled"
	// A failed run whose rollback policy compensated: rolled-back when
	// the target is back where it was, rollback-incomplete when items were
	// left (not undoable, or the target refused their undo).
	RunRolledBack         = "rolled-back"
	RunRollbackIncomplete = "rollback-incomplete"
)

// Report is the output of OrgSync and what `starter report` prints. It
// holds counts only; the failed items and their reasons are in Postgres.
type Report struct {
	RunID       string        `json:"runId"`
	Status      string        `json:"status"`
	FailedStage string        `json:"failedStage,omitempty"`
	Message     string        `json:"message,omitempty"`
	DryRun      bool          `json:"dryRun,omitempty"`
	Stages      []StageReport `json:"stages"`
	Plan        []Stage       `json:"plan,omitempty"`
	// DeletesHeld is true when the plan's deletes were over the limit;
	// DeletesApproved tells whether someone approved them in time.
	DeletesHeld     bool `json:"deletesHeld,omitempty"`
	DeletesApproved bool `json:"deletesApproved,omitempty"`
	// RolledBack is true when compensation ran and put the target back
	// where it was before the run (for what the policy covers): every
	// applied item undone. Undo has the counts either way.
	RolledBack bool        `json:"rolledBack,omitempty"`
	Undo       *UndoReport `json:"undo,omitempty"`
	Approval   *Approval   `json:"approval,omitempty"`
}

// UndoReport is what compensation did: by a rollback policy, a cancel, or
// an undo run (`starter undo`).
type UndoReport struct {
	Policy      string `json:"policy"`       // stage, run, cancel or undo
	Of          string `json:"of,omitempty"` // the run undone (undo runs)
	Undone      int    `json:"undone"`       // writes compensated (or nothing to do)
	Failed      int    `json:"failed"`       // compensation refused by the target
	NotUndoable int    `json:"notUndoable"`  // left as the run wrote them
	Restored    bool   `json:"restored"`     // the target is back where it was
}

// Approval records who approved a run's held deletes and which plan.
type Approval struct {
	By      string `json:"by"`
	Creates int    `json:"creates"`
	Updates int    `json:"updates"`
	Deletes int    `json:"deletes"`
	Digest  string `json:"digest"` // sha256 of the plan's items (seq, op, key, content)
}

// Values of Input.Unmatched.
const (
	UnmatchedDelete = "delete"
	UnmatchedReport = "report"
)

// Input is the workflow input; every field is optional, so `{}` from the
// Temporal UI runs a full sync with the worker's defaults.
type Input struct {
	DryRun         bool     `json:"dryRun,omitempty"`
	Stages         []string `json:"stages,omitempty"`
	Rollback       string   `json:"rollback,omitempty"`    // none | stage | run; default ORGSYNC_ROLLBACK
	DeleteLimit    *int     `json:"deleteLimit,omitempty"` // deletes per kind without approval; default ORGSYNC_DELETE_LIMIT
	ApproveDeletes bool     `json:"approveDeletes,omitempty"`
	Reconcile      bool     `json:"reconcile,omitempty"`
	// Unmatched is what a reconcile does with objects the target holds
	// under keys the source lacks and orgsync did not write: UnmatchedDelete
	// (default; under the delete limit and approval) or UnmatchedReport.
	Unmatched string `json:"unmatched,omitempty"`
	// Batch > 1 applies that many entities per activity (opt-in, for first
	// loads); each entity's outcome is still recorded. 0: one per entity.
	Batch int `json:"batch,omitempty"`
	// Company names the company to sync (ORGSYNC_COMPANIES); optional when
	// the worker serves exactly one. Its activities run only on its workers.
	Company string `json:"company,omitempty"`
	// Undo, a run id, makes this run compensate that finished run instead
	// of syncing (`starter undo`): newest write first, only items no later
	// run touched. With DryRun it lists what it would do.
	Undo string `json:"undo,omitempty"`
	// ApplyPlan names a stored plan (the run id of a dry run kept by
	// `starter plan`): the run applies exactly that plan and refuses, naming
	// the first differences, when a fresh plan's items differ from it; with
	// OnlyReviewed it applies only the items that are still the same.
	ApplyPlan    string `json:"applyPlan,omitempty"`
	OnlyReviewed bool   `json:"onlyReviewed,omitempty"`
}
