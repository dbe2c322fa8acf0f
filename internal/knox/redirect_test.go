package knox

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// A Knox answer that redirects is not followed: the System-ID never
// reaches the host it names, and the error is not retryable (the URL is
// wrong; asking again sends the same request to the same place).
func TestRedirectIsRefused(t *testing.T) {
	var stolen atomic.Int64
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen.Add(1)
	}))
	defer evil.Close()
	for _, status := range []int{301, 302, 303, 307, 308} {
		var asked atomic.Int64
		first := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("System-ID") == testSystemID {
				asked.Add(1)
			}
			http.Redirect(w, r, evil.URL+r.URL.Path, status)
		}))
		for _, hc := range []*http.Client{nil, {}} {
			c := newTestClient(t, first.URL+"/knox", func(cfg *Config) { cfg.HTTPClient = hc })
			_, err := c.Titles(context.Background())
			ke := asKnoxError(t, err)
			if ke.Retryable() || !strings.Contains(ke.Message, "redirect refused") || !strings.Contains(ke.Message, evil.Listener.Addr().String()) {
				t.Errorf("HTTP %d: got %v (retryable %v), want a final error naming the refused redirect", status, err, ke.Retryable())
			}
			if hc != nil && hc.CheckRedirect != nil {
				t.Error("the caller's http.Client was changed")
			}
		}
		if asked.Load() != 2 {
			t.Errorf("HTTP %d: Knox saw %d requests with the System-ID, want 2", status, asked.Load())
		}
		first.Close()
	}
	if n := stolen.Load(); n != 0 {
		t.Fatalf("the redirect target received %d requests carrying the System-ID", n)
	}
}
