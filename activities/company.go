package activities

import (
	"context"
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"
)

// ErrWrongCompany: an activity reached a worker that does not serve the
// run's company. Routing (one task queue per company) keeps this from
// happening; this is the second guard, and it writes nothing.
const ErrWrongCompany = "WrongCompany"

// company names the company this Activities serves, for messages.
func (a *Activities) company() string {
	return fmt.Sprintf("%s (%s company %s)", a.Config.CompanyName(), a.Config.Target, a.Config.CompanyID)
}

// checkInput refuses a run that names another company than this one, or
// none when this worker process serves several (it cannot tell which).
func (a *Activities) checkInput(company string) error {
	if company == "" {
		if len(a.Serves) > 1 {
			return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"input company: required: this worker serves %s; name one of them", strings.Join(a.Serves, ", ")), ErrWrongCompany, nil)
		}
		return nil
	}
	if company != a.Config.CompanyName() { // exact: the name is also its task queue's
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"refused: the run is for company %s but reached the worker of company %s; nothing was written",
			company, a.company()), ErrWrongCompany, nil)
	}
	return nil
}

// owns refuses a run begun for another target or company than this one.
func (a *Activities) owns(runID, target, company string) error {
	if target == a.Config.Target && company == a.Config.CompanyID {
		return nil
	}
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
		"refused: run %s belongs to %s company %s but reached the worker of company %s; nothing was written",
		runID, target, company, a.company()), ErrWrongCompany, nil)
}

// guard checks the run's recorded company before an activity touches it.
func (a *Activities) guard(ctx context.Context, runID string) error {
	target, company, err := a.Store.RunCompany(ctx, runID)
	if err != nil {
		return err
	}
	return a.owns(runID, target, company)
}
