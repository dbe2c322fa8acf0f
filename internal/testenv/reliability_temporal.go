package testenv

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
)

// Temporal is a dev server with a file DB on a fixed port that a test can
// stop and start again: clients and workers dialled to HostPort reconnect
// by themselves, and the file keeps every execution.
type Temporal struct {
	t        testing.TB
	HostPort string
	DB       string
	srv      *testsuite.DevServer
	client   client.Client
}

// RestartableDevServer starts a dev server (file DB in t.TempDir(), free
// port) and stops it when the test ends.
func RestartableDevServer(t testing.TB) *Temporal {
	t.Helper()
	d := &Temporal{t: t, HostPort: "127.0.0.1:" + strconv.Itoa(freePort(t)), DB: filepath.Join(t.TempDir(), "temporal.db")}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(client.Options{HostPort: d.HostPort, Namespace: "default", Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	d.client = c
	t.Cleanup(func() {
		c.Close()
		_ = d.Stop()
	})
	return d
}

// Client is a client of the server that outlives its restarts.
func (d *Temporal) Client() client.Client { return d.client }

// Start starts the server on HostPort with the DB file (again).
func (d *Temporal) Start() error {
	if d.srv != nil {
		return fmt.Errorf("the dev server is already running")
	}
	extra := []string{"--sqlite-pragma", "journal_mode=WAL", "--sqlite-pragma", "synchronous=NORMAL"}
	for k, v := range SearchAttributes {
		extra = append(extra, "--search-attribute", k+"="+v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath:  TemporalCLI(d.t),
		DBFilename:    d.DB,
		ClientOptions: &client.Options{HostPort: d.HostPort, Namespace: "default", Logger: quietLogger{}},
		LogLevel:      "error",
		ExtraArgs:     extra,
		Stdout:        devOut(),
		Stderr:        devOut(),
	})
	if err != nil {
		return fmt.Errorf("start Temporal dev server on %s: %w", d.HostPort, err)
	}
	srv.Client().Close() // the test uses its own, long-lived client
	d.srv = srv
	return nil
}

// Stop interrupts the server and waits until it has exited.
func (d *Temporal) Stop() error {
	if d.srv == nil {
		return nil
	}
	srv := d.srv
	d.srv = nil
	return srv.Stop()
}

// Restart stops the server, keeps it down for down and starts it again on
// the same port and file; it returns how long the server was away.
func (d *Temporal) Restart(down time.Duration) (time.Duration, error) {
	t0 := time.Now()
	if err := d.Stop(); err != nil {
		return 0, fmt.Errorf("stop the dev server: %w", err)
	}
	time.Sleep(down)
	if err := d.Start(); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}

// UseTemporal points the stack (its client, the workers started after and
// its configuration) at another Temporal server, such as a Restartable
// one or the dev server of another stack.
func (s *Stack) UseTemporal(hostPort string, c client.Client) {
	s.Client, s.Dev, s.Config.TemporalAddress = c, hostPort, hostPort
}
