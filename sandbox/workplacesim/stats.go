package workplacesim

import "github.com/orgsync/orgsync/sandbox/gatewaysim"

// Stats are the request counters of the WORKPLACE stand-in (see
// gatewaysim.Stats); DuplicateCreates counts POSTs refused with -1010.
type Stats = gatewaysim.Stats

// Stats returns a snapshot of the counters.
func (s *Sim) Stats() Stats { return s.gw.Snapshot() }
