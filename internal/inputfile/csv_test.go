package inputfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/korean"
)

// Encoding detection reads the file in 64 KiB blocks: a Korean UTF-8 file
// whose runes straddle block ends is still UTF-8, a CP949 file of the same
// size is CP949, and a file that is UTF-8 up to its last block but not at
// its end is not taken for UTF-8.
func TestCSVEncodingAcrossBlocks(t *testing.T) {
	var b strings.Builder
	b.WriteString("code,name\n")
	for i := 0; b.Len() < 300<<10; i++ {
		b.WriteString("G,가나다라마바사아자차카타파하\n")
	}
	utf := b.String()
	cp, err := korean.EUCKR.NewEncoder().String(utf)
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		data string
		want string // the name of every data row, or "" for an error
	}{
		"utf-8":             {utf, "가나다라마바사아자차카타파하"},
		"utf-8 with a BOM":  {string(UTF8BOM) + utf, "가나다라마바사아자차카타파하"},
		"cp949":             {cp, "가나다라마바사아자차카타파하"},
		"utf-8, cut at end": {utf + "G,\xea\xb0\n", ""},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "grades.csv")
			if err := os.WriteFile(path, []byte(tc.data), 0o600); err != nil {
				t.Fatal(err)
			}
			rows := 0
			err := CSVRows(path, Defaults, func(line int, rec []string) error {
				if rows++; rows > 1 && rec[1] != tc.want {
					t.Fatalf("line %d: %q", line, rec[1])
				}
				return nil
			})
			switch {
			case tc.want == "" && err == nil:
				t.Fatal("accepted")
			case tc.want != "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && rows < 1000:
				t.Fatalf("%d rows", rows)
			}
		})
	}
}
