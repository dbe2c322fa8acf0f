package activities

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/orgsync/orgsync/internal/store"
)

// describer answers DescribeWorkflowExecution with err.
type describer struct {
	client.Client
	err error
}

func (d describer) DescribeWorkflowExecution(context.Context, string, string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	return nil, d.err
}

// Only Temporal's answer decides whether the lock's holder runs: a failed
// question is a retryable error, never "another sync is running".
func TestAliveAsksAgainWhenTemporalFails(t *testing.T) {
	h := store.Holder{WorkflowID: "orgsync-1", RunID: "r1"}
	a := &Activities{Temporal: describer{err: serviceerror.NewUnavailable("frontend restarting")}}
	alive, err := a.alive(context.Background(), h)
	if err == nil || alive {
		t.Fatalf("transient Describe error: alive %v, err %v; want an error", alive, err)
	}
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) && ae.NonRetryable() {
		t.Fatalf("transient Describe error became non-retryable: %v", err)
	}
	a.Temporal = describer{err: serviceerror.NewNotFound("no such run")}
	if alive, err := a.alive(context.Background(), h); err != nil || alive {
		t.Fatalf("NotFound: alive %v, err %v; want a dead holder", alive, err)
	}
}
