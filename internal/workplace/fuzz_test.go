package workplace

import (
	"testing"

	"github.com/orgsync/orgsync/internal/ncpapi/ncpapitest"
)

// Any WORKPLACE answer classifies into one known class without panicking,
// a 2xx without an error body is success, and the kept message stays
// bounded.
func FuzzClassify(f *testing.F) {
	ncpapitest.FuzzClassify(f, "employee", []string{
		`{"status":409,"code":-1010,"message":"exists","errors":[]}`,
		`{"status":400,"code":-1030,"message":"bad","errors":[{"field":"name","message":"too long"}]}`,
		`{"error":{"errorCode":"420","message":"Rate Limited"}}`, `{"code":"x"}`, `<html>`, ``, `{}`,
	}, classify)
}
