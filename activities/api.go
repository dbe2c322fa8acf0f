// Package activities holds every side effect of the OrgSync workflow:
// reading the source, planning in Postgres, writing to the target. Each is
// a method on Activities, which holds the dependencies.
package activities

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/source"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/internal/target"
)

// Error types the workflow's retry policies name as non-retryable.
const (
	ErrAlreadyRunning = "AlreadyRunning"
	ErrSource         = "SourceError"
)

// Activities are the workflow's side effects.
type Activities struct {
	Store    *store.Store
	Source   source.Source
	Target   target.Client
	Temporal client.Client // to tell a live lock holder from a dead one
	Config   config.Config
	Log      *slog.Logger
	// SearchAttributes is true when the server has orgsync's custom search
	// attributes registered, so the workflow may set them.
	SearchAttributes bool
	// Serves names every company of this worker process (activities/company.go).
	Serves []string
	// Meter counts plan items planned and applied (internal/metrics);
	// nil counts nothing.
	Meter Meter
}

// Meter counts what the activities did, for the worker's metrics. The
// context is the activity's (its task queue names the company).
type Meter interface {
	// Item counts one plan item's outcome: a plan status, or "retry" for
	// an attempt that will be tried again.
	Item(ctx context.Context, kind model.Kind, outcome string)
	// Planned counts what planning a stage found.
	Planned(ctx context.Context, st plan.Stage)
}

// BeginInput starts a run.
type BeginInput struct {
	Input plan.Input `json:"input"`
}

// Settings are the worker's settings for one run, read once by BeginRun
// from the validated config: which target and company it writes, and the
// policies. The workflow overrides them from its input once (applyInput)
// and keeps them in its state. No secrets.
type Settings struct {
	RunID            string           `json:"runId"`
	Target           string           `json:"target"`
	Company          string           `json:"company"`
	Rollback         string           `json:"rollback"`
	DeleteLimit      plan.DeleteLimit `json:"deleteLimit"`
	ApproveTimeout   time.Duration    `json:"approveTimeout"`
	Window           int              `json:"window"`
	SearchAttributes bool             `json:"searchAttributes"`
	// Name is the company's name: the run's activities go to its task queue.
	Name string `json:"name,omitempty"`
}

// PlanInput plans one stage of a run.
type PlanInput struct {
	RunID string     `json:"runId"`
	Kind  model.Kind `json:"kind"`
	// Reconcile and Unmatched are the run's input of the same names.
	// Reconcile is nil in a PlanStage scheduled before they travelled here
	// (a run in flight across the upgrade): it then reads them from the
	// run's input stored by BeginRun.
	Reconcile *bool  `json:"reconcile,omitempty"`
	Unmatched string `json:"unmatched,omitempty"`
}

// ApplyInput applies (or, with Undo, compensates) one plan item.
type ApplyInput struct {
	RunID string `json:"runId"`
	Seq   int    `json:"seq"`
	Undo  bool   `json:"undo,omitempty"`
}

// ApplyResult is the outcome of one item. Class tells the workflow when a
// failure is systematic (auth, sync switch OFF) and the stage should stop.
type ApplyResult struct {
	Status string       `json:"status"` // plan.StatusApplied, Failed, Skipped, Undone, ...
	Class  target.Class `json:"class,omitempty"`
}

// SpanResult counts what applying a span of items did: one batch activity
// (ApplyBatch) or one range of the workflow (a child, OrgSyncApplyRange).
// Class is set when an item met a failure every other item would repeat
// (auth, sync switch OFF); Abort, set by the workflow, says why the range
// stopped early.
type SpanResult struct {
	Counts plan.Counts  `json:"counts"`
	Class  target.Class `json:"class,omitempty"`
	Abort  string       `json:"abort,omitempty"`
}

// FinishInput closes a run: the workflow's view of the report, which
// FinishRun completes with the counts in Postgres and stores.
type FinishInput struct {
	Report plan.Report `json:"report"`
}
