package testenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Postgres is a private Postgres cluster of one test, in t.TempDir() on a
// free port, that the test may stop and start at will. The shared server
// (AdminURL) is used by tests running in parallel and is never restarted.
type Postgres struct {
	t    testing.TB
	bin  string // directory of initdb and pg_ctl
	dir  string // data directory
	log  string // server log
	Port int
	asPG bool // running as root: run the server as the postgres user
}

// PrivatePostgres initialises and starts a cluster (initdb + pg_ctl from
// /usr/lib/postgresql/*/bin, as the postgres user when running as root)
// and stops it when the test ends.
func PrivatePostgres(t testing.TB) *Postgres {
	t.Helper()
	bin := ""
	if bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb"); len(bins) > 0 {
		sort.Slice(bins, func(i, j int) bool { return pgVersion(bins[i]) < pgVersion(bins[j]) })
		bin = filepath.Dir(bins[len(bins)-1]) // the newest
	} else if path, err := exec.LookPath("initdb"); err == nil {
		bin = filepath.Dir(path)
	} else {
		t.Fatal("no initdb found (install the postgresql package: scripts/stack.sh postgres does)")
	}
	p := &Postgres{t: t, bin: bin, asPG: os.Geteuid() == 0}
	root := t.TempDir()
	p.dir, p.log = filepath.Join(root, "pg"), filepath.Join(root, "pg.log")
	if p.asPG {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs a postgres user to own the private cluster: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		// The postgres user must reach the data directory: open up the
		// test's temporary directories (0700 by default) and hand it over.
		for _, d := range []string{filepath.Dir(root), root} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Mkdir(p.dir, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{root, p.dir} {
			if err := os.Chown(f, uid, gid); err != nil {
				t.Fatal(err)
			}
		}
	}
	if out, err := p.cmd("initdb", "-D", p.dir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	p.Port = freePort(t)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Stop() })
	return p
}

// AdminURL is the cluster's superuser URL.
func (p *Postgres) AdminURL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.Port)
}

// Start starts the server and waits until it accepts connections.
func (p *Postgres) Start() error {
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s -c fsync=off -c max_connections=100", p.Port, p.dir)
	if out, err := p.cmd("pg_ctl", "-D", p.dir, "-l", p.log, "-w", "-t", "60", "-o", opts, "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(p.log)
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		c, err := pgx.Connect(ctx, p.AdminURL())
		if err == nil {
			return c.Close(ctx)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("private Postgres does not answer: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Stop stops the server the way an operator's restart does (fast mode:
// open sessions are cut, committed work is kept).
func (p *Postgres) Stop() error {
	if out, err := p.cmd("pg_ctl", "-D", p.dir, "-m", "fast", "-w", "stop").CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	return nil
}

// Restart stops the server, keeps it down for down, starts it again and
// returns how long it did not answer.
func (p *Postgres) Restart(down time.Duration) (time.Duration, error) {
	t0 := time.Now()
	if err := p.Stop(); err != nil {
		return 0, err
	}
	time.Sleep(down)
	if err := p.Start(); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}

func (p *Postgres) cmd(name string, args ...string) *exec.Cmd {
	path := filepath.Join(p.bin, name)
	if p.asPG {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

// pgVersion is N of /usr/lib/postgresql/N/bin/initdb.
func pgVersion(initdb string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(filepath.Dir(initdb))), 64)
	return v
}

// freePort returns a loopback TCP port nobody listens on right now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// NewStackOn is NewStack with the test's database created on another
// Postgres server (adminURL), such as a PrivatePostgres. It points
// ORGSYNC_TEST_DATABASE_URL at that server for the rest of the test, so
// the test must not be parallel (t.Setenv enforces it).
func NewStackOn(t *testing.T, o StackOptions, adminURL string) *Stack {
	t.Helper()
	t.Setenv("ORGSYNC_TEST_DATABASE_URL", adminURL)
	return NewStack(t, o)
}
