package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/testenv"
)

// A row Postgres refuses (here a key that is not UTF-8) fails the load
// with Postgres's own reason, not with the cancellation of the fetch that
// the failed COPY causes.
func TestCopyErrorIsReportedAsItself(t *testing.T) {
	st, _ := testenv.Database(t)
	_, err := st.LoadSnapshot(context.Background(), "r-copy", []model.Kind{model.Department}, func(emit model.Emit) error {
		for i := 0; i < 5000; i++ { // enough rows to still be fetching when COPY fails
			key := "D" + strings.Repeat("x", i%7)
			if i == 10 {
				key = "D\xff"
			}
			if err := emit(dept(key, model.TopParent), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		t.Fatal("a key that is not UTF-8 was stored")
	}
	if errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "write snapshot") || !strings.Contains(err.Error(), "UTF8") {
		t.Fatalf("error %q, want Postgres's reason for refusing the row", err)
	}
	t.Logf("load failed with: %v", err)
}
