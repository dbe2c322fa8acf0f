package knox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/orgsync/orgsync/internal/ncpapi"
	"github.com/orgsync/orgsync/internal/throttle"
)

// maxPages stops a server that never reaches totalPage (500 × 100,000 rows).
const maxPages = 100_000

// Client reads one company from Knox. It is safe for concurrent use.
type Client struct {
	base        string
	systemID    string
	companyCode string
	timeout     time.Duration
	maxBytes    int64
	post        bool
	hc          *http.Client
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("knox: base URL %q is not an absolute http(s) URL", cfg.BaseURL)
	}
	if cfg.SystemID == "" || cfg.CompanyCode == "" {
		return nil, errors.New("knox: System-ID and company code are required")
	}
	c := &Client{
		base:        strings.TrimRight(cfg.BaseURL, "/"),
		systemID:    cfg.SystemID,
		companyCode: cfg.CompanyCode,
		timeout:     cfg.Timeout,
		maxBytes:    cfg.MaxPageBytes,
		post:        cfg.EmployeesPOST,
		hc:          cfg.HTTPClient,
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.maxBytes <= 0 {
		c.maxBytes = DefaultMaxPageBytes
	}
	// Redirects are refused: Go would carry the System-ID header to any
	// host a 3xx names. The caller's client is copied, not changed.
	hc := http.Client{}
	if c.hc != nil {
		hc = *c.hc
	}
	hc.CheckRedirect = refuseRedirect
	c.hc = &hc
	return c, nil
}

// errRedirect is the cause of a call answered with a redirect.
var errRedirect = errors.New("redirect refused")

func refuseRedirect(req *http.Request, via []*http.Request) error {
	return fmt.Errorf("%w: the answer was HTTP %d to %s://%s; the System-ID is sent only to ORGSYNC_KNOX_URL, so set it to where Knox is",
		errRedirect, req.Response.StatusCode, req.URL.Scheme, req.URL.Host)
}

// Titles returns every job title (직급) of the company; the call is not paged.
func (c *Client) Titles(ctx context.Context) ([]Title, error) {
	p, err := c.fetchPatiently(ctx, http.MethodGet, "titles", url.Values{}, 0)
	if err != nil {
		return nil, err
	}
	return p.Titles, nil
}

// Organizations calls fn with each page of departments, pages 1..totalPage,
// holding one page at a time. An error from fn stops the walk and is
// returned as is.
func (c *Client) Organizations(ctx context.Context, fn func([]Organization) error) error {
	return walk(ctx, c, http.MethodGet, "organizations", url.Values{},
		func(p *page) []Organization { return p.Organizations }, fn)
}

// Employees calls fn with each page of the employees of one department
// (Knox allows one search attribute per call, so the company is read
// department by department).
func (c *Client) Employees(ctx context.Context, departmentCode string, fn func([]Employee) error) error {
	if departmentCode == "" {
		return errors.New("knox employees: departmentCode is required")
	}
	method := http.MethodGet
	if c.post {
		method = http.MethodPost
	}
	return walk(ctx, c, method, "employees", url.Values{"departmentCode": {departmentCode}},
		func(p *page) []Employee { return p.Employees }, fn)
}

func walk[T any](ctx context.Context, c *Client, method, endpoint string, q url.Values, items func(*page) []T, fn func([]T) error) error {
	for n := 1; ; n++ {
		p, err := c.fetchPatiently(ctx, method, endpoint, q, n)
		if err != nil {
			return err
		}
		// An empty page before the last one (rows removed meanwhile) is
		// skipped, not taken as the end.
		if list := items(p); len(list) > 0 {
			if err := fn(list); err != nil {
				return err
			}
		}
		if n >= p.TotalPage {
			return nil
		}
		if n >= maxPages {
			return &Error{Endpoint: endpoint, Page: n, Status: http.StatusOK,
				Message: fmt.Sprintf("totalPage %d is beyond %d pages", p.TotalPage, maxPages)}
		}
	}
}

// fetch asks for one page (n > 0) or the unpaged answer (n == 0).
func (c *Client) fetch(ctx context.Context, method, endpoint string, q url.Values, n int) (*page, error) {
	var retryAfter string // the answer's, once it arrived
	fail := func(status int, msg string) *Error {
		return &Error{Endpoint: endpoint, Page: n, Status: status, Message: msg, Meaning: statusMeaning(status),
			RetryAfter: throttle.RetryAfter(retryAfter, time.Now())}
	}
	q = cloneValues(q)
	q.Set("companyCode", c.companyCode)
	if n > 0 {
		q.Set("page", strconv.Itoa(n))
	}
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(`{"resultType":"basic"}`)
	}
	req, err := http.NewRequestWithContext(rctx, method, c.base+"/"+endpoint+"?"+q.Encode(), body)
	if err != nil {
		return nil, fail(0, err.Error())
	}
	req.Header.Set("System-ID", c.systemID)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, endpoint, n, 0, err)
	}
	defer resp.Body.Close()
	retryAfter = resp.Header.Get("Retry-After")
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBytes+1))
	if err != nil {
		return nil, c.transportError(ctx, endpoint, n, resp.StatusCode, err)
	}
	if int64(len(raw)) > c.maxBytes {
		return nil, fail(resp.StatusCode, fmt.Sprintf("answer is larger than %d bytes", c.maxBytes))
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300

	var p page
	if err := json.Unmarshal(raw, &p); err != nil {
		if ok {
			// Never echo the body: it holds personal data.
			return nil, fail(resp.StatusCode, "answer is not valid JSON (not JSON or truncated, "+strconv.Itoa(len(raw))+" bytes): "+err.Error())
		}
		return nil, fail(resp.StatusCode, http.StatusText(resp.StatusCode)+" (answer is not JSON)")
	}
	if !ok || p.Result != "success" {
		e := fail(resp.StatusCode, ncpapi.Message(p.ErrorMessage))
		if e.Message == "" {
			e.Message = fmt.Sprintf("result %q", p.Result)
		}
		e.Code = p.ErrorCode
		// A gateway's 502-504 means Knox itself is unavailable, whatever
		// code rides along; the code's meaning would blame a parameter.
		if m := Meaning(p.ErrorCode); m != "" && (resp.StatusCode < 502 || resp.StatusCode > 504) {
			e.Meaning = m
		}
		return nil, e
	}
	if n > 0 && p.CurrentPage != 0 && p.CurrentPage != n {
		// Paging ignored: walking on would repeat or skip rows.
		return nil, fail(resp.StatusCode, fmt.Sprintf("asked for page %d, got currentPage %d", n, p.CurrentPage))
	}
	return &p, nil
}

// transportError is a call without a complete answer: always retryable.
// When the caller's own context ended (a stopping worker cuts its
// activities off, an activity timed out) Knox said nothing wrong, and the
// retry, perhaps on another worker, must not find a non-retryable error.
func (c *Client) transportError(ctx context.Context, endpoint string, n, status int, err error) *Error {
	e := &Error{Endpoint: endpoint, Page: n, Status: status, Err: err, transport: true}
	msg := ncpapi.Cause(err) // Endpoint and Page name the call
	switch {
	case errors.Is(err, errRedirect): // a wrong URL: asking again will not help
		e.transport = false
		e.Message = msg
	case ctx.Err() != nil:
		e.Err = ctx.Err()
		e.Message = "aborted: " + ctx.Err().Error()
	case ncpapi.IsTimeout(err):
		e.Message = fmt.Sprintf("no answer within %s", c.timeout)
	default:
		e.Message = "connection error: " + msg
	}
	return e
}

func cloneValues(q url.Values) url.Values {
	out := make(url.Values, len(q)+2)
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}
