package workboxsim

import "github.com/orgsync/orgsync/sandbox/gatewaysim"

// Stats are the request counters of the WORKBOX stand-in (see
// gatewaysim.Stats); DuplicateCreates counts POSTs refused with 180011.
type Stats = gatewaysim.Stats

// Stats returns a snapshot of the counters.
func (s *Sim) Stats() Stats { return s.gw.Snapshot() }
