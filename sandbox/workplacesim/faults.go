package workplacesim

import "github.com/orgsync/orgsync/sandbox/gatewaysim"

// Faults are switchable misbehaviours, set with POST /admin/workplace/faults
// (see gatewaysim.Faults). Here a resource in SyncOff answers 403 / -1003, a
// rejected write 400 / -1050.
type Faults = gatewaysim.Faults

// ErrBadFaults is returned for a fault setting that cannot apply.
var ErrBadFaults = gatewaysim.ErrBadFaults

// SetFaults replaces the faults. A new rate limit starts with a full bucket.
func (s *Sim) SetFaults(f Faults) error { return s.gw.SetFaults(f) }

// Faults returns the current faults.
func (s *Sim) Faults() Faults { return s.gw.Faults() }

// KeyShare maps (resource, key) to a fixed number in [0,1): the keys with
// KeyShare below rejectRate are the rejected ones. Exported so tests can
// predict them.
func KeyShare(res, key string) float64 { return gatewaysim.KeyShare(res, key) }
