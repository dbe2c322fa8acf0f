package workbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpauth"
	"github.com/orgsync/orgsync/internal/target"
)

// Client writes to WORKBOX. It is safe for concurrent use.
type Client struct {
	base    string // BaseURL + /organization/company/{companyId}
	timeout time.Duration
	hc      *http.Client
	signer  *ncpauth.Signer
	limiter *rate.Limiter // nil = no limit
	observe func(model.Kind, string, int, time.Duration)
}

var _ target.Client = (*Client)(nil)

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("workbox: base URL %q is not an absolute http(s) URL", cfg.BaseURL)
	}
	variant, ok := ncpauth.ParseV1Variant(cfg.SignatureV1)
	if !ok {
		return nil, fmt.Errorf("workbox: signature v1 variant %q: want apikey or sdk", cfg.SignatureV1)
	}
	switch {
	case cfg.CompanyID == "":
		return nil, errors.New("workbox: company id is required")
	case cfg.AccessKey == "" || cfg.SecretKey == "":
		return nil, errors.New("workbox: access key and secret key are required")
	case cfg.APIKey == "" && variant == ncpauth.V1APIKey:
		return nil, errors.New("workbox: API key is required (it is part of the v1 apikey signature)")
	case cfg.RateLimit < 0:
		return nil, fmt.Errorf("workbox: rate limit %g: want 0 (none) or positive", cfg.RateLimit)
	}
	c := &Client{
		base:    strings.TrimRight(cfg.BaseURL, "/") + "/organization/company/" + url.PathEscape(cfg.CompanyID),
		timeout: cfg.Timeout,
		hc:      cfg.HTTPClient,
		signer:  ncpauth.NewV1(cfg.AccessKey, cfg.SecretKey, cfg.APIKey, variant),
		observe: cfg.Observe,
	}
	c.signer.Now = cfg.Now
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.hc == nil {
		c.hc = &http.Client{}
	}
	if cfg.RateLimit > 0 {
		c.limiter = rate.NewLimiter(rate.Limit(cfg.RateLimit), 1)
	}
	return c, nil
}

// Create POSTs a new object; an existing key is target.Exists.
func (c *Client) Create(ctx context.Context, e model.Entity) error {
	return c.write(ctx, http.MethodPost, e)
}

// Update PUTs the whole object; a missing key is target.NotFound.
func (c *Client) Update(ctx context.Context, e model.Entity) error {
	return c.write(ctx, http.MethodPut, e)
}

// Delete removes an object; a missing key is target.NotFound.
func (c *Client) Delete(ctx context.Context, kind model.Kind, key string) error {
	return c.do(ctx, http.MethodDelete, kind, key, nil)
}

func (c *Client) write(ctx context.Context, method string, e model.Entity) error {
	b := body(e)
	if b == nil {
		return &target.Error{Class: target.Invalid, Message: fmt.Sprintf("unknown kind %q", e.Kind)}
	}
	data, err := json.Marshal(b)
	if err != nil { // cannot happen for these types; never echo the data
		return &target.Error{Class: target.Invalid, Message: "encode body: " + err.Error()}
	}
	return c.do(ctx, method, e.Kind, e.Key, data)
}

// do sends one request and classifies the answer.
func (c *Client) do(ctx context.Context, method string, kind model.Kind, key string, data []byte) error {
	res := Resource(kind)
	if res == "" {
		return &target.Error{Class: target.Invalid, Message: fmt.Sprintf("unknown kind %q", kind)}
	}
	if key == "" {
		return &target.Error{Class: target.Invalid, Message: res + ": empty external key"}
	}
	what := res + " " + key
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			return aborted(ctx, what, err)
		}
	}
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if data != nil {
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(rctx, method, c.base+"/"+res+"/"+url.PathEscape(key), rd)
	if err != nil {
		return &target.Error{Class: target.Invalid, Message: what + ": " + err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	c.signer.Sign(req)

	start := time.Now()
	status, answer, err := c.roundTrip(req)
	if c.observe != nil {
		c.observe(kind, method, status, time.Since(start))
	}
	if err != nil {
		if ctx.Err() != nil {
			return aborted(ctx, what, err)
		}
		if errors.Is(err, errTooLarge) {
			return &target.Error{Class: target.Transient, Status: status, Message: what + ": response too large (over 1 MiB)"}
		}
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			return &target.Error{Class: target.Transient, Status: status, Message: fmt.Sprintf("%s: no answer within %s", what, c.timeout)}
		}
		return &target.Error{Class: target.Transient, Status: status, Message: what + ": " + cause(err)}
	}
	return classify(method, res, key, status, answer)
}

var errTooLarge = errors.New("response too large")

// roundTrip returns the status and at most MaxResponseBytes of the body.
func (c *Client) roundTrip(req *http.Request) (int, []byte, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return resp.StatusCode, nil, err
	}
	if len(b) > MaxResponseBytes {
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

func aborted(ctx context.Context, what string, err error) error {
	ctxErr := ctx.Err()
	if ctxErr == nil {
		ctxErr = err // the limiter refuses a wait longer than the deadline
	}
	return &abortError{
		te:     &target.Error{Class: target.Transient, Message: what + ": aborted: " + ctxErr.Error()},
		ctxErr: ctxErr,
	}
}
