package source

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orgsync/orgsync/internal/model"
)

// Any employees.csv, in any encoding, either fails the fetch with a
// *source.Error naming the file, or yields records whose failures name
// the file's row and column. Nothing panics.
func FuzzEmployeesCSV(f *testing.F) {
	for _, s := range []string{
		"key,name,email,dept\nE1,김삼성,a@b.co,D1\n",
		"\xef\xbb\xbfkey,name,email\nE1,\"quoted, name\",a@b.co\n",
		"key,name\n\"unterminated\n",
		"key,name,email\nE1,\x00,a@b\n,,\n",
		"\xb1\xe8,name\n\xc0\xcc,x\n", // CP949 bytes
		"", "\n\n", "a;b;c\n1;2;3\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "employees.csv"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		src, err := NewFile(dir)
		if err != nil {
			return // the directory itself was refused
		}
		err = src.Fetch(context.Background(), model.Employee, func(e model.Entity, fe *model.FieldError) error {
			if fe != nil && fe.Reason == "" {
				t.Fatalf("record %q failed without a reason", e.Key)
			}
			return nil
		})
		var se *Error
		if err != nil && (!errors.As(err, &se) || !strings.Contains(se.Msg, "employees")) {
			t.Fatalf("fetch error %v: want a *source.Error naming the file", err)
		}
	})
}
