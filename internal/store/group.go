package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// group turns single-item calls made at the same time (hundreds of
// ApplyItem activities in flight on one worker) into multi-row statements:
// calls that arrive while a statement runs or lingers go together in the
// next one. One round trip, one plan and one commit then serve many
// items, for a few milliseconds more per item. It is group commit, done
// in the client: Postgres CPU per applied item was
// what kept the apply rate well below the bare Temporal rate (P1 in
// docs/performance.md).
type group[Q, R any] struct {
	// run executes one statement for qs and returns one result per query,
	// in order; an error fails every call in the statement.
	run    func(ctx context.Context, qs []Q) ([]R, error)
	max    int           // queries per statement
	limit  int           // statements at once
	linger time.Duration // how long a statement waits for more queries

	mu      sync.Mutex
	queue   []*call[Q, R]
	running int
	last    time.Time     // the latest call's arrival
	gap     time.Duration // moving average of the time between calls
}

type call[Q, R any] struct {
	q    Q
	r    R
	err  error
	done chan struct{}
}

// groupTimeout bounds one statement. It runs for many callers, so no
// single caller's context may cancel it; each caller still stops waiting
// when its own context ends.
const groupTimeout = 30 * time.Second

// groupTarget is how many calls a statement waits for.
const groupTarget = 16

func newGroup[Q, R any](max, limit int, linger time.Duration, run func(context.Context, []Q) ([]R, error)) *group[Q, R] {
	return &group[Q, R]{run: run, max: max, limit: limit, linger: linger}
}

// do queues q and waits for its result.
func (g *group[Q, R]) do(ctx context.Context, q Q) (R, error) {
	c := &call[Q, R]{q: q, done: make(chan struct{})}
	g.mu.Lock()
	now := time.Now()
	if !g.last.IsZero() {
		g.gap = g.gap - g.gap/8 + now.Sub(g.last)/8
	}
	g.last = now
	g.queue = append(g.queue, c)
	if g.running < g.limit {
		g.running++
		go g.flush(context.WithoutCancel(ctx))
	}
	g.mu.Unlock()
	select {
	case <-c.done:
		return c.r, c.err
	case <-ctx.Done():
		var zero R
		return zero, ctx.Err()
	}
}

// flush runs statements until the queue is empty.
func (g *group[Q, R]) flush(ctx context.Context) {
	for {
		// Calls seldom arrive together on their own: at 400 items/s a
		// statement without a wait held 3.5 items on average, and
		// Postgres CPU per item fell about 4 times with a 20 ms wait and
		// 8 times with 50 ms. The wait is as long as groupTarget more
		// calls are expected to take, at most linger, and none when fewer
		// than 4 are expected (a rate-limited target): that would only
		// delay them.
		g.mu.Lock()
		wait := time.Duration(0)
		if len(g.queue) < g.max && g.gap > 0 && 4*g.gap <= g.linger {
			wait = min(g.linger, groupTarget*g.gap)
		}
		g.mu.Unlock()
		if wait > 0 {
			time.Sleep(wait)
		}
		g.mu.Lock()
		n := min(len(g.queue), g.max)
		if n == 0 {
			g.running--
			g.mu.Unlock()
			return
		}
		batch := g.queue[:n:n]
		g.queue = g.queue[n:]
		g.mu.Unlock()

		qs := make([]Q, n)
		for i, c := range batch {
			qs[i] = c.q
		}
		sctx, cancel := context.WithTimeout(ctx, groupTimeout)
		rs, err := g.run(sctx, qs)
		cancel()
		if err == nil && len(rs) != n {
			err = fmt.Errorf("store: %d results for %d queries", len(rs), n)
		}
		for i, c := range batch {
			if err == nil {
				c.r = rs[i]
			}
			c.err = err
			close(c.done)
		}
	}
}
