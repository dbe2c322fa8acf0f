package workflows

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"github.com/orgsync/orgsync/activities"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/target"
)

// An item whose every attempt ends throttled (the target's quota was
// taken the whole time) is started afresh, not counted failed; an item
// whose attempts end in 5xx still fails after ApplyMaxAttempts.
func TestThrottledItemStartsAfresh(t *testing.T) {
	env := quietSuite().NewTestWorkflowEnvironment()
	var mu sync.Mutex
	calls := map[int]int{}
	env.OnActivity(a.ApplyItem, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ApplyInput) (activities.ApplyResult, error) {
			mu.Lock()
			defer mu.Unlock()
			calls[in.Seq]++
			switch {
			case in.Seq == 1 && calls[1] <= 2*ApplyMaxAttempts: // two whole activities throttled
				return activities.ApplyResult{}, temporal.NewApplicationError("throttled", string(target.Throttled))
			case in.Seq == 2:
				return activities.ApplyResult{}, temporal.NewApplicationError("503", string(target.Transient))
			}
			return activities.ApplyResult{Status: plan.StatusApplied}, nil
		})
	env.ExecuteWorkflow(ApplyRange, ApplyRangeInput{RunID: "run-1", Span: plan.Span{Lo: 1, Hi: 3}, Window: 3})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res activities.SpanResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Counts.Applied != 2 || res.Counts.Failed != 1 {
		t.Fatalf("counts %+v: want the throttled item applied, the 5xx one failed", res.Counts)
	}
	if calls[1] != 2*ApplyMaxAttempts+1 || calls[2] != ApplyMaxAttempts {
		t.Fatalf("attempts %v: want %d for the throttled item, %d for the 5xx one", calls, 2*ApplyMaxAttempts+1, ApplyMaxAttempts)
	}
}
