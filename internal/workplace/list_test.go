package workplace

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpapi"
)

// pager serves n grades, at most cap a page whatever limit asks, with the
// total under totalField ("" for none); ignoreOffset always serves the
// first page.
func pager(t *testing.T, n, cap int, totalField string, ignoreOffset bool) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		if ignoreOffset {
			off = 0
		}
		var els []map[string]any
		for i := off; i < min(n, off+min(limit, cap)); i++ {
			els = append(els, map[string]any{"externalKey": fmt.Sprintf("G%03d", i), "name": "n", "itemUsed": true, "sortOrder": "1"})
		}
		body := map[string]any{"elements": els}
		if totalField != "" {
			body[totalField] = n
		}
		_ = json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{Account: ncpapi.Account{BaseURL: srv.URL + "/organization/apigw/v2", CompanyID: "c1", AccessKey: "ak", SecretKey: "sk"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestListPagesToTheEnd(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		field string
	}{{"total", "total"}, {"totalCount", "totalCount"}, {"no total: until an empty page", ""}} {
		t.Run(tc.name, func(t *testing.T) {
			var keys []string
			err := pager(t, 23, 4, tc.field, false).List(ctx, model.Grade, func(e model.Entity) error {
				keys = append(keys, e.Key)
				return nil
			})
			if err != nil || len(keys) != 23 || keys[22] != "G022" {
				t.Fatalf("%d keys, err %v", len(keys), err)
			}
		})
	}
	t.Run("a server ignoring offset", func(t *testing.T) {
		n := 0
		err := pager(t, 23, 4, "total", true).List(ctx, model.Grade, func(model.Entity) error { n++; return nil })
		if err == nil || !strings.Contains(err.Error(), "previous page") || n != 4 {
			t.Fatalf("%d objects, err %v", n, err)
		}
	})
}
