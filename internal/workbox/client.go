package workbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpapi"
	"github.com/orgsync/orgsync/internal/ncpauth"
	"github.com/orgsync/orgsync/internal/target"
)

// Client writes to WORKBOX. It is safe for concurrent use.
type Client struct {
	base string // BaseURL + /organization/company/{companyId}
	t    ncpapi.Transport
}

var _ target.Client = (*Client)(nil)

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	if err := ncpapi.CheckBaseURL("workbox", cfg.BaseURL); err != nil {
		return nil, err
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
		base: strings.TrimRight(cfg.BaseURL, "/") + "/organization/company/" + url.PathEscape(cfg.CompanyID),
		t: ncpapi.Transport{
			Signer:            ncpauth.NewV1(cfg.AccessKey, cfg.SecretKey, cfg.APIKey, variant),
			HTTP:              cfg.HTTPClient,
			Timeout:           cfg.Timeout,
			Limiter:           ncpapi.NewLimiter(cfg.RateLimit),
			MaxBytes:          MaxResponseBytes,
			TooLarge:          "response too large (over 1 MiB)",
			ContentTypeAlways: true,
			Observe:           cfg.Observe,
		},
	}
	c.t.Signer.Now = cfg.Now
	if c.t.Timeout <= 0 {
		c.t.Timeout = DefaultTimeout
	}
	c.t.HTTP = ncpapi.NoRedirects(c.t.HTTP)
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
	status, answer, err := c.t.Do(ctx, ncpapi.Request{
		Method: method, URL: c.base + "/" + res + "/" + url.PathEscape(key), Kind: kind, What: res + " " + key, Body: data,
	})
	if err != nil {
		return err
	}
	return classify(method, res, key, status, answer)
}
