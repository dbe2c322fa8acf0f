package server_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/orgsync/orgsync/internal/knox"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpapi"
	"github.com/orgsync/orgsync/internal/workbox"
	"github.com/orgsync/orgsync/sandbox/server"
)

// A group sandbox hands each request to its company's stand-in, and a
// company's keys open no other company's tenant.
func TestGroupServesEachCompanyApart(t *testing.T) {
	c60 := server.New(server.Config{Employees: 5, Departments: 2, Seed: 1})
	c10 := server.New(server.Config{Employees: 7, Departments: 3, Seed: 2, KnoxCompanyCode: "C10",
		CompanyID: "0c10c10c-0000-4000-8000-00000000c010", AccessKey: "C10ACCESS", SecretKey: "C10SECRET", APIKey: "C10API"})
	hs := httptest.NewServer(server.NewGroup(c60, c10))
	t.Cleanup(hs.Close)
	ctx := context.Background()

	client := func(companyID string, keys server.Config) *workbox.Client {
		c, err := workbox.New(workbox.Config{Account: ncpapi.Account{BaseURL: hs.URL + server.WorkboxPrefix, CompanyID: companyID,
			AccessKey: keys.AccessKey, SecretKey: keys.SecretKey}, APIKey: keys.APIKey})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	grade := model.Entity{Kind: model.Grade, Key: "G1", Name: "사원", SortOrder: 1}
	if err := client(c10.Config().CompanyID, c10.Config()).Create(ctx, grade); err != nil {
		t.Fatal(err)
	}
	if len(c10.WorkboxState().Grades) != 1 || len(c60.WorkboxState().Grades) != 0 {
		t.Fatalf("C10's write: C10 holds %d grades, C60 %d", len(c10.WorkboxState().Grades), len(c60.WorkboxState().Grades))
	}
	if err := client(c60.Config().CompanyID, c10.Config()).Create(ctx, grade); err == nil {
		t.Fatal("C10's keys wrote into C60's tenant")
	}
	if n := len(c60.WorkboxState().Grades); n != 0 {
		t.Fatalf("C60 holds %d grades after a write with C10's keys", n)
	}

	for code, want := range map[string]int{"C60": 2, "C10": 3} {
		kc, err := knox.New(knox.Config{BaseURL: hs.URL + server.KnoxPrefix, SystemID: c60.Config().KnoxSystemID, CompanyCode: code})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		err = kc.Organizations(ctx, func(os []knox.Organization) error { n += len(os); return nil })
		if err != nil || n != want {
			t.Fatalf("Knox %s: %d organizations (want %d), %v", code, n, want, err)
		}
		t.Logf("Knox %s: %d organizations", code, n)
	}
}
