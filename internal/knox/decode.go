package knox

import (
	"bytes"
	"encoding/json"
	"errors"
)

// page is every Knox answer: success envelope, paging and error fields.
type page struct {
	Result        string         `json:"result"`
	CurrentPage   int            `json:"currentPage"`
	TotalPage     int            `json:"totalPage"`
	TotalCount    int            `json:"totalCount"`
	ErrorCode     string         `json:"errorCode"`
	ErrorMessage  string         `json:"errorMessage"`
	Titles        []Title        `json:"titles"`
	Organizations []Organization `json:"organizations"`
	Employees     []Employee     `json:"employees"`
}

// One record with a field of an unexpected JSON type (a number where Knox
// documents a string) must not sink the whole page: such records decode
// leniently and validation downstream judges the values.

func (t *Title) UnmarshalJSON(b []byte) error {
	type plain Title
	return lenient(b, (*plain)(t))
}

func (o *Organization) UnmarshalJSON(b []byte) error {
	type plain Organization
	return lenient(b, (*plain)(o))
}

func (e *Employee) UnmarshalJSON(b []byte) error {
	type plain Employee
	return lenient(b, (*plain)(e))
}

// lenient decodes b into v (a struct of strings). On a type mismatch it
// turns numbers and booleans into their text and drops objects and arrays.
// A record that is not an object stays an error.
func lenient(b []byte, v any) error {
	err := json.Unmarshal(b, v)
	var te *json.UnmarshalTypeError
	if err == nil || !errors.As(err, &te) {
		return err
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return err
	}
	for k, raw := range m {
		raw = bytes.TrimSpace(raw)
		switch {
		case len(raw) == 0 || raw[0] == '{' || raw[0] == '[':
			delete(m, k)
		case raw[0] == '"' || string(raw) == "null":
		default: // number, true, false
			q, _ := json.Marshal(string(raw))
			m[k] = q
		}
	}
	fixed, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return json.Unmarshal(fixed, v)
}
