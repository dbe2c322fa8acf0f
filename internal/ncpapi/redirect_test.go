package ncpapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpapi"
	"github.com/orgsync/orgsync/internal/ncpauth"
	"github.com/orgsync/orgsync/internal/target"
	"github.com/orgsync/orgsync/internal/workbox"
	"github.com/orgsync/orgsync/internal/workplace"
)

// A target that answers with a redirect is not followed: the signed
// headers and the body never reach the host the answer names, and the
// call fails as configuration (Auth class: the stage stops), for both
// products, for every redirect status, and whether the caller supplied an
// http.Client or not (a supplied client is not changed).
func TestRedirectsAreRefused(t *testing.T) {
	var stolen atomic.Int64
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen.Add(1)
		w.WriteHeader(http.StatusCreated)
	}))
	defer evil.Close()

	const access, secret, apiKey = "AK-redirect-test", "SK-redirect-test", "API-redirect-test"
	for _, status := range []int{301, 302, 303, 307, 308} {
		var signed atomic.Int64
		first := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get(ncpauth.HeaderSignatureV2) != "" || r.Header.Get(ncpauth.HeaderSignatureV1) != "" {
				signed.Add(1)
			}
			http.Redirect(w, r, evil.URL+r.URL.Path, status)
		}))
		supplied := &http.Client{}
		clients := map[string]target.Client{}
		for _, hc := range []*http.Client{nil, supplied} {
			account := ncpapi.Account{BaseURL: first.URL, CompanyID: "c1", AccessKey: access, SecretKey: secret, HTTPClient: hc}
			wb, err := workbox.New(workbox.Config{Account: account, APIKey: apiKey})
			if err != nil {
				t.Fatal(err)
			}
			wp, err := workplace.New(workplace.Config{Account: account})
			if err != nil {
				t.Fatal(err)
			}
			suffix := map[bool]string{true: " (own client)", false: " (supplied client)"}[hc == nil]
			clients["workbox"+suffix], clients["workplace"+suffix] = wb, wp
		}
		for name, c := range clients {
			err := c.Create(context.Background(), model.Entity{Kind: model.Grade, Key: "G1", Name: "사원"})
			var te *target.Error
			if !errors.As(err, &te) || te.Class != target.Auth || !strings.Contains(te.Message, "redirect refused") ||
				!strings.Contains(te.Message, evil.Listener.Addr().String()) {
				t.Errorf("%s, HTTP %d: got %v, want an auth-class error naming the refused redirect and its host", name, status, err)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), apiKey) {
				t.Errorf("%s: the error holds a credential", name)
			}
		}
		if supplied.CheckRedirect != nil {
			t.Error("the caller's http.Client was changed")
		}
		if signed.Load() != int64(len(clients)) {
			t.Errorf("HTTP %d: the first server saw %d signed requests, want %d", status, signed.Load(), len(clients))
		}
		first.Close()
	}
	if n := stolen.Load(); n != 0 {
		t.Fatalf("the redirect target received %d requests with the signed headers", n)
	}
}
