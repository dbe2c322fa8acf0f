package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/orgsync/orgsync/activities"
)

// A run's activities go to a task queue of its company, which only the
// workers serving that company poll; the workflows themselves stay on the
// shared queue (org-sync), which workers of any companies may share.

// CompanyQueue is the activity task queue of one company.
func CompanyQueue(taskQueue, company string) string { return taskQueue + "/" + company }

// CompanyOfQueue is the company whose queue q is; "" for the shared queue.
func CompanyOfQueue(q string) string {
	if i := strings.LastIndexByte(q, '/'); i >= 0 {
		return q[i+1:]
	}
	return ""
}

// CompanyPickupTimeout is how long a run's first activity waits for a
// worker of its company before the run fails saying no worker serves it.
const CompanyPickupTimeout = time.Minute

// ErrNoWorker is the error type of a run whose company no worker serves.
const ErrNoWorker = "NoWorkerForCompany"

type queueKey struct{}

// routeTo sends the activities started from ctx to company's task queue.
func routeTo(ctx workflow.Context, company string) workflow.Context {
	if company == "" {
		return ctx
	}
	return workflow.WithValue(ctx, queueKey{}, CompanyQueue(workflow.GetInfo(ctx).TaskQueueName, company))
}

// withOptions is workflow.WithActivityOptions on the company's queue, if
// the run has been routed.
func withOptions(ctx workflow.Context, o workflow.ActivityOptions) workflow.Context {
	if q, ok := ctx.Value(queueKey{}).(string); ok {
		o.TaskQueue = q
	}
	return workflow.WithActivityOptions(ctx, o)
}

// begin runs BeginRun and returns the context the run's activities use.
// Version 1 routes them to the company's queue: the input's company, or,
// for a run that names none, the one the worker that began it serves.
// Histories from before keep their activities on the shared queue.
func (w *orgSync) begin(ctx workflow.Context) (workflow.Context, error) {
	routed := workflow.GetVersion(ctx, "company-task-queue", workflow.DefaultVersion, 1) == 1
	bctx := withShort(ctx)
	if routed && w.in.Company != "" {
		bctx = workflow.WithScheduleToStartTimeout(withShort(routeTo(ctx, w.in.Company)), CompanyPickupTimeout)
	}
	err := workflow.ExecuteActivity(bctx, a.BeginRun, activities.BeginInput{Input: w.in}).Get(ctx, &w.settings)
	var te *temporal.TimeoutError
	if errors.As(err, &te) && te.TimeoutType() == enums.TIMEOUT_TYPE_SCHEDULE_TO_START {
		q := CompanyQueue(workflow.GetInfo(ctx).TaskQueueName, w.in.Company)
		return ctx, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"no worker serves company %s: nothing took the run's work from task queue %s within %s; add %s to ORGSYNC_COMPANIES of a worker on %s",
			w.in.Company, q, CompanyPickupTimeout, w.in.Company, workflow.GetInfo(ctx).TaskQueueName), ErrNoWorker, err)
	}
	if err != nil || !routed {
		return ctx, err
	}
	w.company = w.in.Company
	if w.company == "" {
		w.company = w.settings.Name
	}
	return routeTo(ctx, w.company), nil
}
