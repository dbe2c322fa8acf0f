package ncpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
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

// Account is what every product's Config has (workbox.Config and
// workplace.Config embed it, and so does Config): where the product's API
// is, whose company, the keys, and how requests are paced, timed and
// observed. SecretKey never leaves it through String, GoString, LogValue or
// JSON.
type Account struct {
	BaseURL    string // the product's ProductionURL, or a sandbox's URL with the same path
	CompanyID  string // WORKBOX: 연동키 (Developers > 기본 설정 > 연동키); WORKPLACE: the company's UUID
	AccessKey  string
	SecretKey  string        `json:"-"`
	Timeout    time.Duration // per request; 0 = DefaultTimeout
	HTTPClient *http.Client  // nil = a client of its own
	// RateLimit is the client-side limit in requests per second, waited for
	// before each request (burst 1, so requests are evenly spaced); 0 = none.
	RateLimit float64
	// Limiter, when set, is the target's adaptive limiter shared by the
	// worker's clients (it then bounds itself by RateLimit); nil = a
	// limiter of this client's own from RateLimit.
	Limiter *throttle.Limiter
	// Observe, when set, is called after every request; status is 0 when no
	// answer arrived (timeout, connection error).
	Observe func(kind model.Kind, method string, status int, d time.Duration)
	// Now is the signing clock (nil = time.Now); tests skew it.
	Now func() time.Time
}

// String prints the account without the secret key; the products' Configs
// print it inside their own braces.
func (a Account) String() string {
	return fmt.Sprintf("BaseURL:%s CompanyID:%s AccessKey:%s SecretKey:%s Timeout:%s RateLimit:%g",
		a.BaseURL, a.CompanyID, a.AccessKey, ncpauth.Redact(a.SecretKey), a.Timeout, a.RateLimit)
}

// GoString keeps %#v from dumping the secret.
func (a Account) GoString() string { return a.String() }

// LogValue keeps slog from dumping the secret.
func (a Account) LogValue() slog.Value { return slog.StringValue(a.String()) }

// Config is what a product client (internal/workbox, internal/workplace)
// builds its Client from: the product's Account, then the product's rules.
// It prints as its Account, so APIKey is not printed either.
type Config struct {
	Product string // "workbox": prefixes configuration errors
	Account

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
