package workplace

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpapi"
	"github.com/orgsync/orgsync/internal/target"
)

// scripted answers a write with write, a GET by key with get (status and
// body), a list with an empty page, and counts the GETs by key.
func scripted(t *testing.T, write, get [2]string) (*Client, *atomic.Int32) {
	t.Helper()
	var gets atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := write
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/grade"):
			a = [2]string{"200", `{"total":0,"elements":[]}`}
		case r.Method == http.MethodGet:
			gets.Add(1)
			a = get
		}
		var status int
		fmt.Sscan(a[0], &status)
		w.WriteHeader(status)
		fmt.Fprint(w, a[1])
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{Account: ncpapi.Account{BaseURL: srv.URL + "/organization/apigw/v2", CompanyID: "c1", AccessKey: "ak", SecretKey: "sk"}})
	if err != nil {
		t.Fatal(err)
	}
	return c, &gets
}

// Each cell of the read-back table of docs/protocol.md ("WORKPLACE").
func TestSettleByReadingBack(t *testing.T) {
	g := model.Entity{Kind: model.Grade, Key: "G1", Name: "책임", SortOrder: 1}
	var (
		same    = [2]string{"200", `{"externalKey":"G1","name":"책임","itemUsed":true,"sortOrder":"1"}`}
		other   = [2]string{"200", `{"externalKey":"G1","name":"다른","itemUsed":true,"sortOrder":"1"}`}
		missing = [2]string{"404", `{"status":404,"message":"no such thing"}`}
		unknown = [2]string{"400", `{"status":400,"code":-9999,"message":"bad request"}`}
		lost    = [2]string{"500", `{"status":500,"code":-9500,"message":"internal"}`}
		inUse   = [2]string{"400", `{"status":400,"code":-1040,"message":"in use"}`}
		refused = [2]string{"405", `{"status":405,"code":-1004,"message":"method not allowed"}`}
		noRoute = [2]string{"404", `{"error":{"errorCode":"300","message":"Not Found Exception"}}`}
	)
	for _, tc := range []struct {
		name       string
		op         string
		write, get [2]string
		want       target.Class
		gets       int32
	}{
		{"DELETE 5xx, gone: done", "delete", lost, missing, target.OK, 1},
		{"DELETE 5xx, still there: retry", "delete", lost, same, target.Transient, 1},
		{"DELETE unknown 4xx, gone: done", "delete", unknown, unknown, target.OK, 1},
		{"DELETE unknown 4xx, still there: refused", "delete", unknown, same, target.Invalid, 1},
		{"DELETE in use: no read", "delete", inUse, same, target.Invalid, 0},
		{"POST 5xx, there and equal: ours", "create", lost, same, target.OK, 1},
		{"POST 5xx, there and different: exists", "create", lost, other, target.Exists, 1},
		{"POST 5xx, missing: retry", "create", lost, missing, target.Transient, 1},
		{"POST unknown 4xx, there and equal: exists", "create", unknown, same, target.Exists, 1},
		{"POST unknown 4xx, missing: refused", "create", unknown, missing, target.Invalid, 1},
		{"PUT unknown 4xx, missing: not found", "update", unknown, missing, target.NotFound, 1},
		{"PUT unknown 4xx, there and equal: done", "update", unknown, same, target.OK, 1},
		{"PUT unknown 4xx, there and different: refused", "update", unknown, other, target.Invalid, 1},
		{"PUT 5xx, there and equal: done", "update", lost, same, target.OK, 1},
		{"PUT 5xx, there and different: retry", "update", lost, other, target.Transient, 1},
		{"PUT unknown 4xx, GET refused (405): the answer stands", "update", unknown, refused, target.Invalid, 1},
		{"POST 5xx, GET always 5xx: retry", "create", lost, lost, target.Transient, readAttempts},
		{"DELETE 5xx, the gateway does not route GET by key: retry", "delete", lost, noRoute, target.Transient, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, gets := scripted(t, tc.write, tc.get)
			ctx := context.Background()
			var err error
			switch tc.op {
			case "create":
				err = c.Create(ctx, g)
			case "update":
				err = c.Update(ctx, g)
			case "delete":
				err = c.Delete(ctx, g.Kind, g.Key)
			}
			if got := target.ClassOf(err); got != tc.want {
				t.Fatalf("class %s, want %s (%v)", got, tc.want, err)
			}
			if gets.Load() != tc.gets {
				t.Errorf("%d reads, want %d", gets.Load(), tc.gets)
			}
		})
	}
}
