package workplace

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/target"
)

// MaxPages bounds one listing: a server that never reports its end (no
// total, never an empty page) cannot keep a reconcile reading for ever.
const MaxPages = 10_000

type page struct {
	// The documents name the total both ways; either will do.
	Total      *int      `json:"total"`
	TotalCount *int      `json:"totalCount"`
	Elements   []element `json:"elements"`
}

func (p page) total() (int, bool) {
	switch {
	case p.TotalCount != nil:
		return *p.TotalCount, true
	case p.Total != nil:
		return *p.Total, true
	}
	return 0, false
}

// List calls fn once with every object of kind the target holds. The
// server may answer fewer objects than the limit asked (the documents give
// no page cap), so a short page is not the end: List reads until a page
// comes back empty or the offset reaches the total, advancing by what came
// back. A page that repeats the previous one (a server ignoring offset)
// is an error, not a loop; a key seen twice (objects shifting between
// pages) is passed on once. An order that is not a number maps to -1, so
// it always differs from what orgsync sent.
func (c *Client) List(ctx context.Context, kind model.Kind, fn func(model.Entity) error) error {
	seen := map[string]bool{}
	var prev []string
	offset := 0
	for pages := 0; pages < MaxPages; pages++ {
		q := "?offset=" + strconv.Itoa(offset) + "&limit=" + strconv.Itoa(c.pageSize)
		body, err := c.read(ctx, func() ([]byte, error) { return c.api.Do(ctx, http.MethodGet, kind, "", q, nil) })
		if err != nil {
			return err
		}
		var p page
		if err := json.Unmarshal(body, &p); err != nil {
			return &target.Error{Class: target.Transient, Status: 200,
				Message: fmt.Sprintf("%s list at offset %d: answer is not a list page: %v", Resource(kind), offset, err)}
		}
		if len(p.Elements) == 0 {
			return nil
		}
		keys := make([]string, len(p.Elements))
		for i, el := range p.Elements {
			keys[i] = toEntity(kind, el).Key
		}
		if slices.Equal(keys, prev) {
			return &target.Error{Class: target.Transient, Status: 200,
				Message: fmt.Sprintf("%s list at offset %d: the server answered the previous page again (does it ignore offset?)", Resource(kind), offset)}
		}
		prev = keys
		for _, el := range p.Elements {
			e := toEntity(kind, el)
			if seen[e.Key] {
				continue
			}
			seen[e.Key] = true
			if err := fn(e); err != nil {
				return err
			}
		}
		offset += len(p.Elements)
		if total, ok := p.total(); ok && offset >= total {
			return nil
		}
	}
	return &target.Error{Class: target.Transient,
		Message: fmt.Sprintf("%s list: no end after %d pages (%d objects)", Resource(kind), MaxPages, offset)}
}
