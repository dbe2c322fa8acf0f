package main

import (
	"io"
	"unicode"
	"unicode/utf8"
)

// terminalSafe passes text to w with every control character but line
// feed and tab replaced by U+FFFD: what the starter prints comes from data
// (keys, names, target messages), and an escape sequence in it must not
// move the cursor, rewrite lines or retitle the operator's terminal.
// JSON output passes unchanged (encoding/json escapes C0 controls itself).
type terminalSafe struct {
	w     io.Writer
	carry []byte // the start of a rune cut by the end of the last Write
}

func (t *terminalSafe) Write(p []byte) (int, error) {
	n := len(p)
	if len(t.carry) > 0 {
		p = append(t.carry, p...)
		t.carry = nil
	}
	out := make([]byte, 0, len(p))
	for len(p) > 0 {
		if !utf8.FullRune(p) {
			t.carry = append([]byte(nil), p...)
			break
		}
		r, size := utf8.DecodeRune(p)
		if r != '\n' && r != '\t' && (unicode.IsControl(r) || bidi(r)) {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, p[:size]...)
		}
		p = p[size:]
	}
	if _, err := t.w.Write(out); err != nil {
		return 0, err
	}
	return n, nil
}

// bidi reports the Unicode bidirectional overrides and isolates, which
// reorder what a terminal shows (a key that reads differently than it is).
func bidi(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}
