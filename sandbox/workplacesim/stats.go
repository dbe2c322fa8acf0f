package workplacesim

import (
	"strconv"
	"sync/atomic"
)

// Stats are the request counters of GET /admin/stats.
type Stats struct {
	Requests         int64            `json:"requests"`         // every request under the WORKPLACE prefix
	Writes           int64            `json:"writes"`           // POST/PUT/DELETE that passed the gateway checks
	Creates          int64            `json:"creates"`          // successful POSTs
	Updates          int64            `json:"updates"`          // successful PUTs
	Deletes          int64            `json:"deletes"`          // successful DELETEs
	DuplicateCreates int64            `json:"duplicateCreates"` // POSTs refused with -1010
	ByStatus         map[string]int64 `json:"byStatus"`         // answers by HTTP status
	Throttled        int64            `json:"throttled"`        // 429 answers
}

// counters are lock-free so counting never contends with the state mutex.
type counters struct {
	requests, writes, creates, updates, deletes, dupCreates, throttled atomic.Int64
	byStatus                                                           [600]atomic.Int64
}

func (c *counters) reset() {
	for _, v := range []*atomic.Int64{&c.requests, &c.writes, &c.creates, &c.updates, &c.deletes, &c.dupCreates, &c.throttled} {
		v.Store(0)
	}
	for i := range c.byStatus {
		c.byStatus[i].Store(0)
	}
}

func (c *counters) status(code int) {
	if code >= 0 && code < len(c.byStatus) {
		c.byStatus[code].Add(1)
	}
}

// Stats returns a snapshot of the counters.
func (s *Sim) Stats() Stats {
	c := &s.stats
	out := Stats{
		Requests: c.requests.Load(), Writes: c.writes.Load(), Creates: c.creates.Load(),
		Updates: c.updates.Load(), Deletes: c.deletes.Load(), DuplicateCreates: c.dupCreates.Load(),
		Throttled: c.throttled.Load(), ByStatus: map[string]int64{},
	}
	for i := range c.byStatus {
		if n := c.byStatus[i].Load(); n > 0 {
			out.ByStatus[strconv.Itoa(i)] = n
		}
	}
	return out
}
