package workbox

import (
	"net/http"
	"testing"

	"github.com/orgsync/orgsync/internal/target"
)

// Any answer, however malformed, classifies into one known class without
// panicking; a 2xx without an error body is success; and the kept message
// stays bounded.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{
		`{"error":{"errorCode":"180011","message":"External key exists"}}`,
		`{"error":{"errorCode":420,"message":"Rate Limited"}}`,
		`{"error":{"errorCode":null}}`, `{"error":"x"}`, `<html>502</html>`, ``, `{}`, `{"result":"success"}`,
		`{"error":{"errorCode":"180001","message":"` + string(make([]byte, 2000)) + `"}}`,
	} {
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
			err := classify(m, "user", "K1", status, []byte(body))
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
