// Package health answers an orchestrator's probes on the worker's metrics
// listener: /healthz (the process is up and serving) and /readyz (Postgres
// and Temporal answer and the worker is polling its task queue).
package health

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"
)

// Timeout bounds each dependency check of one /readyz request, so that a
// server that accepts connections but never answers reads as unready
// before the prober gives up.
const Timeout = 2 * time.Second

// Pinger is what /readyz asks of Postgres (pgxpool.Pool).
type Pinger interface {
	Ping(ctx context.Context) error
}

// Checker holds the worker's dependencies and whether it is polling.
type Checker struct {
	Postgres Pinger
	Temporal client.Client
	polling  atomic.Bool
}

// SetPolling records that the worker started (true) or began to stop
// (false): a stopping worker takes no new work, so it is not ready.
func (c *Checker) SetPolling(on bool) { c.polling.Store(on) }

// Mount adds /healthz and /readyz to mux.
func (c *Checker) Mount(mux *http.ServeMux) {
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		lines, ok := c.Ready(r.Context())
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		fmt.Fprintln(w, strings.Join(lines, "\n"))
	})
}

// Ready checks Postgres and Temporal at once, each within Timeout, and
// returns one line per check ("postgres: ok", "temporal: unreachable: …")
// and whether all passed. Errors carry hosts and codes, never a password.
func (c *Checker) Ready(ctx context.Context) ([]string, bool) {
	checks := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"postgres", c.Postgres.Ping},
		{"temporal", func(ctx context.Context) error {
			_, err := c.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		}},
	}
	lines := make([]string, len(checks)+1)
	okAll := true
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, ch := range checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, Timeout)
			defer cancel()
			line := ch.name + ": ok"
			if err := ch.fn(cctx); err != nil {
				line = ch.name + ": unreachable: " + oneLine(err)
				mu.Lock()
				okAll = false
				mu.Unlock()
			}
			lines[i] = line
		})
	}
	wg.Wait()
	lines[len(checks)] = "worker: polling"
	if !c.polling.Load() {
		lines[len(checks)] = "worker: not polling (starting or stopping)"
		okAll = false
	}
	return lines, okAll
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// Probe GETs path on the listener at addr (a wildcard host is asked on
// 127.0.0.1) and returns an error with the answer unless it is 200.
func Probe(addr, path string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("ORGSYNC_METRICS_ADDR %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	url := "http://" + net.JoinHostPort(host, port) + path
	hc := &http.Client{Timeout: 2*Timeout + time.Second}
	resp, err := hc.Get(url)
	if err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", url, resp.Status, strings.Join(strings.Fields(string(body)), " "))
	}
	return nil
}
