package workplace

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
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
	api        *ncpapi.Client // BaseURL + /company/{companyId}
	pageSize   int
	defaultYmd string
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
	c := &Client{pageSize: cfg.PageSize, defaultYmd: cfg.DefaultEmployYmd}
	if c.pageSize == 0 {
		c.pageSize = DefaultPageSize
	}
	if c.defaultYmd == "" {
		c.defaultYmd = DefaultEmployYmd
	}
	var err error
	c.api, err = ncpapi.New(ncpapi.Config{
		Product: "workplace", Account: cfg.Account,
		Signature: ncpauth.V2, CompanyPath: "/company/",
		MaxBytes: MaxResponseBytes, TooLarge: "response too large",
		Resource: Resource, Body: func(e model.Entity) any { return Body(e, c.defaultYmd) }, Classify: classifyRead,
	})
	_, perr := time.Parse("2006-01-02", c.defaultYmd)
	switch {
	case err != nil:
		return nil, err
	case cfg.PageSize < 0:
		return nil, fmt.Errorf("workplace: page size %d: want 0 (default) or positive", cfg.PageSize)
	case perr != nil:
		return nil, fmt.Errorf("workplace: default hire date %q is not yyyy-MM-dd", c.defaultYmd)
	}
	return c, nil
}

// Create POSTs a new object. An existing key is target.Exists, unless
// reading it back shows that this very call created it (its answer was
// lost or a 5xx): then the create is done.
func (c *Client) Create(ctx context.Context, e model.Entity) error {
	return c.settle(ctx, http.MethodPost, e, c.api.Write(ctx, http.MethodPost, e))
}

// Update PUTs the whole object; a missing key is target.NotFound.
func (c *Client) Update(ctx context.Context, e model.Entity) error {
	return c.settle(ctx, http.MethodPut, e, c.api.Write(ctx, http.MethodPut, e))
}

// Delete removes an object; a key the target does not hold is done.
func (c *Client) Delete(ctx context.Context, kind model.Kind, key string) error {
	_, err := c.api.Do(ctx, http.MethodDelete, kind, key, "", nil)
	if target.ClassOf(err) == target.NotFound {
		return nil
	}
	return c.settle(ctx, http.MethodDelete, model.Entity{Kind: kind, Key: key}, err)
}

// Normalize returns e as WORKPLACE stores it, in the canonical model:
// the login id and hire date the client fills in are made explicit and
// empty maps are nil. Comparing Normalize(mapping) with a listed entity
// tells whether the object was changed in the target.
func (c *Client) Normalize(e model.Entity) model.Entity {
	if len(e.I18nNames) == 0 {
		e.I18nNames = nil
	}
	if e.Kind == model.Department {
		e.ParentKey = model.ParentKey(e.ParentKey)
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

// classifyRead is classify, except that a refusal of a read by the API
// Gateway is a *gatewayError.
func classifyRead(method, res, key string, status int, body []byte) error {
	err := classify(method, res, key, status, body)
	if _, _, _, gateway, _ := parseError(body); err != nil && gateway && method == http.MethodGet {
		return &gatewayError{err.(*target.Error)} // never "missing": see Get
	}
	return err
}

// gatewayError marks a refusal of a read by the API Gateway (in its own
// body shape), such as 404 / 300 for a path it does not route: it says
// nothing about the object.
type gatewayError struct{ te *target.Error }

func (g *gatewayError) Error() string { return g.te.Error() }
func (g *gatewayError) Unwrap() error { return g.te }
