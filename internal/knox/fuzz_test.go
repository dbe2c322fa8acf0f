package knox

import (
	"encoding/json"
	"testing"
)

// Knox records decode leniently: any JSON object yields a record, any
// other input an error, and nothing panics.
func FuzzDecodeEmployee(f *testing.F) {
	for _, s := range []string{
		`{"epId":"E1","fullName":"김삼성","emailAddress":"a@b.c","departmentCode":"D1"}`,
		`{"epId":123,"fullName":true,"mobile":null,"titleSortOrder":{"x":1}}`,
		`{"epId":"E1","extra":[1,2,3]}`, `[]`, `"x"`, `null`, `{`, `{"epId":"\u0000\u202e"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var e Employee
		err := json.Unmarshal([]byte(s), &e)
		var obj map[string]json.RawMessage
		if isObject := json.Unmarshal([]byte(s), &obj) == nil && obj != nil; isObject && err != nil {
			t.Fatalf("object %q refused: %v", s, err)
		}
		var o Organization
		_ = json.Unmarshal([]byte(s), &o)
		var ti Title
		_ = json.Unmarshal([]byte(s), &ti)
	})
}
