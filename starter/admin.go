package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/orgsync/orgsync/internal/app"
	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/knox"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/target"
)

func (e *env) migrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the database schema migrations (safe to repeat)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			st, err := e.db(c.Context())
			if err != nil {
				return err
			}
			if err := st.Migrate(c.Context()); err != nil {
				return err
			}
			e.printf("database schema is up to date\n")
			return nil
		},
	}
}

func (e *env) configCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Inspect the configuration"}
	var skipTarget bool
	check := &cobra.Command{
		Use:   "check",
		Short: "Print the configuration (secrets redacted) and test each connection: Postgres, Temporal, Knox, target",
		Long: "Print every ORGSYNC_* setting, secrets as [redacted], then test the connections. The target test\n" +
			"sends one signed DELETE of a random key that cannot exist (orgsync-check-...): the gateway's answer\n" +
			"proves the address, the keys and the signature without changing anything. --skip-target leaves it out.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := e.selected()
			if err != nil {
				return err
			}
			e.printConfig(cfg)
			e.printf("\n")
			tw := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', 0)
			failed := 0
			check := func(name string, fn func(ctx context.Context) (string, error)) {
				ctx, cancel := context.WithTimeout(c.Context(), 20*time.Second)
				defer cancel()
				msg, err := fn(ctx)
				if err != nil {
					failed++
					fmt.Fprintf(tw, "FAIL\t%s\t%s\n", name, oneLine(err.Error()))
				} else {
					fmt.Fprintf(tw, "ok\t%s\t%s\n", name, msg)
				}
			}
			check("postgres", func(ctx context.Context) (string, error) {
				st, err := e.db(ctx)
				if err != nil {
					return "", err
				}
				var v string
				if err := st.Pool.QueryRow(ctx, "SHOW server_version").Scan(&v); err != nil {
					return "", err
				}
				var tables int
				_ = st.Pool.QueryRow(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('mappings','runs','plan_items')").Scan(&tables)
				schema := "schema applied"
				if tables < 3 {
					schema = "schema missing: run `starter migrate`"
				}
				return "Postgres " + v + ", " + schema, nil
			})
			check("temporal", func(ctx context.Context) (string, error) {
				tc, err := e.client(ctx)
				if err != nil {
					return "", err
				}
				cfg, _ := e.config() // as resolved by e.client
				if _, err := tc.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: cfg.TemporalNamespace}); err != nil {
					return "", fmt.Errorf("%s_TEMPORAL_NAMESPACE %s: %w", config.Prefix, cfg.TemporalNamespace, err)
				}
				sa := "custom search attributes registered"
				if !app.HasSearchAttributes(ctx, tc, cfg.TemporalNamespace) {
					sa = "custom search attributes NOT registered: runs cannot be filtered by OrgSyncStatus in the UI"
				}
				return e.connection + ", " + sa, nil
			})
			check("source", func(ctx context.Context) (string, error) {
				if cfg.Source != "knox" {
					return "", fmt.Errorf("%s_SOURCE %s: no connection test for this source", config.Prefix, cfg.Source)
				}
				k, err := knox.New(knox.Config{BaseURL: cfg.KnoxURL, SystemID: cfg.KnoxSystemID, CompanyCode: cfg.KnoxCompanyCode})
				if err != nil {
					return "", fmt.Errorf("%s_KNOX_URL: %w", config.Prefix, err)
				}
				titles, err := k.Titles(ctx)
				if err != nil {
					return "", fmt.Errorf("Knox %s: %w", config.Redact(cfg.KnoxURL), err)
				}
				return fmt.Sprintf("Knox %s company %s: %d titles (grades)", config.Redact(cfg.KnoxURL), cfg.KnoxCompanyCode, len(titles)), nil
			})
			if !skipTarget {
				check("target", func(ctx context.Context) (string, error) {
					if err := cfg.RequireTarget(); err != nil {
						return "", err
					}
					tgt, err := app.NewTarget(cfg, nil)
					if err != nil {
						return "", err
					}
					b := make([]byte, 6)
					_, _ = rand.Read(b)
					key := "orgsync-check-" + hex.EncodeToString(b)
					err = tgt.Delete(ctx, model.Grade, key)
					switch target.ClassOf(err) {
					case target.OK, target.NotFound:
						return fmt.Sprintf("%s company %s: signed request accepted", cfg.Target, cfg.CompanyID), nil
					case target.Forbidden:
						return fmt.Sprintf("%s company %s: credentials accepted, but the console's sync switch is OFF for job-grade", cfg.Target, cfg.CompanyID), nil
					case target.Auth:
						return "", fmt.Errorf("%s refused the credentials (check ORGSYNC_COMPANY_ID, ORGSYNC_NCP_*): %s", cfg.Target, target.Text(err))
					}
					return "", fmt.Errorf("%s: %s", cfg.Target, target.Text(err)) // the operator's terminal: the server's words help
				})
			}
			_ = tw.Flush()
			if failed > 0 {
				return fmt.Errorf("%d connection checks failed", failed)
			}
			return nil
		},
	}
	check.Flags().BoolVar(&skipTarget, "skip-target", false, "do not send the probe request to the target")
	cmd.AddCommand(check)
	return cmd
}

// printConfig prints every setting as NAME=value; secrets print as
// [redacted] (config.Secret's String).
func (e *env) printConfig(cfg config.Config) {
	tw := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', 0)
	v := reflect.ValueOf(cfg)
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := f.Tag.Get("envconfig")
		if name == "" {
			continue
		}
		val := fmt.Sprint(v.Field(i).Interface())
		if strings.HasSuffix(name, "URL") {
			val = config.Redact(val) // a user:password@ in a URL is a secret too
		}
		if s, ok := v.Field(i).Interface().(config.Secret); ok {
			val = s.String()
			if val == "" {
				val = "(not set)"
			}
		}
		fmt.Fprintf(tw, "%s_%s\t%s\t%s\n", config.Prefix, name, val, strings.TrimSpace(f.Tag.Get("desc")))
	}
	_ = tw.Flush()
}
