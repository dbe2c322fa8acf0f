package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/store"
	"github.com/orgsync/orgsync/sandbox/server"
)

// env is one benchmark installation: a dev server, a database, the
// sandbox over HTTP and the worker binary, all on this machine.
type env struct {
	dir     string
	dev     *testsuite.DevServer
	c       client.Client
	sb      *server.Server
	sbURL   string
	st      *store.Store
	cfg     config.Config
	workerB string
	dbs     []string // databases to drop at the end
	worker  *exec.Cmd
	more    []*exec.Cmd // further workers on the same queue (P6)
	peakRSS int64       // KiB, sampled
}

func newEnv(ctx context.Context, root string) (*env, error) {
	e := &env{}
	var err error
	if e.dir, err = os.MkdirTemp("", "orgsync-bench-"); err != nil {
		return nil, err
	}
	e.dev, err = testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath: filepath.Join(root, "bin", "temporal"), DBFilename: filepath.Join(e.dir, "temporal.db"),
		LogLevel: "error", Stdout: nopWriter{}, Stderr: nopWriter{},
		ClientOptions: &client.Options{Logger: log.NewStructuredLogger(slog.New(slog.NewTextHandler(nopWriter{}, nil)))},
		ExtraArgs:     append([]string{"--sqlite-pragma", "journal_mode=WAL", "--sqlite-pragma", "synchronous=NORMAL"}, devConfig()...),
	})
	if err != nil {
		return nil, fmt.Errorf("dev server: %w", err)
	}
	e.c = e.dev.Client()
	e.workerB = filepath.Join(e.dir, "worker")
	build := exec.Command("go", "build", "-o", e.workerB, "./worker")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("build worker: %w", err)
	}
	return e, nil
}

// company resets the sandbox, the database and the config for a new
// measurement with a company of the given size.
func (e *env) company(ctx context.Context, employees, departments int) error {
	e.stopWorker()
	if e.sb == nil {
		sc := server.DefaultConfig()
		sc.Employees, sc.Departments = employees, departments
		e.sb = server.New(sc)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		go (&http.Server{Handler: e.sb}).Serve(ln)
		e.sbURL = "http://" + ln.Addr().String()
	} else if err := e.sb.Reset(employees, departments, 1); err != nil {
		return err
	}
	if e.st != nil {
		e.st.Close()
	}
	url, name, err := freshDB(ctx)
	if err != nil {
		return err
	}
	e.dbs = append(e.dbs, name)
	if e.st, err = store.Open(ctx, url); err != nil {
		return err
	}
	if err := e.st.Migrate(ctx); err != nil {
		return err
	}
	sc := e.sb.Config()
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	cfg.DatabaseURL = config.Secret(url)
	cfg.TemporalAddress = e.dev.FrontendHostPort()
	cfg.KnoxURL, cfg.WorkboxURL = e.sbURL+"/knox", e.sbURL+"/workbox/workbox/openapi/v1"
	cfg.CompanyID, cfg.AccessKey, cfg.SecretKey, cfg.APIKey = sc.CompanyID, config.Secret(sc.AccessKey), config.Secret(sc.SecretKey), config.Secret(sc.APIKey)
	cfg.MetricsAddr = ""
	e.cfg = cfg
	return nil
}

// startWorker runs the worker binary with the current config.
func (e *env) startWorker(extra ...string) error {
	e.stopWorker()
	cmd, err := e.workerCmd("worker.log", extra...)
	if err != nil {
		return err
	}
	e.worker, e.peakRSS = cmd, 0
	go e.sampleRSS(cmd)
	return nil
}

// startMoreWorkers runs n more worker processes on the same task queue
// (they stop with the first).
func (e *env) startMoreWorkers(n int) error {
	for i := range n {
		cmd, err := e.workerCmd(fmt.Sprintf("worker-%d.log", i+2))
		if err != nil {
			return err
		}
		e.more = append(e.more, cmd)
	}
	return nil
}

// workerCmd starts a worker process with the current config.
func (e *env) workerCmd(logName string, extra ...string) (*exec.Cmd, error) {
	c := e.cfg
	vars := map[string]string{
		"TEMPORAL_ADDRESS": c.TemporalAddress, "DATABASE_URL": c.DatabaseURL.Reveal(), "KNOX_URL": c.KnoxURL,
		"WORKBOX_URL": c.WorkboxURL, "COMPANY_ID": c.CompanyID, "NCP_ACCESS_KEY": c.AccessKey.Reveal(),
		"NCP_SECRET_KEY": c.SecretKey.Reveal(), "NCP_API_KEY": c.APIKey.Reveal(), "METRICS_ADDR": "",
		"APPLY_WINDOW": strconv.Itoa(c.ApplyWindow), "TARGET_RPS": fmt.Sprint(c.TargetRPS), "LOG_LEVEL": "warn",
		"DELETE_LIMIT": "100%",
	}
	cmd := exec.Command(e.workerB)
	cmd.Env = os.Environ()
	for k, v := range vars {
		cmd.Env = append(cmd.Env, "ORGSYNC_"+k+"="+v)
	}
	cmd.Env = append(cmd.Env, extra...)
	log, _ := os.Create(filepath.Join(e.dir, logName))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return cmd, nil
}

func (e *env) stopWorker() {
	for _, w := range append(e.more, e.worker) {
		if w != nil {
			_ = w.Process.Signal(syscall.SIGTERM)
			_ = w.Wait()
		}
	}
	e.worker, e.more = nil, nil
}

// sampleRSS reads the worker's peak resident set (VmHWM) from /proc.
func (e *env) sampleRSS(cmd *exec.Cmd) {
	path := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	for e.worker == cmd {
		b, err := os.ReadFile(path)
		if err != nil {
			return
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				var kb int64
				fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "VmHWM:"), "kB")), &kb)
				if kb > e.peakRSS {
					e.peakRSS = kb
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (e *env) close() {
	e.stopWorker()
	if e.st != nil {
		e.st.Close()
	}
	if e.dev != nil {
		_ = e.dev.Stop()
	}
	if c, err := pgx.Connect(context.Background(), adminURL()); err == nil {
		for _, name := range e.dbs {
			_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		}
		c.Close(context.Background())
	}
	_ = os.RemoveAll(e.dir)
}

// devConfig turns -dev-config into the dev server's flags.
func devConfig() []string {
	var args []string
	for _, kv := range strings.Split(*devCfg, ",") {
		if kv = strings.TrimSpace(kv); kv != "" {
			args = append(args, "--dynamic-config-value", kv)
		}
	}
	return args
}

func adminURL() string {
	if u := os.Getenv("ORGSYNC_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

func freshDB(ctx context.Context) (url, name string, err error) {
	admin := adminURL()
	c, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", "", fmt.Errorf("Postgres at ORGSYNC_TEST_DATABASE_URL: %w", err)
	}
	defer c.Close(ctx)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name = "orgsync_bench_" + hex.EncodeToString(b)
	if _, err := c.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", "", err
	}
	cfg, _ := pgx.ParseConfig(admin)
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name), name, nil
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }
