package main

// The progress line `sync --wait`, `apply` and `undo --wait` draw while a
// run goes on.

import (
	"fmt"
	"os"
	"strings"

	"github.com/orgsync/orgsync/workflows"
)

type progressBar struct {
	out  interface{ Write([]byte) (int, error) }
	tty  bool
	last string
	rate *writeRate // the target's write rate now, if known
}

func (b *progressBar) show(p workflows.Progress) {
	total := p.Done + p.Failed + p.Remaining
	const width = 30
	filled := 0
	if total > 0 {
		filled = (p.Done + p.Failed) * width / total
	}
	line := fmt.Sprintf("[%s%s] %d/%d done, %d failed  stage %s  %s",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.Done+p.Failed, total, p.Failed, p.Stage, p.Status)
	if b.rate != nil {
		line += fmt.Sprintf("  %.1f/s, %d throttled", b.rate.RPS, b.rate.Throttled)
	}
	if line == b.last {
		return
	}
	b.last = line
	if b.tty {
		fmt.Fprintf(b.out, "\r\033[K%s", line)
	} else {
		fmt.Fprintln(b.out, line)
	}
}

func (b *progressBar) finish() {
	if b.tty && b.last != "" {
		fmt.Fprintln(b.out)
	}
}

func isTTY(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
