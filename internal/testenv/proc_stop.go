package testenv

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// BuildCommand builds ./<name> (worker, starter, sandbox) into dir and
// returns the binary's path.
func BuildCommand(t testing.TB, dir, name string) string {
	t.Helper()
	bin := filepath.Join(dir, "orgsync-"+name)
	cmd := exec.Command("go", "build", "-o", bin, "./"+name)
	cmd.Dir = Root()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./%s: %v\n%s", name, err, out)
	}
	return bin
}

// Terminate sends SIGTERM, as an orchestrator does on a deploy, and
// returns how long the process took to exit and its exit code; an error
// when it is still running after limit (it is then killed).
func (p *Proc) Terminate(limit time.Duration) (took time.Duration, code int, err error) {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return 0, 0, fmt.Errorf("no process")
	}
	t0 := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, 0, err
	}
	select {
	case <-done:
		return time.Since(t0), cmd.ProcessState.ExitCode(), nil
	case <-time.After(limit):
		_ = p.Kill()
		return time.Since(t0), -1, fmt.Errorf("pid %d still running %s after SIGTERM", cmd.Process.Pid, limit)
	}
}

// Wait waits at most limit for the process to exit by itself and returns
// its exit code and output.
func (p *Proc) Wait(limit time.Duration) (code int, err error) {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode(), nil
	case <-time.After(limit):
		return -1, fmt.Errorf("pid %d still running after %s", cmd.Process.Pid, limit)
	}
}
