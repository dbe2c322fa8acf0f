// Command starter is the operators' CLI of orgsync: start and watch syncs,
// preview a plan, approve held deletes, read reports, manage the daily
// schedule, exchange the External Key sheet, migrate the database and
// check the configuration. Every command reads the ORGSYNC_* environment.
//
// Exit status: 0 success; 1 failure (one line on stderr); 2 bad usage;
// 3 the run finished with failed items (sync --wait, plan).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"
	_ "time/tzdata" // schedules name IANA zones (Asia/Seoul) on any host

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/orgsync/orgsync/internal/app"
	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/store"
)

func main() {
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr, nil))
}

// Exit codes.
const (
	exitOK       = 0
	exitFailed   = 1
	exitUsage    = 2
	exitFailures = 3
)

// exitError carries a non-default exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(err error) error { return &exitError{exitUsage, err} }

// env is what every command shares: the configuration (read from the
// environment unless a test set it) and lazily opened connections.
type env struct {
	out, errOut io.Writer // terminalSafe: data may hold control characters
	rawOut      io.Writer // out itself, for the progress bar's own escapes
	cfg         *config.Config
	companyName string // --company
	temporal    client.Client
	connection  string // how temporal connects (app.DescribeTemporal)
	store       *store.Store
}

// Main runs the CLI with args and returns the exit code. cfg, when not
// nil, replaces the environment (tests).
func Main(args []string, out, errOut io.Writer, cfg *config.Config) int {
	e := &env{out: &terminalSafe{w: out}, errOut: &terminalSafe{w: errOut}, rawOut: out, cfg: cfg}
	defer e.close()
	root := e.root()
	root.SetArgs(args)
	root.SetOut(e.out)
	root.SetErr(e.errOut)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(e.errOut, "starter: "+oneLine(err.Error()))
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitFailed
}

// oneLine joins s's lines and collapses its runs of spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (e *env) root() *cobra.Command {
	root := &cobra.Command{
		Use:           "starter",
		Short:         "Operate orgsync: start syncs, approve deletes, read reports, manage the schedule",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageErr(err) })
	root.PersistentFlags().StringVar(&e.companyName, "company", "", "the company to address, one of ORGSYNC_COMPANIES (default: the only one)")
	root.AddCommand(e.syncCmd(), e.planCmd(), e.approveCmd(), e.statusCmd(), e.reportCmd(),
		e.scheduleCmd(), e.mappingCmd(), e.migrateCmd(), e.configCmd(), e.purgeCmd(),
		e.applyCmd(), e.orgCmd(), e.diffCmd(), e.undoCmd())
	for _, c := range root.Commands() {
		c.Args = wrapArgs(c.Args)
		for _, s := range c.Commands() {
			s.Args = wrapArgs(s.Args)
		}
	}
	return root
}

// wrapArgs makes argument-count errors usage errors (exit 2).
func wrapArgs(p cobra.PositionalArgs) cobra.PositionalArgs {
	if p == nil {
		return nil
	}
	return func(c *cobra.Command, args []string) error {
		if err := p(c, args); err != nil {
			return usageErr(fmt.Errorf("%s: %w", c.CommandPath(), err))
		}
		return nil
	}
}

func (e *env) config() (config.Config, error) {
	if e.cfg == nil {
		c, err := config.Load()
		if err != nil {
			return c, err
		}
		e.cfg = &c
	}
	return *e.cfg, nil
}

// selected is the configuration of the company --company names (the
// only one by default).
func (e *env) selected() (config.Config, error) {
	base, err := e.config()
	if err != nil {
		return base, err
	}
	cfg, err := base.Company(e.companyName)
	if err != nil {
		return cfg, usageErr(fmt.Errorf("--company: %w", err))
	}
	return cfg, nil
}

// company is the configuration of commands that address one company's
// runs: the company id is required.
func (e *env) company() (config.Config, error) {
	cfg, err := e.selected()
	if err != nil {
		return cfg, err
	}
	if cfg.CompanyID == "" {
		return cfg, fmt.Errorf("%s: required to address the company's runs but not set", cfg.Var("COMPANY_ID"))
	}
	return cfg, nil
}

// companyClient is e.company() and e.client(): what the commands that
// start runs or steer the schedule need.
func (e *env) companyClient(ctx context.Context) (config.Config, client.Client, error) {
	cfg, err := e.company()
	if err != nil {
		return cfg, nil, err
	}
	c, err := e.client(ctx)
	return cfg, c, err
}

// client dials Temporal once.
func (e *env) client(ctx context.Context) (client.Client, error) {
	if e.temporal != nil {
		return e.temporal, nil
	}
	cfg, err := e.config()
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewJSONHandler(e.errOut, &slog.HandlerOptions{Level: slog.LevelWarn}))
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	opts, err := app.TemporalClientOptions(cfg, log)
	if err != nil {
		return nil, err
	}
	// Commands then name the address and namespace the client uses.
	resolved := app.ResolveTemporal(cfg, opts)
	e.cfg = &resolved
	c, err := client.DialContext(dctx, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot reach Temporal: %w", app.DescribeTemporal(opts), err)
	}
	e.temporal, e.connection = c, app.DescribeTemporal(opts)
	return c, nil
}

// db opens Postgres once.
func (e *env) db(ctx context.Context) (*store.Store, error) {
	if e.store != nil {
		return e.store, nil
	}
	cfg, err := e.config()
	if err != nil {
		return nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	st, err := store.Open(dctx, cfg.DatabaseURL.Reveal())
	if err != nil {
		return nil, err
	}
	e.store = st
	return st, nil
}

func (e *env) close() {
	if e.temporal != nil {
		e.temporal.Close()
	}
	if e.store != nil {
		e.store.Close()
	}
}

func (e *env) printf(format string, a ...any) { fmt.Fprintf(e.out, format, a...) }

// printJSON prints v as indented JSON (report and schedule describe).
func (e *env) printJSON(v any) error {
	enc := json.NewEncoder(e.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
