package workplace

import (
	"net/http"
	"testing"

	"github.com/orgsync/orgsync/internal/target"
)

// Any WORKPLACE answer classifies into one known class without panicking,
// and a 2xx without an error body is success.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{
		`{"status":409,"code":-1010,"message":"exists","errors":[]}`,
		`{"status":400,"code":-1030,"message":"bad","errors":[{"field":"name","message":"too long"}]}`,
		`{"error":{"errorCode":"420","message":"Rate Limited"}}`, `{"code":"x"}`, `<html>`, ``, `{}`,
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
			err := classify(m, "employee", "K1", status, []byte(body))
			if err == nil {
				if status < 200 || status > 299 {
					t.Fatalf("HTTP %d classified as success", status)
				}
				continue
			}
			if te, ok := err.(*target.Error); !ok || !valid[te.Class] {
				t.Fatalf("HTTP %d %q: %T %v", status, body, err, err)
			}
		}
	})
}
