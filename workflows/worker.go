package workflows

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/orgsync/orgsync/activities"
)

// Register puts the workflows and the activities on a worker.
func Register(w worker.Registry, acts *activities.Activities) {
	RegisterWorkflows(w)
	RegisterActivities(w, acts)
}

// RegisterWorkflows puts the workflows on a worker of the shared queue.
func RegisterWorkflows(w worker.Registry) {
	w.RegisterWorkflowWithOptions(OrgSync, workflowOpts(WorkflowName))
	w.RegisterWorkflowWithOptions(ApplyRange, workflowOpts(ApplyRangeName))
}

// RegisterActivities puts one company's activities on a worker.
func RegisterActivities(w worker.Registry, acts *activities.Activities) {
	w.RegisterActivityWithOptions(acts, activity.RegisterOptions{})
}

func workflowOpts(name string) workflow.RegisterOptions { return workflow.RegisterOptions{Name: name} }
