package testenv

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/history/v1"

	"github.com/orgsync/orgsync/internal/plan"
)

// Items summarises a run's plan items as the reliability tests check them.
type Items struct {
	Total       int
	ByStatus    map[string]int // applied, failed, skipped, pending, ...
	Attempts    int            // sum of attempts over all items
	MaxAttempts int            // most attempts of one item
	// FailedAttempts is the distribution of attempts over failed items:
	// attempts -> how many failed items took that many.
	FailedAttempts map[int]int
}

// Open is the number of items not closed (still pending).
func (i Items) Open() int { return i.ByStatus[plan.StatusPending] }

// RunItems reads the plan items of a run straight from Postgres.
func (s *Stack) RunItems(t testing.TB, runID string) Items {
	t.Helper()
	rows, err := s.Store.Pool.Query(context.Background(),
		`SELECT status, attempts FROM plan_items WHERE run_id = $1`, runID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := Items{ByStatus: map[string]int{}, FailedAttempts: map[int]int{}}
	for rows.Next() {
		var status string
		var attempts int
		if err := rows.Scan(&status, &attempts); err != nil {
			t.Fatal(err)
		}
		out.Total++
		out.ByStatus[status]++
		out.Attempts += attempts
		out.MaxAttempts = max(out.MaxAttempts, attempts)
		if status == plan.StatusFailed {
			out.FailedAttempts[attempts]++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// WaitWrites waits until the stack's WORKBOX stand-in has accepted at
// least n writes in all, and fails the test after timeout.
func (s *Stack) WaitWrites(t testing.TB, n int64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for s.Sandbox.Stats().Writes < n {
		if time.Now().After(deadline) {
			t.Fatalf("the target saw %d writes, not %d, within %s", s.Sandbox.Stats().Writes, n, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Retries sums the report's retries over its stages.
func Retries(rep plan.Report) int {
	n := 0
	for _, st := range rep.Stages {
		n += st.Retries
	}
	return n
}

// ActivityRetries walks a run's history and its children's (through the
// client) and returns how many activity attempts beyond the first the
// server started, whatever their cause (a Postgres outage leaves no
// trace in plan_items.attempts), and the number of executions walked.
func (s *Stack) ActivityRetries(t testing.TB, workflowID, runID string) (retries, executions int) {
	t.Helper()
	executions = s.WalkHistories(t, [][2]string{{workflowID, runID}}, func(ev *history.HistoryEvent) {
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil && a.Attempt > 1 {
			retries += int(a.Attempt - 1)
		}
	})
	return retries, executions
}

// WalkHistories calls fn with every event of the given executions (each a
// workflow id and run id) and of all their children, and returns how many
// executions it walked.
func (s *Stack) WalkHistories(t testing.TB, roots [][2]string, fn func(*history.HistoryEvent)) int {
	t.Helper()
	ctx := context.Background()
	queue := append([][2]string(nil), roots...)
	n := 0
	for ; len(queue) > 0; n++ {
		x := queue[0]
		queue = queue[1:]
		h := s.Client.GetWorkflowHistory(ctx, x[0], x[1], false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for h.HasNext() {
			ev, err := h.Next()
			if err != nil {
				t.Fatal(err)
			}
			if a := ev.GetChildWorkflowExecutionStartedEventAttributes(); a != nil {
				queue = append(queue, [2]string{a.WorkflowExecution.WorkflowId, a.WorkflowExecution.RunId})
			}
			fn(ev)
		}
	}
	return n
}
