package ncpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpauth"
	"github.com/orgsync/orgsync/internal/target"
	"github.com/orgsync/orgsync/internal/throttle"
)

// DefaultTimeout is the products' time for one request.
const DefaultTimeout = 10 * time.Second

// Config is what a product client (internal/workbox, internal/workplace)
// builds its Client from: the fields of the product's Config that every
// product has (documented there), then the product's rules.
type Config struct {
	Product                                  string // "workbox": prefixes configuration errors
	BaseURL, CompanyID, AccessKey, SecretKey string
	Timeout                                  time.Duration // 0 = DefaultTimeout
	HTTPClient                               *http.Client
	RateLimit                                float64
	Limiter                                  *throttle.Limiter
	Observe                                  func(kind model.Kind, method string, status int, d time.Duration)
	Now                                      func() time.Time

	// Signature is the version the product's gateway checks; APIKey and
	// Variant are for V1 only.
	Signature ncpauth.Version
	APIKey    string
	Variant   ncpauth.V1Variant
	// CompanyPath joins BaseURL and the escaped company id: every object
	// is at BaseURL + CompanyPath + id + "/" + resource [+ "/" + key].
	CompanyPath       string
	MaxBytes          int
	TooLarge          string
	ContentTypeAlways bool
	// Resource names a kind's path segment ("" for an unknown kind).
	Resource func(model.Kind) string
	// Body is the request body of an entity for POST and PUT (nil for an
	// unknown kind).
	Body func(model.Entity) any
	// Classify turns an answer into nil or an error; key is "list" for
	// a list request.
	Classify func(method, res, key string, status int, body []byte) error
}

// Client is the part of a product client that is the same for every
// product: it checks the configuration, builds each object's URL, sends
// the write or read through Transport and hands the answer to the
// product's Classify. It is safe for concurrent use.
type Client struct {
	T        Transport
	base     string
	resource func(model.Kind) string
	body     func(model.Entity) any
	classify func(method, res, key string, status int, body []byte) error
}

// New checks what every product requires of cfg and returns a client.
func New(cfg Config) (*Client, error) {
	if err := CheckBaseURL(cfg.Product, cfg.BaseURL); err != nil {
		return nil, err
	}
	switch {
	case cfg.CompanyID == "":
		return nil, errors.New(cfg.Product + ": company id is required")
	case cfg.AccessKey == "" || cfg.SecretKey == "":
		return nil, errors.New(cfg.Product + ": access key and secret key are required")
	case cfg.RateLimit < 0:
		return nil, fmt.Errorf("%s: rate limit %g: want 0 (none) or positive", cfg.Product, cfg.RateLimit)
	}
	signer := ncpauth.NewV2(cfg.AccessKey, cfg.SecretKey)
	if cfg.Signature == ncpauth.V1 {
		signer = ncpauth.NewV1(cfg.AccessKey, cfg.SecretKey, cfg.APIKey, cfg.Variant)
	}
	signer.Now = cfg.Now
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Limiter == nil {
		cfg.Limiter = NewLimiter(cfg.RateLimit)
	}
	return &Client{
		base: strings.TrimRight(cfg.BaseURL, "/") + cfg.CompanyPath + url.PathEscape(cfg.CompanyID),
		T: Transport{Signer: signer, HTTP: NoRedirects(cfg.HTTPClient), Timeout: cfg.Timeout, Limiter: cfg.Limiter,
			MaxBytes: cfg.MaxBytes, TooLarge: cfg.TooLarge, ContentTypeAlways: cfg.ContentTypeAlways, Observe: cfg.Observe},
		resource: cfg.Resource, body: cfg.Body, classify: cfg.Classify, // not cfg: it holds the secret
	}, nil
}

// Write sends e's body with method (POST or PUT) and classifies the answer.
func (c *Client) Write(ctx context.Context, method string, e model.Entity) error {
	b := c.body(e)
	if b == nil {
		return &target.Error{Class: target.Invalid, Message: fmt.Sprintf("unknown kind %q", e.Kind)}
	}
	data, err := json.Marshal(b)
	if err != nil { // cannot happen for the products' types; never echo the data
		return &target.Error{Class: target.Invalid, Message: "encode body: " + err.Error()}
	}
	_, err = c.Do(ctx, method, e.Kind, e.Key, "", data)
	return err
}

// Do sends one request and classifies the answer; it returns the body of
// a successful answer. key is empty only for a list (a GET; query holds
// its offset and limit).
func (c *Client) Do(ctx context.Context, method string, kind model.Kind, key, query string, data []byte) ([]byte, error) {
	res := c.resource(kind)
	if res == "" {
		return nil, &target.Error{Class: target.Invalid, Message: fmt.Sprintf("unknown kind %q", kind)}
	}
	path := c.base + "/" + res
	if method != http.MethodGet || key != "" {
		if key == "" {
			return nil, &target.Error{Class: target.Invalid, Message: res + ": empty external key"}
		}
		path += "/" + url.PathEscape(key)
	} else {
		key = "list"
	}
	status, answer, err := c.T.Do(ctx, Request{Method: method, URL: path + query, Kind: kind, What: res + " " + key, Body: data})
	if err != nil {
		return nil, err
	}
	if err := c.classify(method, res, key, status, answer); err != nil {
		return nil, err
	}
	return answer, nil
}

// Sendable is e with what both products' bodies require filled in:
// i18nNames {} rather than null (never a type error), and a top
// department's parent model.TopParent (model.ParentKey).
func Sendable(e model.Entity) model.Entity {
	if e.I18nNames == nil {
		e.I18nNames = map[string]string{}
	}
	if e.Kind == model.Department {
		e.ParentKey = model.ParentKey(e.ParentKey)
	}
	return e
}
