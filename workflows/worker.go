package workflows

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/orgsync/orgsync/activities"
)

// Register puts the workflows and the activities on a worker.
func Register(w worker.Registry, acts *activities.Activities) {
	w.RegisterWorkflowWithOptions(OrgSync, workflowOpts(WorkflowName))
	w.RegisterWorkflowWithOptions(ApplyRange, workflowOpts(ApplyRangeName))
	w.RegisterActivityWithOptions(acts, activity.RegisterOptions{})
}

func workflowOpts(name string) workflow.RegisterOptions { return workflow.RegisterOptions{Name: name} }
