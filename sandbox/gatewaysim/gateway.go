// Package gatewaysim is the NAVER Cloud API Gateway in front of the
// sandbox's product stand-ins (sandbox/workboxsim, sandbox/workplacesim):
// v1/v2 signature and clock checks, switchable faults (latency, clock skew,
// rate limit, error rate, rejections by resource or key share), the
// request-body bound and the request counters. The stand-ins keep their
// routes, bodies and error codes.
package gatewaysim

import (
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net/http"
	"slices"
	"sync/atomic"
	"time"
)

// MaxBody is the largest accepted request body; beyond it 413 / 430.
const MaxBody = 1 << 20

// Refusal is why the gateway (or the body read behind it) refused a
// request; the stand-in answers it with its own error body.
type Refusal int

const (
	Passed      Refusal = iota
	Endpoint            // injected error, or the caller left during the latency: 503 / 500
	AuthFailed          // 401 / 200
	RateLimited         // 429 / 420
	BadBody             // the body could not be read (the stand-in's bad-body error)
	TooLarge            // the body is over MaxBody: 413 / 430

	// Refusals of AdmitWrite, answered with the stand-in's service codes.
	Method    // not POST, PUT or DELETE: 405
	MediaType // a POST or PUT body that is not application/json: 415
	SyncOff   // the resource's sync switch is OFF (fault): 403
	Rejected  // the write is refused (Reject or RejectRate fault): 400
)

// Config is a Gateway's setting.
type Config struct {
	Product   string   // names the product in log lines: "workbox"
	Resources []string // the resources SyncOff and Reject may name
	Verifier  Verifier
	Logger    *slog.Logger     // nil: discard
	Now       func() time.Time // nil: time.Now; tests pin the clock
}

// Gateway checks requests before a stand-in serves them. It is safe for
// concurrent use.
type Gateway struct {
	cfg    Config
	faults atomic.Pointer[FaultSet]
	// Stats are the counters; the stand-in adds the writes it serves.
	Stats Counters
}

// New returns a gateway without faults.
func New(cfg Config) *Gateway {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	g := &Gateway{cfg: cfg}
	g.faults.Store(&FaultSet{})
	return g
}

// Reset zeroes the counters and clears the faults.
func (g *Gateway) Reset() {
	g.Stats.reset()
	g.faults.Store(&FaultSet{})
}

// SetFaults replaces the faults. A new rate limit starts with a full bucket.
func (g *Gateway) SetFaults(f Faults) error {
	fs, err := prepare(f, g.cfg.Resources)
	if err != nil {
		return err
	}
	g.faults.Store(fs)
	return nil
}

// Faults returns the current faults.
func (g *Gateway) Faults() Faults { return g.faults.Load().Faults }

// Snapshot returns the counters.
func (g *Gateway) Snapshot() Stats { return g.Stats.snapshot() }

// Count counts a request and the status serve answered it with.
func (g *Gateway) Count(serve func() int) {
	g.Stats.Requests.Add(1)
	g.Stats.status(serve())
}

// Admit applies the gateway in the order of a gateway in front of a
// service: latency, authentication, throttling, injected errors, body
// size. It returns the faults the request was admitted under and its body
// (Passed), or why it was refused. res and key are for the log only.
func (g *Gateway) Admit(r *http.Request, res, key string) (*FaultSet, []byte, Refusal) {
	f := g.faults.Load()
	if f.LatencyMs > 0 {
		select {
		case <-time.After(time.Duration(f.LatencyMs) * time.Millisecond):
		case <-r.Context().Done():
			return f, nil, Endpoint
		}
	}
	if why := g.cfg.Verifier.Check(r, g.cfg.Now().UnixMilli()+f.ClockSkewMs); why != "" {
		g.cfg.Logger.Info(g.cfg.Product+": authentication failed", "method", r.Method, "resource", res, "key", key, "reason", why)
		return f, nil, AuthFailed
	}
	if !f.allow() {
		g.Stats.Throttled.Add(1)
		return f, nil, RateLimited
	}
	if f.ErrorRate > 0 && rand.Float64() < f.ErrorRate {
		return f, nil, Endpoint
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return f, nil, BadBody
	}
	if len(b) > MaxBody {
		return f, nil, TooLarge
	}
	return f, b, Passed
}

// AdmitWrite makes the checks a stand-in's service makes of every write
// before its own: the method (POST, PUT or DELETE) and, for POST and PUT,
// an application/json body. A write that passes them is counted, then
// refused when f switches its resource's sync OFF or rejects it.
func (g *Gateway) AdmitWrite(r *http.Request, f *FaultSet, res, key string) Refusal {
	switch r.Method {
	case http.MethodPost, http.MethodPut:
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			return MediaType
		}
	case http.MethodDelete:
	default:
		return Method
	}
	g.Stats.Writes.Add(1)
	switch {
	case slices.Contains(f.SyncOff, res):
		return SyncOff
	case f.Rejects(res, key):
		return Rejected
	}
	return Passed
}

// Wrote counts a successful write and returns its status: 201 Created for
// a POST, 200 OK for a PUT or DELETE.
func (g *Gateway) Wrote(method string) int {
	switch method {
	case http.MethodPost:
		g.Stats.Creates.Add(1)
		return http.StatusCreated
	case http.MethodPut:
		g.Stats.Updates.Add(1)
	default:
		g.Stats.Deletes.Add(1)
	}
	return http.StatusOK
}
