package workplace_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/target"
	"github.com/orgsync/orgsync/internal/workplace"
	"github.com/orgsync/orgsync/sandbox/workplacesim"
)

// apply does what the apply activity does with the client's answers: a
// retryable failure is tried again, an existing key on create is adopted
// (read, then PUT only if it differs), a missing key on update created.
func apply(ctx context.Context, c *workplace.Client, op string, e model.Entity) error {
	for range 30 {
		var err error
		switch op {
		case "create":
			if err = c.Create(ctx, e); target.ClassOf(err) == target.Exists {
				var got model.Entity
				if got, err = c.Get(ctx, e.Kind, e.Key); err == nil && fmt.Sprint(c.Normalize(got)) != fmt.Sprint(c.Normalize(e)) {
					err = c.Update(ctx, e)
				}
			}
		case "update":
			if err = c.Update(ctx, e); target.ClassOf(err) == target.NotFound {
				err = c.Create(ctx, e)
			}
		case "delete":
			err = c.Delete(ctx, e.Kind, e.Key)
		}
		if !target.ClassOf(err).Retryable() {
			return err
		}
	}
	return fmt.Errorf("%s %s %s: still failing after 30 tries", op, e.Kind, e.Key)
}

// Against the strict stand-in (30% of requests answered 500, half of the
// failed writes applied first; not-found in three shapes; a page cap of
// 7), creates, updates and deletes of every kind converge with no item
// failed, and the target accepted each write exactly once. The same with
// every service error a plain 400 of unknown code. Refusals stay
// refusals: a duplicate name and a delete of a department in use fail
// without being retried for ever.
func TestStrictConverges(t *testing.T) {
	for _, plain := range []bool{false, true} {
		t.Run(fmt.Sprintf("plainErrors=%v", plain), func(t *testing.T) {
			sb := newSandbox(t)
			wp := sb.srv.Workplace()
			c := sb.client()
			ctx := context.Background()
			if err := wp.SetStrict(workplacesim.Strict{PageCap: 7, NotFoundVariants: true, PlainErrors: plain, ServerErrorRate: 0.3}); err != nil {
				t.Fatal(err)
			}
			var ents []model.Entity
			for i := range 6 {
				ents = append(ents,
					model.Entity{Kind: model.Grade, Key: fmt.Sprintf("G%d", i), Name: fmt.Sprintf("직급%d", i), SortOrder: i},
					model.Entity{Kind: model.Position, Key: fmt.Sprintf("P%d", i), Name: fmt.Sprintf("직책%d", i), SortOrder: i},
					model.Entity{Kind: model.Department, Key: fmt.Sprintf("D%d", i), Name: fmt.Sprintf("부서%d", i), ParentKey: model.TopParent, SortOrder: i})
			}
			for i := range 20 {
				ents = append(ents, model.Entity{Kind: model.Employee, Key: fmt.Sprintf("E%02d", i), Name: fmt.Sprintf("사원%d", i),
					Email: fmt.Sprintf("e%d@example.com", i), DeptKey: fmt.Sprintf("D%d", i%6), GradeKey: fmt.Sprintf("G%d", i%6), PositionKey: "P0"})
			}
			want := map[string]int64{}
			for _, e := range ents {
				if err := apply(ctx, c, "create", e); err != nil {
					t.Fatalf("create: %v", err)
				}
				want[workplace.Resource(e.Kind)+" POST"]++
			}
			// Update half of each kind; delete the employees of D5, then
			// D5, grade G5 (no longer used) and job P5.
			for i, e := range ents {
				if i%2 == 0 && e.Kind != model.Employee || i%4 == 1 && e.Kind == model.Employee {
					e.Name += "-바뀜"
					if err := apply(ctx, c, "update", e); err != nil {
						t.Fatalf("update: %v", err)
					}
					want[workplace.Resource(e.Kind)+" PUT"]++
				}
			}
			var gone []model.Entity
			for _, e := range ents {
				if e.Kind == model.Employee && (e.DeptKey == "D5" || e.GradeKey == "G5") {
					gone = append(gone, e)
				}
			}
			gone = append(gone, model.Entity{Kind: model.Department, Key: "D5"}, model.Entity{Kind: model.Grade, Key: "G5"},
				model.Entity{Kind: model.Position, Key: "P5"})
			for _, e := range gone {
				if err := apply(ctx, c, "delete", e); err != nil {
					t.Fatalf("delete %s %s: %v", e.Kind, e.Key, err)
				}
				want[workplace.Resource(e.Kind)+" DELETE"]++
			}
			// A second delete of each is done at once, whatever not-found
			// answer the server picks.
			for _, e := range gone {
				if err := apply(ctx, c, "delete", e); err != nil {
					t.Fatalf("delete again %s %s: %v", e.Kind, e.Key, err)
				}
			}
			// Refusals.
			if err := apply(ctx, c, "create", model.Entity{Kind: model.Grade, Key: "GX", Name: "직급0-바뀜"}); target.ClassOf(err) != target.Invalid {
				t.Fatalf("duplicate name: %v", err)
			}
			if err := apply(ctx, c, "delete", model.Entity{Kind: model.Department, Key: "D0"}); target.ClassOf(err) != target.Invalid {
				t.Fatalf("delete of a department in use: %v", err)
			}
			got := wp.Accepted()
			for _, res := range workplacesim.Resources {
				for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
					if got[res][m] != want[res+" "+m] {
						t.Errorf("%s %s: target accepted %d, want %d", m, res, got[res][m], want[res+" "+m])
					}
				}
			}
			// The page cap (7) is far below the limit asked (200): the
			// list still reads to the end.
			n := 0
			if err := c.List(ctx, model.Employee, func(model.Entity) error { n++; return nil }); err != nil {
				t.Fatal(err)
			}
			if st := wp.State(); n != len(st.Employees) || n != 20-len(gone)+3 {
				t.Fatalf("listed %d employees, the target holds %d", n, len(st.Employees))
			}
			t.Logf("stats %+v", wp.Stats())
		})
	}
}
