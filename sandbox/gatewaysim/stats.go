package gatewaysim

import (
	"strconv"
	"sync/atomic"
)

// Stats are the request counters of GET /admin/stats (and its WORKPLACE
// twin).
type Stats struct {
	Requests         int64            `json:"requests"`         // every request under the product's prefix
	Writes           int64            `json:"writes"`           // POST/PUT/DELETE that passed the gateway checks
	Creates          int64            `json:"creates"`          // successful POSTs
	Updates          int64            `json:"updates"`          // successful PUTs
	Deletes          int64            `json:"deletes"`          // successful DELETEs
	DuplicateCreates int64            `json:"duplicateCreates"` // POSTs refused because the key exists
	ByStatus         map[string]int64 `json:"byStatus"`         // answers by HTTP status
	Throttled        int64            `json:"throttled"`        // 429 answers
}

// Counters are lock-free so counting never contends with a stand-in's
// state mutex. The Gateway counts Requests, Throttled and answers by
// status; the stand-in counts the rest.
type Counters struct {
	Requests, Writes, Creates, Updates, Deletes, DupCreates, Throttled atomic.Int64
	byStatus                                                           [600]atomic.Int64
}

func (c *Counters) reset() {
	for _, v := range []*atomic.Int64{&c.Requests, &c.Writes, &c.Creates, &c.Updates, &c.Deletes, &c.DupCreates, &c.Throttled} {
		v.Store(0)
	}
	for i := range c.byStatus {
		c.byStatus[i].Store(0)
	}
}

func (c *Counters) status(code int) {
	if code >= 0 && code < len(c.byStatus) {
		c.byStatus[code].Add(1)
	}
}

// snapshot returns the counters as Stats.
func (c *Counters) snapshot() Stats {
	out := Stats{
		Requests: c.Requests.Load(), Writes: c.Writes.Load(), Creates: c.Creates.Load(),
		Updates: c.Updates.Load(), Deletes: c.Deletes.Load(), DuplicateCreates: c.DupCreates.Load(),
		Throttled: c.Throttled.Load(), ByStatus: map[string]int64{},
	}
	for i := range c.byStatus {
		if n := c.byStatus[i].Load(); n > 0 {
			out.ByStatus[strconv.Itoa(i)] = n
		}
	}
	return out
}
