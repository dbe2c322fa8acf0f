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
// in the client: Postgres CPU per applied item was what kept the apply
// rate well below the bare Temporal rate (P1 in docs/performance.md).
type group[Q, R any] struct {
	// run executes one statement for qs and returns one result per query,
	// in order; an error fails every call in the statement.
	run   func(ctx context.Context, qs []Q) ([]R, error)
	max   int           // queries per statement
	limit int           // statements at once
	wait  time.Duration // the longest a statement waits for more queries

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
	return &group[Q, R]{run: run, max: max, limit: limit, wait: linger}
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

// linger waits for more calls before a statement. Calls seldom arrive
// together on their own: at 400 items/s a statement without a wait held
// 3.5 items on average, and Postgres CPU per item fell about 4 times with
// a 20 ms wait and 8 times with 50 ms. It waits while calls keep coming,
// until groupTarget are queued or for at most g.wait: as soon as two
// average gaps pass without a call (every caller may be waiting here
// already, as with a small apply window), waiting longer only delays.
// Below 4 calls expected in g.wait (a rate-limited target) it does
// not wait at all.
func (g *group[Q, R]) linger() {
	g.mu.Lock()
	gap, queued := g.gap, len(g.queue)
	g.mu.Unlock()
	if queued >= groupTarget || gap <= 0 || 4*gap > g.wait {
		return
	}
	step := max(2*gap, time.Millisecond)
	for end := time.Now().Add(g.wait); time.Now().Before(end); {
		time.Sleep(min(step, time.Until(end)))
		g.mu.Lock()
		before := queued
		queued = len(g.queue)
		g.mu.Unlock()
		if queued >= groupTarget || queued == before {
			return
		}
	}
}

// flush runs statements until the queue is empty.
func (g *group[Q, R]) flush(ctx context.Context) {
	for {
		g.linger()
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
