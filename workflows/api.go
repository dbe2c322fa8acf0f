// Package workflows holds the OrgSync workflow: plan every stage, apply
// the changes stage by stage through child workflows, hold large deletes
// for approval, and report. It is deterministic and does no I/O.
package workflows

import (
	"errors"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"go.temporal.io/sdk/temporal"
)

// Public names (DESIGN.md, "Public contracts"). Keep them stable.
const (
	WorkflowName         = "OrgSync"
	ApplyRangeName       = "OrgSyncApplyRange"
	TaskQueue            = "org-sync"
	QueryProgress        = "progress"
	UpdateApproveDeletes = "approve-deletes"
	SignalApproveDeletes = "approve-deletes"
)

// Input is the workflow input; every field is optional, so `{}` from the
// Temporal UI runs a full sync with the worker's defaults.
type Input = plan.Input

// Report is the workflow output.
type Report = plan.Report

// ApproveInput is the argument of the approve-deletes update and signal.
type ApproveInput struct {
	By string `json:"by,omitempty"`
}

// WorkflowID is the id the starter and the schedule give a company's runs,
// so Temporal itself refuses a second concurrent run. Runs started with
// other ids (the UI, the CLI) are kept apart by the lock in Postgres.
func WorkflowID(target, company string) string { return "orgsync-" + target + "-" + company }

// ErrText is the innermost message of an activity, child or workflow
// failure: the one a person needs (the starter prints it too).
func ErrText(err error) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Message()
	}
	var we *temporal.WorkflowExecutionError
	if errors.As(err, &we) && errors.Unwrap(we) != nil {
		return errors.Unwrap(we).Error()
	}
	return err.Error()
}

// Progress is the answer of the `progress` query.
type Progress struct {
	Stage     string `json:"stage"`
	Status    string `json:"status"`
	Done      int    `json:"done"`
	Failed    int    `json:"failed"`
	Remaining int    `json:"remaining"`
}

// ApplyRangeInput is the input of a child that applies plan items Lo..Hi.
type ApplyRangeInput struct {
	RunID string     `json:"runId"`
	Kind  model.Kind `json:"kind"`
	plan.Span
	Window  int  `json:"window"`
	Undo    bool `json:"undo,omitempty"`
	Reverse bool `json:"reverse,omitempty"`
	Batch   int  `json:"batch,omitempty"`
	// Parallel is how many batch activities run at once; 0 means
	// BatchParallel (children started before the batch-waves version).
	Parallel int `json:"parallel,omitempty"`
	// Company routes the child's activities to the company's task queue
	// ("" = the shared queue, as before the company-task-queue version).
	Company string `json:"company,omitempty"`
}

// Tuning that bounds every execution's history: a child applies at most
// ChildItems items (about 3-6 events each, so under 4,096 events), and a
// parent runs at most ChildParallel children at once, sharing the window.
const (
	ChildItems    = 600
	ChildParallel = 4
	// In batch mode a child runs at most ChildBatches batch activities,
	// BatchParallel at a time.
	ChildBatches    = 100
	BatchParallel   = 4
	BatchParallelV1 = 16
	// InlineBatches: in batch mode, a range of at most this many batches
	// is applied by the parent itself (about 4 events per batch).
	InlineBatches = 40
	// WaveGroupBatches bounds the items of the small waves one batch
	// activity applies in order, in batches.
	WaveGroupBatches = 10
	// InlineItems: a range this small is applied by the parent itself.
	InlineItems = 100
)
