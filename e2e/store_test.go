package e2e

import (
	"context"
	"testing"

	"github.com/orgsync/orgsync/internal/store"
)

func mustStore(t *testing.T, url string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}
