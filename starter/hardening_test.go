package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Control characters from data never reach the terminal: an escape
// sequence in a key or a target's message prints as U+FFFD, line feeds and
// tabs (the tables) stay, and a rune cut between two writes survives.
func TestTerminalSafe(t *testing.T) {
	var b bytes.Buffer
	w := &terminalSafe{w: &b}
	for _, p := range [][]byte{[]byte("key\x1b]0;pwned\x07 red\x1b[31m\tok\r\n"), []byte("c1 \xc2"), []byte("\x9b bidi \u202e 가"), []byte("\xea\xb0\x80\n")} {
		if n, err := w.Write(p); err != nil || n != len(p) {
			t.Fatalf("Write: %d, %v", n, err)
		}
	}
	want := "key\uFFFD]0;pwned\uFFFD red\uFFFD[31m\tok\uFFFD\nc1 \uFFFD bidi \uFFFD 가가\n"
	if b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
}

// The key sheet export holds names and e-mails: it is written 0600, an
// existing file is not replaced without --force, and a replaced file
// becomes 0600 too.
func TestWritePrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.xlsx")
	if err := writePrivate(path, []byte("one"), false); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
	err := writePrivate(path, []byte("two"), false)
	if err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("an existing file was replaced without --force: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "one" {
		t.Fatalf("content %q after a refused write", b)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writePrivate(path, []byte("three"), true); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if b, _ := os.ReadFile(path); string(b) != "three" || st.Mode().Perm() != 0o600 {
		t.Fatalf("after --force: %q, mode %v", b, st.Mode().Perm())
	}
}
