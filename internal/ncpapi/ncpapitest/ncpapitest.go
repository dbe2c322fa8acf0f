// Package ncpapitest holds test helpers shared by the NCP API Gateway
// clients (internal/workbox, internal/workplace): a server with one canned
// answer, a runner for answer-classification tables and the fuzz check of
// a classifier.
package ncpapitest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/target"
)

// Canned starts a server that answers one fixed status and JSON body to
// every request and returns its URL; it stops when the test ends.
func Canned(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// GatewayBody is an API Gateway error body with a string errorCode.
func GatewayBody(code, msg string) string {
	return fmt.Sprintf(`{"error":{"errorCode":%q,"message":%q}}`, code, msg)
}

// Case is one row of a classification table: op (create, update or
// delete) of e answered with status and body must give class Want and, for
// an error, a *target.Error with that status and Code whose message names
// the key, whose text (target.Text) contains InMsg, and whose Error()
// leaves out the server's message.
type Case struct {
	Name   string
	Op     string
	E      model.Entity
	Status int
	Body   string
	Want   target.Class
	Code   string
	InMsg  string
}

// Classification runs the table, each case against a client of its own
// from client(status, body).
func Classification(t *testing.T, cases []Case, client func(t *testing.T, status int, body string) target.Client) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			c := client(t, tt.Status, tt.Body)
			ctx := context.Background()
			var err error
			switch tt.Op {
			case "create":
				err = c.Create(ctx, tt.E)
			case "update":
				err = c.Update(ctx, tt.E)
			case "delete":
				err = c.Delete(ctx, tt.E.Kind, tt.E.Key)
			default:
				t.Fatalf("unknown op %q", tt.Op)
			}
			if got := target.ClassOf(err); got != tt.Want {
				t.Fatalf("class %s, want %s (err %v)", got, tt.Want, err)
			}
			if tt.Want == target.OK {
				return
			}
			te, ok := err.(*target.Error)
			if !ok {
				t.Fatalf("%T %v is not a *target.Error", err, err)
			}
			if te.Status != tt.Status || te.Code != tt.Code {
				t.Errorf("status/code %d/%q, want %d/%q", te.Status, te.Code, tt.Status, tt.Code)
			}
			if !strings.Contains(te.Message, tt.E.Key) {
				t.Errorf("message %q does not name the key", te.Message)
			}
			if tt.InMsg != "" && !strings.Contains(target.Text(err), tt.InMsg) {
				t.Errorf("error %q does not contain %q", target.Text(err), tt.InMsg)
			}
			// (A short message such as "Conflict" may match our own words.)
			if len(te.Detail) > 20 && strings.Contains(err.Error(), te.Detail) {
				t.Errorf("error %q repeats the server's message, which may hold data", err)
			}
		})
	}
}

// Row is a Case from its fields in order, for tables written one row a
// line.
func Row(name, op string, e model.Entity, status int, body string, want target.Class, code, inMsg string) Case {
	return Case{Name: name, Op: op, E: e, Status: status, Body: body, Want: want, Code: code, InMsg: inMsg}
}

// FuzzClassify checks that any answer to a write of resource res, seeded
// with each of bodies at common statuses, classifies into one known class
// without panicking; that a 2xx without an error body is success; and that
// the kept message stays bounded.
func FuzzClassify(f *testing.F, res string, bodies []string, classify func(method, res, key string, status int, body []byte) error) {
	for _, s := range bodies {
		for _, st := range []int{200, 201, 400, 401, 403, 404, 409, 429, 500, 503} {
			f.Add(st, s)
		}
	}
	valid := map[target.Class]bool{target.Exists: true, target.NotFound: true, target.Invalid: true, target.Forbidden: true,
		target.Auth: true, target.Throttled: true, target.Transient: true}
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 100 || status > 599 {
			return
		}
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
			err := classify(m, res, "K1", status, []byte(body))
			if err == nil {
				if status < 200 || status > 299 {
					t.Fatalf("HTTP %d classified as success", status)
				}
				continue
			}
			te, ok := err.(*target.Error)
			if !ok || !valid[te.Class] {
				t.Fatalf("HTTP %d %q: %T %v", status, body, err, err)
			}
			if len(te.Message) > 2000 {
				t.Fatalf("message of %d bytes kept", len(te.Message))
			}
		}
	})
}
