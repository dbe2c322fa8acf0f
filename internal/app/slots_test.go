package app

import (
	"context"
	"testing"
	"time"

	"github.com/orgsync/orgsync/internal/throttle"
)

func TestSlotsFollowTheRate(t *testing.T) {
	l := throttle.New(throttle.Config{Start: 10})
	s := NewSlots(l, 500)
	if got := s.Limit(); got != 10+Floor {
		t.Fatalf("at 10/s: %d slots, want %d", got, 10+Floor)
	}
	if got := NewSlots(throttle.New(throttle.Config{Start: 10_000}), 500).Limit(); got != 500 {
		t.Fatalf("at 10,000/s: %d slots, want the cap 500", got)
	}
	var permits int
	for s.TryReserveSlot(nil) != nil {
		permits++
	}
	if permits != s.Limit() {
		t.Fatalf("%d slots taken, limit %d", permits, s.Limit())
	}
	got := make(chan error, 1)
	go func() {
		_, err := s.ReserveSlot(context.Background(), nil)
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("a full supplier reserved a slot: %v", err)
	case <-time.After(150 * time.Millisecond):
	}
	s.ReleaseSlot(nil)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if s.Used() != permits {
		t.Fatalf("used %d, want %d", s.Used(), permits)
	}
}
