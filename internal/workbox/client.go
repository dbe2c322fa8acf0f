package workbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpapi"
	"github.com/orgsync/orgsync/internal/ncpauth"
	"github.com/orgsync/orgsync/internal/target"
)

// Client writes to WORKBOX. It is safe for concurrent use.
type Client struct {
	api *ncpapi.Client // BaseURL + /organization/company/{companyId}
}

var _ target.Client = (*Client)(nil)

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	variant, ok := ncpauth.ParseV1Variant(cfg.SignatureV1)
	api, err := ncpapi.New(ncpapi.Config{
		Product: "workbox", Account: cfg.Account,
		Signature: ncpauth.V1, APIKey: cfg.APIKey, Variant: variant,
		CompanyPath: "/organization/company/",
		MaxBytes:    MaxResponseBytes, TooLarge: "response too large (over 1 MiB)",
		ContentTypeAlways: true,
		Resource:          Resource, Body: body, Classify: classify,
	})
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, fmt.Errorf("workbox: signature v1 variant %q: want apikey or sdk", cfg.SignatureV1)
	case cfg.APIKey == "" && variant == ncpauth.V1APIKey:
		return nil, errors.New("workbox: API key is required (it is part of the v1 apikey signature)")
	}
	return &Client{api: api}, nil
}

// Create POSTs a new object; an existing key is target.Exists.
func (c *Client) Create(ctx context.Context, e model.Entity) error {
	return c.api.Write(ctx, http.MethodPost, e)
}

// Update PUTs the whole object; a missing key is target.NotFound.
func (c *Client) Update(ctx context.Context, e model.Entity) error {
	return c.api.Write(ctx, http.MethodPut, e)
}
