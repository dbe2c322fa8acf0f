package workbox

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

// answers starts a server that gives the answers in order (the last one
// for ever) and counts the requests.
func answers(t *testing.T, list ...[2]string) (*Client, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := min(int(n.Add(1))-1, len(list)-1)
		var status int
		fmt.Sscan(list[i][0], &status)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, list[i][1])
	}))
	t.Cleanup(srv.Close)
	return newTestClient(t, ncpapi.Account{BaseURL: srv.URL + "/workbox/workbox/openapi/v1"}), &n
}

func wbErr(code string) string { return fmt.Sprintf(`{"error":{"errorCode":%q,"message":"m"}}`, code) }

// A DELETE whose first answer is a 5xx is sent again at once; a 4xx of
// unknown meaning to the re-sent DELETE is done, with a note. The same
// 4xx to a first DELETE, or "in use" to a re-sent one, is a refusal.
func TestDeleteResent(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		list  [][2]string
		want  target.Class
		sends int32
		note  bool
	}{
		{"lost then unknown 4xx", [][2]string{{"500", `{}`}, {"400", wbErr("180007")}}, target.OK, 2, true},
		{"lost then not found", [][2]string{{"503", wbErr("500")}, {"404", wbErr("180013")}}, target.NotFound, 2, false},
		{"lost then deleted", [][2]string{{"502", ``}, {"200", `{"result":"success"}`}}, target.OK, 2, false},
		{"lost then in use", [][2]string{{"500", `{}`}, {"400", wbErr(codeInUse)}}, target.Invalid, 2, false},
		{"unknown 4xx first", [][2]string{{"400", wbErr("180007")}}, target.Invalid, 1, false},
		{"always lost", [][2]string{{"500", `{}`}}, target.Transient, deleteAttempts, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, n := answers(t, tc.list...)
			err := c.Delete(ctx, model.Grade, "G1")
			if got := target.ClassOf(err); got != tc.want {
				t.Fatalf("class %s, want %s (%v)", got, tc.want, err)
			}
			if n.Load() != tc.sends {
				t.Errorf("%d sends, want %d", n.Load(), tc.sends)
			}
			if note := target.NoteOf(err); (note != "") != tc.note || tc.note && !strings.Contains(note, "180007") {
				t.Errorf("note %q", note)
			}
		})
	}
}
