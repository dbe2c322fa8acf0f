package knoxsim

import "fmt"

// Faults are switchable misbehaviours of the Knox stand-in, set through
// POST /admin/knox/faults. They stay until replaced; an empty value clears.
type Faults struct {
	// NotJSON names an endpoint (titles, organizations, employees) that
	// answers 200 with an HTML page instead of JSON.
	NotJSON string `json:"notJSON,omitempty"`
	// Truncate names an endpoint whose JSON body is cut in half.
	Truncate string `json:"truncate,omitempty"`
	// Status, when set, is answered by StatusFor (every endpoint if empty).
	Status    int    `json:"status,omitempty"`
	StatusFor string `json:"statusFor,omitempty"`
	// LatencyMs delays every Knox answer.
	LatencyMs int `json:"latencyMs,omitempty"`
}

// SetFaults replaces the current faults.
func (c *Company) SetFaults(f Faults) {
	c.mu.Lock()
	c.faults = f
	c.mu.Unlock()
}

// Faults returns the current faults.
func (c *Company) Faults() Faults {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.faults
}

// Validate reports a fault setting the stand-in cannot act on.
func (f Faults) Validate() error {
	for _, ep := range []string{f.NotJSON, f.Truncate, f.StatusFor} {
		switch ep {
		case "", KindTitles, KindOrganizations, KindEmployees:
		default:
			return fmt.Errorf("%w: unknown endpoint %q", ErrInvalid, ep)
		}
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 599) {
		return fmt.Errorf("%w: status %d", ErrInvalid, f.Status)
	}
	if f.LatencyMs < 0 {
		return fmt.Errorf("%w: latencyMs %d", ErrInvalid, f.LatencyMs)
	}
	return nil
}
