package plan

import "fmt"

// Rollback policies (Input.Rollback, ORGSYNC_ROLLBACK): what a failed run
// compensates.
const (
	RollbackNone  = "none"
	RollbackStage = "stage" // what the failed stage applied
	RollbackRun   = "run"   // everything the run applied, newest first
)

// CheckRollback refuses a policy that is not one of the three; the
// worker's setting and a run's input are both checked here.
func CheckRollback(p string) error {
	switch p {
	case RollbackNone, RollbackStage, RollbackRun:
		return nil
	}
	return fmt.Errorf("%q is not one of none, stage, run", p)
}

// DeleteLimit is a per-kind deletion threshold: a count, a percentage of
// the kind's current mappings, or (zero value) the default: 500 or 10%,
// whichever is smaller. ORGSYNC_DELETE_LIMIT parses into it
// (config.ParseDeleteLimit); the workflow applies it, so it is plain data.
type DeleteLimit struct {
	Set       bool    `json:"set,omitempty"`
	Count     int     `json:"count,omitempty"`
	Percent   float64 `json:"percent,omitempty"`
	IsPercent bool    `json:"isPercent,omitempty"`
}

// Allowed is how many deletes of a kind holding `current` items pass
// without approval.
func (d DeleteLimit) Allowed(current int) int {
	switch {
	case !d.Set:
		return min(500, current/10)
	case d.IsPercent:
		return int(float64(current) * d.Percent / 100)
	}
	return d.Count
}
