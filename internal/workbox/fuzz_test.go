package workbox

import (
	"testing"

	"github.com/orgsync/orgsync/internal/ncpapi/ncpapitest"
)

// Any answer, however malformed, classifies into one known class without
// panicking; a 2xx without an error body is success; and the kept message
// stays bounded.
func FuzzClassify(f *testing.F) {
	ncpapitest.FuzzClassify(f, "user", []string{
		`{"error":{"errorCode":"180011","message":"External key exists"}}`,
		`{"error":{"errorCode":420,"message":"Rate Limited"}}`,
		`{"error":{"errorCode":null}}`, `{"error":"x"}`, `<html>502</html>`, ``, `{}`, `{"result":"success"}`,
		`{"error":{"errorCode":"180001","message":"` + string(make([]byte, 2000)) + `"}}`,
	}, classify)
}
