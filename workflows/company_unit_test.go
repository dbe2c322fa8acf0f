package workflows

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/orgsync/orgsync/activities"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
)

// queues runs OrgSync on fake activities that note the task queue each
// activity was sent to, by activity type.
func queues(t *testing.T, in Input, name string) map[string]map[string]bool {
	t.Helper()
	var mu sync.Mutex
	seen := map[string]map[string]bool{}
	note := func(ctx context.Context) {
		info := activity.GetInfo(ctx)
		mu.Lock()
		defer mu.Unlock()
		if seen[info.ActivityType.Name] == nil {
			seen[info.ActivityType.Name] = map[string]bool{}
		}
		seen[info.ActivityType.Name][info.TaskQueue] = true
	}
	env := quietSuite().NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(ApplyRange, workflowOpts(ApplyRangeName))
	stages := fullPlan()
	env.OnActivity(a.BeginRun, mock.Anything, mock.Anything).Return(func(ctx context.Context, _ activities.BeginInput) (activities.Settings, error) {
		note(ctx)
		return activities.Settings{RunID: "run-1", Target: "workbox", Company: "c", Rollback: "none", Window: 8,
			ApproveTimeout: time.Hour, Name: name}, nil
	})
	env.OnActivity(a.PlanStage, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.PlanInput) (plan.Stage, error) {
		note(ctx)
		return stages[in.Kind], nil
	})
	env.OnActivity(a.ApplyItem, mock.Anything, mock.Anything).Return(func(ctx context.Context, _ activities.ApplyInput) (activities.ApplyResult, error) {
		note(ctx)
		return activities.ApplyResult{Status: plan.StatusApplied}, nil
	})
	env.OnActivity(a.FinishRun, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.FinishInput) (plan.Report, error) {
		note(ctx)
		return in.Report, nil
	})
	in.ApproveDeletes = true
	run(t, env, in)
	return seen
}

// A run naming its company sends every activity, the children's too, to
// the company's queue; a run naming none begins on the shared queue and
// goes on on the queue of the company that began it.
func TestActivitiesGoToTheCompanyQueue(t *testing.T) {
	const shared = "default-test-taskqueue"
	for _, tc := range []struct {
		name, input, settings, begin string
	}{
		{"named", "C10", "C10", shared + "/C10"},
		{"not named", "", "C60", shared},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen := queues(t, Input{Company: tc.input}, tc.settings)
			if len(seen["BeginRun"]) != 1 || !seen["BeginRun"][tc.begin] {
				t.Fatalf("BeginRun on %v, want %s", seen["BeginRun"], tc.begin)
			}
			want := shared + "/" + tc.settings
			for _, act := range []string{"PlanStage", "ApplyItem", "FinishRun"} {
				if len(seen[act]) != 1 || !seen[act][want] {
					t.Fatalf("%s on %v, want only %s", act, seen[act], want)
				}
			}
		})
	}
	if n := fullPlan()[model.Employee].Creates; n <= InlineItems {
		t.Fatalf("the plan's %d employees do not reach a child", n)
	}
}

// A run whose BeginRun no worker of its company picks up fails saying
// which company no worker serves.
func TestNoWorkerForTheCompany(t *testing.T) {
	env := quietSuite().NewTestWorkflowEnvironment()
	env.OnActivity(a.BeginRun, mock.Anything, mock.Anything).Return(activities.Settings{},
		temporal.NewTimeoutError(enums.TIMEOUT_TYPE_SCHEDULE_TO_START, nil))
	env.ExecuteWorkflow(OrgSync, Input{Company: "C99"})
	var ae *temporal.ApplicationError
	if err := env.GetWorkflowError(); !errors.As(err, &ae) || ae.Type() != ErrNoWorker || !ae.NonRetryable() ||
		!strings.Contains(ae.Message(), "no worker serves company C99") || !strings.Contains(ae.Message(), "default-test-taskqueue/C99") {
		t.Fatalf("workflow error: %v", err)
	}
}
