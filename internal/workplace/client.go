package workplace

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpapi"
	"github.com/orgsync/orgsync/internal/ncpauth"
	"github.com/orgsync/orgsync/internal/target"
)

// Client writes to and lists WORKPLACE. It is safe for concurrent use.
type Client struct {
	base       string // BaseURL + /company/{companyId}
	pageSize   int
	defaultYmd string
	t          ncpapi.Transport
	// readable holds the resources whose list the target has answered:
	// after that, a 4xx to a GET by key whose code is unknown can only
	// mean the key is missing (see Get).
	readable sync.Map
}

var (
	_ target.Client = (*Client)(nil)
	_ target.Lister = (*Client)(nil)
	_ target.Reader = (*Client)(nil)
)

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	if err := ncpapi.CheckBaseURL("workplace", cfg.BaseURL); err != nil {
		return nil, err
	}
	ymd := cfg.DefaultEmployYmd
	if ymd == "" {
		ymd = DefaultEmployYmd
	}
	switch _, perr := time.Parse("2006-01-02", ymd); {
	case cfg.CompanyID == "":
		return nil, errors.New("workplace: company id is required")
	case cfg.AccessKey == "" || cfg.SecretKey == "":
		return nil, errors.New("workplace: access key and secret key are required")
	case cfg.RateLimit < 0:
		return nil, fmt.Errorf("workplace: rate limit %g: want 0 (none) or positive", cfg.RateLimit)
	case cfg.PageSize < 0:
		return nil, fmt.Errorf("workplace: page size %d: want 0 (default) or positive", cfg.PageSize)
	case perr != nil:
		return nil, fmt.Errorf("workplace: default hire date %q is not yyyy-MM-dd", ymd)
	}
	c := &Client{
		base:       strings.TrimRight(cfg.BaseURL, "/") + "/company/" + url.PathEscape(cfg.CompanyID),
		pageSize:   cfg.PageSize,
		defaultYmd: ymd,
		t: ncpapi.Transport{
			Signer:   ncpauth.NewV2(cfg.AccessKey, cfg.SecretKey),
			HTTP:     cfg.HTTPClient,
			Timeout:  cfg.Timeout,
			Limiter:  ncpapi.NewLimiter(cfg.RateLimit),
			MaxBytes: MaxResponseBytes,
			TooLarge: "response too large",
			Observe:  cfg.Observe,
		},
	}
	c.t.Signer.Now = cfg.Now
	if c.t.Timeout <= 0 {
		c.t.Timeout = DefaultTimeout
	}
	if c.pageSize == 0 {
		c.pageSize = DefaultPageSize
	}
	c.t.HTTP = ncpapi.NoRedirects(c.t.HTTP)
	return c, nil
}

// Create POSTs a new object. An existing key is target.Exists, unless
// reading it back shows that this very call created it (its answer was
// lost or a 5xx): then the create is done.
func (c *Client) Create(ctx context.Context, e model.Entity) error {
	return c.write(ctx, http.MethodPost, e)
}

// Update PUTs the whole object; a missing key is target.NotFound.
func (c *Client) Update(ctx context.Context, e model.Entity) error {
	return c.write(ctx, http.MethodPut, e)
}

// Delete removes an object; a key the target does not hold is done.
func (c *Client) Delete(ctx context.Context, kind model.Kind, key string) error {
	_, err := c.do(ctx, http.MethodDelete, kind, key, "", nil)
	if target.ClassOf(err) == target.NotFound {
		return nil
	}
	if unsure(http.MethodDelete, Resource(kind), err) {
		return c.settle(ctx, http.MethodDelete, model.Entity{Kind: kind, Key: key}, err)
	}
	return err
}

func (c *Client) write(ctx context.Context, method string, e model.Entity) error {
	b := Body(e, c.defaultYmd)
	if b == nil {
		return &target.Error{Class: target.Invalid, Message: fmt.Sprintf("unknown kind %q", e.Kind)}
	}
	data, err := json.Marshal(b)
	if err != nil {
		return &target.Error{Class: target.Invalid, Message: "encode body: " + err.Error()}
	}
	_, err = c.do(ctx, method, e.Kind, e.Key, "", data)
	if unsure(method, Resource(e.Kind), err) {
		return c.settle(ctx, method, e, err)
	}
	return err
}

// Normalize returns e as WORKPLACE stores it, in the canonical model:
// the login id and hire date the client fills in are made explicit and
// empty maps are nil. Comparing Normalize(mapping) with a listed entity
// tells whether the object was changed in the target.
func (c *Client) Normalize(e model.Entity) model.Entity {
	if len(e.I18nNames) == 0 {
		e.I18nNames = nil
	}
	if e.Kind == model.Department && e.ParentKey == "" {
		e.ParentKey = model.TopParent
	}
	if e.Kind == model.Employee {
		e.LoginID = LoginID(e)
		if e.EmployYmd == "" {
			e.EmployYmd = c.defaultYmd
		}
	}
	return e
}

// element is one entry of a list page: the body fields of any resource
// plus its externalKey.
type element struct {
	ExternalKey           string            `json:"externalKey"`
	Name                  string            `json:"name"`
	I18nNames             map[string]string `json:"i18nNames"`
	ItemUsed              *bool             `json:"itemUsed"`
	SortOrder             json.RawMessage   `json:"sortOrder"`
	DeptExternalKey       string            `json:"deptExternalKey"`
	ParentDeptExternalKey string            `json:"parentDeptExternalKey"`
	DispOrd               json.RawMessage   `json:"dispOrd"`
	LoginID               string            `json:"loginId"`
	EmailAddress          string            `json:"emailAddress"`
	EmployYmd             string            `json:"employYmd"`
	GradeCdExternalKey    string            `json:"gradeCdExternalKey"`
	JobCdExternalKey      string            `json:"jobCdExternalKey"`
	TelephoneNo           string            `json:"telephoneNo"`
	CellphoneNo           string            `json:"cellphoneNo"`
	LocaleTypeCd          string            `json:"localeTypeCd"`
	TmznTypeCd            string            `json:"tmznTypeCd"`
}

func toEntity(kind model.Kind, el element) model.Entity {
	e := model.Entity{Kind: kind, Key: el.ExternalKey, Name: el.Name, I18nNames: el.I18nNames}
	if len(e.I18nNames) == 0 {
		e.I18nNames = nil
	}
	switch kind {
	case model.Grade, model.Position:
		e.SortOrder = number(el.SortOrder)
		if el.ItemUsed != nil && !*el.ItemUsed {
			e.SortOrder = -1 // switched off by hand: orgsync always sends itemUsed true
		}
	case model.Department:
		if e.Key == "" {
			e.Key = el.DeptExternalKey
		}
		e.ParentKey, e.SortOrder = el.ParentDeptExternalKey, number(el.DispOrd)
	case model.Employee:
		e.LoginID, e.Email, e.EmployYmd = el.LoginID, el.EmailAddress, el.EmployYmd
		e.DeptKey, e.GradeKey, e.PositionKey = el.DeptExternalKey, el.GradeCdExternalKey, el.JobCdExternalKey
		e.Tel, e.Mobile, e.Locale, e.TimeZone = el.TelephoneNo, el.CellphoneNo, el.LocaleTypeCd, el.TmznTypeCd
	}
	return e
}

// number reads an order sent as a string or a number; -1 when neither.
func number(raw json.RawMessage) int {
	s := strings.TrimSpace(string(bytes.Trim(raw, `"`)))
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// do sends one request and classifies the answer; it returns the body of
// a successful answer. key is empty for a list (query holds offset/limit).
func (c *Client) do(ctx context.Context, method string, kind model.Kind, key, query string, data []byte) ([]byte, error) {
	res := Resource(kind)
	if res == "" {
		return nil, &target.Error{Class: target.Invalid, Message: fmt.Sprintf("unknown kind %q", kind)}
	}
	path := c.base + "/" + res
	what := res + " list"
	if method != http.MethodGet || key != "" {
		if key == "" {
			return nil, &target.Error{Class: target.Invalid, Message: res + ": empty external key"}
		}
		path += "/" + url.PathEscape(key)
		what = res + " " + key
	}
	status, answer, err := c.t.Do(ctx, ncpapi.Request{Method: method, URL: path + query, Kind: kind, What: what, Body: data})
	if err != nil {
		return nil, err
	}
	if key == "" {
		key = "list"
	}
	if err := classify(method, res, key, status, answer); err != nil {
		if _, _, _, gateway, _ := parseError(answer); gateway && method == http.MethodGet {
			return nil, &gatewayError{err.(*target.Error)} // never "missing": see Get
		}
		return nil, err
	}
	return answer, nil
}

// gatewayError marks a refusal of a read by the API Gateway (in its own
// body shape), such as 404 / 300 for a path it does not route: it says
// nothing about the object.
type gatewayError struct{ te *target.Error }

func (g *gatewayError) Error() string { return g.te.Error() }
func (g *gatewayError) Unwrap() error { return g.te }
