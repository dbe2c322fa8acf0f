// Package ncpapi is the client side of an API behind the NAVER Cloud API
// Gateway: it builds and signs a request, waits for the client-side rate
// limit, sends it with a per-request timeout, reads a bounded answer and
// turns transport failures into *target.Error (docs/protocol.md). It also
// holds what every product shares of answer classification: the gateway's
// error body, its throttling codes and 401. The product clients
// (internal/workbox, internal/workplace) keep their URLs, bodies and
// resource-specific codes.
package ncpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/time/rate"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpauth"
	"github.com/orgsync/orgsync/internal/target"
)

// Transport sends signed requests. It is safe for concurrent use once set
// up; every field is set by the product client's constructor.
type Transport struct {
	Signer  *ncpauth.Signer
	HTTP    *http.Client
	Timeout time.Duration // per request, limiter wait excluded
	Limiter *rate.Limiter // nil = no limit
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

// NewLimiter is the client-side limit of rps requests per second with
// burst 1, so that requests are evenly spaced; nil for rps 0 (none).
func NewLimiter(rps float64) *rate.Limiter {
	if rps <= 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(rps), 1)
}

// Do sends r and returns the status and body of the answer. Whatever
// keeps an answer from arriving is a *target.Error (Transient, or Invalid
// for a request that cannot be built); an answer, even an error answer,
// is returned as it is for the product to classify.
func (t *Transport) Do(ctx context.Context, r Request) (int, []byte, error) {
	if t.Limiter != nil {
		if err := t.Limiter.Wait(ctx); err != nil {
			return 0, nil, Aborted(ctx, r.What, err)
		}
	}
	rctx, cancel := context.WithTimeout(ctx, t.Timeout)
	defer cancel()
	var rd io.Reader
	if r.Body != nil {
		rd = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(rctx, r.Method, r.URL, rd)
	if err != nil {
		return 0, nil, &target.Error{Class: target.Invalid, Message: r.What + ": " + err.Error()}
	}
	if r.Body != nil || t.ContentTypeAlways {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	t.Signer.Sign(req)

	start := time.Now()
	status, answer, err := t.roundTrip(req)
	if t.Observe != nil {
		t.Observe(r.Kind, r.Method, status, time.Since(start))
	}
	if err != nil {
		if ctx.Err() != nil {
			return status, nil, Aborted(ctx, r.What, err)
		}
		if errors.Is(err, ErrRedirect) { // a wrong base URL: configuration, stop the stage
			return status, nil, &target.Error{Class: target.Auth, Status: status, Message: r.What + ": " + cause(err)}
		}
		if errors.Is(err, errTooLarge) {
			return status, nil, &target.Error{Class: target.Transient, Status: status, Message: r.What + ": " + t.TooLarge}
		}
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			return status, nil, &target.Error{Class: target.Transient, Status: status, Message: fmt.Sprintf("%s: no answer within %s", r.What, t.Timeout)}
		}
		return status, nil, &target.Error{Class: target.Transient, Status: status, Message: r.What + ": " + cause(err)}
	}
	return status, answer, nil
}

var errTooLarge = errors.New("response too large")

// roundTrip returns the status and at most MaxBytes of the body.
func (t *Transport) roundTrip(req *http.Request) (int, []byte, error) {
	resp, err := t.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, int64(t.MaxBytes)+1))
	if err != nil {
		return resp.StatusCode, nil, err
	}
	if len(b) > t.MaxBytes {
		return resp.StatusCode, nil, errTooLarge
	}
	return resp.StatusCode, b, nil
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// cause drops url.Error's "METHOD URL:" prefix; the caller names the object.
func cause(err error) string {
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
