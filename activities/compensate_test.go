package activities

import (
	"context"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/internal/target"
)

// memTarget holds entities by key, like a strict target.
type memTarget struct{ items map[string]model.Entity }

func (m *memTarget) Create(_ context.Context, e model.Entity) error {
	if _, ok := m.items[e.Key]; ok {
		return &target.Error{Class: target.Exists}
	}
	m.items[e.Key] = e
	return nil
}

func (m *memTarget) Update(_ context.Context, e model.Entity) error {
	if _, ok := m.items[e.Key]; !ok {
		return &target.Error{Class: target.NotFound}
	}
	m.items[e.Key] = e
	return nil
}

func (m *memTarget) Delete(_ context.Context, _ model.Kind, key string) error {
	if _, ok := m.items[key]; !ok {
		return &target.Error{Class: target.NotFound}
	}
	delete(m.items, key)
	return nil
}

// readable adds GET (WORKPLACE); memTarget alone cannot read (WORKBOX).
type readable struct{ *memTarget }

func (r readable) Get(_ context.Context, _ model.Kind, key string) (model.Entity, error) {
	e, ok := r.items[key]
	if !ok {
		return e, &target.Error{Class: target.NotFound}
	}
	return e, nil
}

func grade(key, name string) model.Entity {
	return model.Entity{Kind: model.Grade, Key: key, Name: name}
}

// What put records, and what compensation then does, for each way a write
// can meet the target, with and without a target that can read.
func TestPutRecordsWhatTheWriteDid(t *testing.T) {
	admin := grade("G1", "the administrator's")
	ours := grade("G1", "from HR")
	cases := []struct {
		name     string
		held     []model.Entity
		it       store.Item
		reader   bool
		effect   string
		undoOp   string // "" with undoable false: left, reported
		undoable bool
	}{
		{"create of a new key", nil, store.Item{Op: plan.OpCreate, Entity: ours}, false, plan.EffectCreated, plan.OpDelete, true},
		{"create of a key the target holds, no GET", []model.Entity{admin}, store.Item{Op: plan.OpCreate, Entity: ours}, false, plan.EffectAdopted, "", false},
		{"create of a key the target holds, GET", []model.Entity{admin}, store.Item{Op: plan.OpCreate, Entity: ours}, true, plan.EffectAdopted, plan.OpUpdate, true},
		{"create on a retry, GET", []model.Entity{admin}, store.Item{Op: plan.OpCreate, Entity: ours, Attempts: 1}, true, plan.EffectAdopted, "", false},
		{"update from our last write", []model.Entity{admin}, store.Item{Op: plan.OpUpdate, Entity: ours, PreImage: &admin, PreExact: true}, false, plan.EffectUpdated, plan.OpUpdate, true},
		{"update from the key sheet, no GET", []model.Entity{admin}, store.Item{Op: plan.OpUpdate, Entity: ours, PreImage: &model.Entity{Key: "G1"}}, false, plan.EffectUpdated, "", false},
		{"update from the key sheet, GET", []model.Entity{admin}, store.Item{Op: plan.OpUpdate, Entity: ours, PreImage: &model.Entity{Key: "G1"}}, true, plan.EffectUpdated, plan.OpUpdate, true},
		{"update of a key removed by hand", nil, store.Item{Op: plan.OpUpdate, Entity: ours, PreImage: &admin, PreExact: true}, false, plan.EffectCreated, plan.OpDelete, true},
		{"delete", []model.Entity{admin}, store.Item{Op: plan.OpDelete, PreImage: &admin, PreExact: true}, false, plan.EffectDeleted, plan.OpCreate, true},
		{"delete of a key already gone", nil, store.Item{Op: plan.OpDelete, PreImage: &admin, PreExact: true}, false, plan.EffectNone, "", true},
		{"delete, GET", []model.Entity{admin}, store.Item{Op: plan.OpDelete, PreImage: &model.Entity{Key: "G1"}}, true, plan.EffectDeleted, plan.OpCreate, true},
		{"delete of a key already gone, GET", nil, store.Item{Op: plan.OpDelete, PreImage: &admin, PreExact: true}, true, plan.EffectNone, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := &memTarget{items: map[string]model.Entity{}}
			for _, e := range c.held {
				mem.items[e.Key] = e
			}
			var tc target.Client = mem
			if c.reader {
				tc = readable{mem}
			}
			a := &Activities{Target: tc}
			it := c.it
			it.Kind, it.Key = model.Grade, "G1"
			if err := a.put(context.Background(), &it); err != nil {
				t.Fatal(err)
			}
			if it.Effect != c.effect {
				t.Fatalf("effect %q, want %q", it.Effect, c.effect)
			}
			op, e, why := compensation(it)
			if op != c.undoOp || (why == "") != c.undoable {
				t.Fatalf("compensation %q (why not: %q), want %q undoable %v", op, why, c.undoOp, c.undoable)
			}
			if op == "" {
				return
			}
			if err := a.write(context.Background(), op, e, it.Kind, it.Key); err != nil {
				t.Fatal(err)
			}
			got, held := mem.items["G1"]
			before := len(c.held) > 0 && c.effect != plan.EffectNone
			if held != before || held && got.Name != c.held[0].Name {
				t.Fatalf("after undo the target holds %v %+v; before the write it held %v", held, got, c.held)
			}
		})
	}
}
