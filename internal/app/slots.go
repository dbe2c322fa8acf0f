package app

import (
	"context"
	"math"
	"sync"
	"time"

	"go.temporal.io/sdk/worker"

	"github.com/orgsync/orgsync/internal/throttle"
)

// Slots bound how many activities one worker runs at once by its target's
// limiter's rate (they live with the worker, not in throttle, so that the
// target and source clients need not import the Temporal worker): enough to keep the rate busy (rate × (Hold + the
// target's latency), plus Floor for the run's other activities), and no
// more. An activity the worker has not taken waits in the task queue,
// where no timeout runs; one it has taken and that only waits for a token
// would spend its start-to-close time, and at 5 requests/s a window of 200
// would wait 40 s. So the workflow's window stays as it is and the worker
// takes what the quota lets it write.
type Slots struct {
	l   *throttle.Limiter
	max int

	mu      sync.Mutex
	used    int
	changed chan struct{} // closed when a slot is released
}

// Hold is the time an apply activity holds its slot apart from the
// target's answer (task dispatch, Postgres); Floor is the slots kept for
// activities that do not write (planning, reports) and for a rate near
// zero.
const (
	Hold  = time.Second
	Floor = 4
)

// NewSlots returns the activity slot supplier of a worker whose writes
// go through l, never more than max slots at once.
func NewSlots(l *throttle.Limiter, max int) *Slots {
	return &Slots{l: l, max: max, changed: make(chan struct{})}
}

var _ worker.SlotSupplier = (*Slots)(nil)

// Limit is how many activities may run at once now.
func (s *Slots) Limit() int {
	hold := Hold + s.l.Latency()
	n := int(math.Ceil(s.l.Rate()*hold.Seconds())) + Floor
	return min(n, s.max)
}

// ReserveSlot waits for a free slot. The limit moves with the rate, so a
// waiter also looks again every 100 ms.
func (s *Slots) ReserveSlot(ctx context.Context, _ worker.SlotReservationInfo) (*worker.SlotPermit, error) {
	for {
		s.mu.Lock()
		if s.used < s.Limit() {
			s.used++
			s.mu.Unlock()
			return &worker.SlotPermit{}, nil
		}
		changed := s.changed
		s.mu.Unlock()
		t := time.NewTimer(100 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-changed:
			t.Stop()
		case <-t.C:
		}
	}
}

// TryReserveSlot takes a free slot if there is one.
func (s *Slots) TryReserveSlot(worker.SlotReservationInfo) *worker.SlotPermit {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.used < s.Limit() {
		s.used++
		return &worker.SlotPermit{}
	}
	return nil
}

// MarkSlotUsed has nothing to do: a reserved slot counts already.
func (s *Slots) MarkSlotUsed(worker.SlotMarkUsedInfo) {}

// ReleaseSlot frees a slot and wakes the waiters.
func (s *Slots) ReleaseSlot(worker.SlotReleaseInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.used--
	close(s.changed)
	s.changed = make(chan struct{})
}

// MaxSlots is the most slots ever issued.
func (s *Slots) MaxSlots() int { return s.max }

// Used is how many slots are taken.
func (s *Slots) Used() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.used
}
