package knox

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
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

type fixedAnswer struct {
	status int
	body   string
}

func (f fixedAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: f.status, Body: io.NopCloser(strings.NewReader(f.body)),
		Header: http.Header{"Content-Type": {"application/json"}}, Request: r}, nil
}

// A whole page, however malformed, ends in records or in a *knox.Error
// naming the endpoint; nothing panics and paging never loops for ever.
func FuzzOrganizationsPage(f *testing.F) {
	for _, s := range []string{
		`{"result":"success","currentPage":1,"totalPage":1,"totalCount":1,"organizations":[{"departmentCode":"D1"}]}`,
		`{"result":"fail","errorCode":"ORG0013","errorMessage":"Only one of {} can be selected."}`,
		`{"result":"success","currentPage":1,"totalPage":99999999,"organizations":[]}`,
		`{"result":"success","currentPage":2,"totalPage":1}`, `<html>`, `{"result":"success","organizations":[1,"x",null]}`, ``,
	} {
		f.Add(200, s)
		f.Add(500, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 100 || status > 599 {
			return
		}
		c, err := New(Config{BaseURL: "http://knox.invalid/knox", SystemID: "S", CompanyCode: "C",
			HTTPClient: &http.Client{Transport: fixedAnswer{status, body}}})
		if err != nil {
			t.Fatal(err)
		}
		pages := 0
		err = c.Organizations(context.Background(), func([]Organization) error {
			if pages++; pages > 3 {
				return errors.New("stop")
			}
			return nil
		})
		var ke *Error
		if err != nil && err.Error() != "stop" && !errors.As(err, &ke) {
			t.Fatalf("HTTP %d %q: %T %v", status, body, err, err)
		}
	})
}
