package main

import (
	"context"

	"github.com/orgsync/orgsync/internal/app"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/source"
	"github.com/orgsync/orgsync/sandbox/workboxsim"
)

func newSource(e *env) (source.Source, error) { return app.NewSource(e.cfg) }

func readSource(ctx context.Context, e *env) (map[model.Kind][]model.Entity, error) {
	src, err := newSource(e)
	if err != nil {
		return nil, err
	}
	out := map[model.Kind][]model.Entity{}
	err = src.Fetch(ctx, model.Employee, func(x model.Entity, fe *model.FieldError) error {
		if fe == nil {
			out[x.Kind] = append(out[x.Kind], x)
		}
		return nil
	})
	return out, err
}

func workboxFaults(rps float64) workboxsim.Faults { return workboxsim.Faults{RPS: rps} }
