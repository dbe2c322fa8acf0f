package plan_test

import (
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
)

func TestKindOfSeq(t *testing.T) {
	for seq, want := range map[int]model.Kind{plan.SeqBase + 1: model.Grade, 2*plan.SeqBase + 7: model.Position,
		3 * plan.SeqBase: model.Department, 4*plan.SeqBase + 99: model.Employee, 5: "unknown"} {
		if got := plan.KindOfSeq(seq); got != want {
			t.Errorf("KindOfSeq(%d) = %s, want %s", seq, got, want)
		}
	}
}
