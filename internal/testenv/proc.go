package testenv

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/orgsync/orgsync/internal/config"
)

// BuildWorker builds ./worker into dir (a t.TempDir()) and returns the
// binary's path.
func BuildWorker(t testing.TB, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "orgsync-worker")
	cmd := exec.Command("go", "build", "-o", bin, "./worker")
	cmd.Dir = Root()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./worker: %v\n%s", err, out)
	}
	return bin
}

// Env returns cfg as ORGSYNC_* variables (secrets revealed: the variables
// go to a child process only, never to a log).
func Env(cfg config.Config) []string {
	var out []string
	v := reflect.ValueOf(cfg)
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		name := f.Tag.Get("envconfig")
		if name == "" {
			continue
		}
		var s string
		switch fv := v.Field(i); fv.Kind() {
		case reflect.String:
			s = fv.String() // Secret included: its underlying value
		case reflect.Bool:
			s = strconv.FormatBool(fv.Bool())
		case reflect.Int64:
			if d, ok := fv.Interface().(time.Duration); ok {
				s = d.String()
			} else {
				s = strconv.FormatInt(fv.Int(), 10)
			}
		case reflect.Int:
			s = strconv.FormatInt(fv.Int(), 10)
		case reflect.Float64:
			s = strconv.FormatFloat(fv.Float(), 'g', -1, 64)
		default:
			panic(fmt.Sprintf("testenv.Env: field %s of kind %s", f.Name, fv.Kind()))
		}
		out = append(out, config.Prefix+"_"+name+"="+s)
	}
	return out
}

// Proc is a worker running as a separate process.
type Proc struct {
	bin  string
	env  []string
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	logs LockedBuffer // the current process's output
	Runs int          // processes started
}

// StartWorkerProcess runs bin with the stack's configuration (plus extra
// variables) and kills it when the test ends.
func (s *Stack) StartWorkerProcess(t testing.TB, bin string, extra ...string) *Proc {
	t.Helper()
	env := append(os.Environ(), Env(s.Config)...)
	env = append(env, config.Prefix+"_METRICS_ADDR=", config.Prefix+"_MIGRATE=false")
	p := &Proc{bin: bin, env: append(env, extra...)}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Kill() })
	return p
}

// Start starts the process again (after Kill).
func (p *Proc) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	cmd := exec.Command(p.bin)
	cmd.Env = p.env
	p.logs.Reset()
	cmd.Stdout, cmd.Stderr = &p.logs, &p.logs
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	p.cmd, p.done = cmd, done
	p.Runs++
	return nil
}

// Kill sends SIGKILL (kill -9) to the process and waits for it to exit.
func (p *Proc) Kill() error {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return nil
	}
	err := cmd.Process.Kill()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		return fmt.Errorf("worker pid %d did not exit after SIGKILL", cmd.Process.Pid)
	}
	return err
}

// Exited reports whether the process ended on its own.
func (p *Proc) Exited() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Logs returns the tail of the current process's output.
func (p *Proc) Logs(n int) string {
	b := p.logs.bytes()
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// LockedBuffer is a bytes.Buffer that several goroutines may write.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LockedBuffer) Reset() {
	l.mu.Lock()
	l.b.Reset()
	l.mu.Unlock()
}

func (l *LockedBuffer) bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]byte(nil), l.b.Bytes()...)
}

// String returns what was written.
func (l *LockedBuffer) String() string { return string(l.bytes()) }
