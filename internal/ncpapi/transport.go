// Package ncpapi is the client side of an API behind the NAVER Cloud API
// Gateway: it builds and signs a request, waits for the target's adaptive
// rate limit, sends it with a per-request timeout, sends it again while it
// is throttled, reads a bounded answer and turns transport failures into
// *target.Error (docs/protocol.md). It also holds what every product
// shares of a client (Client: configuration checks, object URLs, writes)
// and of answer classification (the gateway's error body, its throttling
// codes and 401). The product clients (internal/workbox,
// internal/workplace) keep their paths, bodies, resource-specific codes
// and what they do about an unsure answer.
package ncpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpauth"
	"github.com/orgsync/orgsync/internal/target"
	"github.com/orgsync/orgsync/internal/throttle"
)

// Transport sends signed requests. It is safe for concurrent use once set
// up; every field is set by the product client's constructor.
type Transport struct {
	Signer  *ncpauth.Signer
	HTTP    *http.Client
	Timeout time.Duration // per request, limiter wait excluded
	// Limiter is the target's adaptive limit, shared by every client of
	// the target in the process; nil = no limit (tests).
	Limiter *throttle.Limiter
	// MaxBytes bounds what is read of an answer; a longer one is a
	// Transient error with the message TooLarge.
	MaxBytes int
	TooLarge string
	// ContentTypeAlways sends Content-Type: application/json on requests
	// without a body too (WORKBOX has always sent it on DELETE).
	ContentTypeAlways bool
	// Observe, when set, is called after every request; status is 0 when
	// no answer arrived (timeout, connection error).
	Observe func(kind model.Kind, method string, status int, d time.Duration)
}

// IdleConns is how many connections to the target a client keeps open
// between requests. Go's default keeps 2 per host, so with an apply window
// of hundreds nearly every request opened (and, over TLS, negotiated) a
// connection of its own.
const IdleConns = 128

// NewHTTPClient is the client the product clients use unless given one.
func NewHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = IdleConns, IdleConns
	return &http.Client{Transport: t, CheckRedirect: RefuseRedirect}
}

// NoRedirects returns hc (a client of its own when nil) refusing every
// redirect. Go drops only Authorization, Cookie and Proxy-* headers on a
// cross-host redirect, so following one would hand the API key, access
// key and signature (valid for minutes, and not covering the body) to
// whatever host the answer names. hc itself is not changed.
func NoRedirects(hc *http.Client) *http.Client {
	if hc == nil {
		return NewHTTPClient()
	}
	c := *hc
	c.CheckRedirect = RefuseRedirect
	return &c
}

// ErrRedirect is the cause of a call whose answer was a redirect.
var ErrRedirect = errors.New("redirect refused")

// RefuseRedirect is an http.Client CheckRedirect that follows nothing; the
// error names where the answer pointed (scheme and host only).
func RefuseRedirect(req *http.Request, via []*http.Request) error {
	return fmt.Errorf("%w: the answer was HTTP %d to %s://%s; credentials are sent only to the configured URL, so set it to where the API is",
		ErrRedirect, req.Response.StatusCode, req.URL.Scheme, req.URL.Host)
}

// Request is one call. What names the object in error messages
// ("dept D1", "grade list"); Kind is passed to Observe.
type Request struct {
	Method string
	URL    string
	Kind   model.Kind
	What   string
	Body   []byte // nil = no body
}

// CheckBaseURL returns an error, prefixed with the product's name, when
// raw is not an absolute http(s) URL.
func CheckBaseURL(product, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s: base URL %q is not an absolute http(s) URL", product, raw)
	}
	return nil
}

// NewLimiter is the limiter of a product client built without one: rps
// requests per second at most, evenly spaced, cut while the target
// throttles; nil for rps 0 (none).
func NewLimiter(rps float64) *throttle.Limiter {
	if rps <= 0 {
		return nil
	}
	return throttle.New(throttle.Config{Max: rps})
}

// Do sends r and returns the status and body of the answer. A throttled
// answer is waiting, not failure: it slows the limiter down and r is sent
// again, for as long as ctx allows; only an answer that is still throttled
// when no time is left comes back (the product classifies it Throttled).
// Whatever keeps an answer from arriving is a *target.Error (Transient, or
// Invalid for a request that cannot be built); any other answer, even an
// error answer, is returned as it is for the product to classify.
func (t *Transport) Do(ctx context.Context, r Request) (int, []byte, error) {
	for {
		if t.Limiter != nil {
			if err := t.Limiter.Wait(ctx); err != nil {
				if ctx.Err() == nil {
					// No token before the deadline: the item waits for
					// capacity, which is throttling, not a failure.
					return 0, nil, &target.Error{Class: target.Throttled,
						Message: r.What + ": waiting for the target's rate limit (" + strconv.FormatFloat(t.Limiter.Rate(), 'f', 1, 64) + " requests/s) outlasted the call's time"}
				}
				return 0, nil, Aborted(ctx, r.What, err)
			}
		}
		start := time.Now()
		status, answer, retryAfter, err := t.once(ctx, r)
		if t.Limiter == nil || err != nil {
			return status, answer, err
		}
		if !IsThrottle(status, answer) {
			if status < 500 {
				t.Limiter.Accepted(time.Since(start))
			}
			return status, answer, nil
		}
		t.Limiter.Throttled(ctx, start, retryAfter)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < t.Timeout+max(retryAfter, time.Second) {
			return status, answer, nil // no time left to send it again
		}
	}
}

// once sends r one time; retryAfter is the answer's Retry-After.
func (t *Transport) once(ctx context.Context, r Request) (status int, answer []byte, retryAfter time.Duration, err error) {
	rctx, cancel := context.WithTimeout(ctx, t.Timeout)
	defer cancel()
	var rd io.Reader
	if r.Body != nil {
		rd = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(rctx, r.Method, r.URL, rd)
	if err != nil {
		return 0, nil, 0, &target.Error{Class: target.Invalid, Message: r.What + ": " + err.Error()}
	}
	if r.Body != nil || t.ContentTypeAlways {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	t.Signer.Sign(req)

	start := time.Now()
	status, answer, retryAfter, err = t.roundTrip(req)
	if t.Observe != nil {
		t.Observe(r.Kind, r.Method, status, time.Since(start))
	}
	if err != nil {
		if ctx.Err() != nil {
			return status, nil, 0, Aborted(ctx, r.What, err)
		}
		if errors.Is(err, ErrRedirect) { // a wrong base URL: configuration, stop the stage
			return status, nil, 0, &target.Error{Class: target.Auth, Status: status, Message: r.What + ": " + Cause(err)}
		}
		if errors.Is(err, errTooLarge) {
			return status, nil, 0, &target.Error{Class: target.Transient, Status: status, Message: r.What + ": " + t.TooLarge}
		}
		if IsTimeout(err) {
			return status, nil, 0, &target.Error{Class: target.Transient, Status: status, Message: fmt.Sprintf("%s: no answer within %s", r.What, t.Timeout)}
		}
		return status, nil, 0, &target.Error{Class: target.Transient, Status: status, Message: r.What + ": " + Cause(err)}
	}
	return status, answer, retryAfter, nil
}

var errTooLarge = errors.New("response too large")

// roundTrip returns the status, at most MaxBytes of the body and the
// Retry-After.
func (t *Transport) roundTrip(req *http.Request) (int, []byte, time.Duration, error) {
	resp, err := t.HTTP.Do(req)
	if err != nil {
		return 0, nil, 0, err
	}
	defer resp.Body.Close()
	ra := throttle.RetryAfter(resp.Header.Get("Retry-After"), time.Now())
	b, err := io.ReadAll(io.LimitReader(resp.Body, int64(t.MaxBytes)+1))
	if err != nil {
		return resp.StatusCode, nil, ra, err
	}
	if len(b) > t.MaxBytes {
		return resp.StatusCode, nil, ra, errTooLarge
	}
	return resp.StatusCode, b, ra, nil
}

// IsTimeout reports whether a call failed for want of time: its request's
// deadline, or a network timeout. The Knox client uses it too.
func IsTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &t) && t.Timeout()
}

// Cause drops url.Error's "METHOD URL:" prefix, which the caller replaces
// by naming the object. The Knox client uses it too.
func Cause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// abortError is a call the caller's context ended: transient for
// target.ClassOf, and errors.Is(err, context.Canceled) still holds.
type abortError struct {
	te     *target.Error
	ctxErr error
}

func (e *abortError) Error() string   { return e.te.Error() }
func (e *abortError) Unwrap() []error { return []error{e.te, e.ctxErr} }

// Aborted is the error of a call whose context ended (or whose limiter
// wait could not fit its deadline): Transient, and errors.Is with the
// context's error holds.
func Aborted(ctx context.Context, what string, err error) error {
	ctxErr := ctx.Err()
	if ctxErr == nil {
		ctxErr = err // the limiter refuses a wait longer than the deadline
	}
	return &abortError{
		te:     &target.Error{Class: target.Transient, Message: what + ": aborted: " + ctxErr.Error()},
		ctxErr: ctxErr,
	}
}
