package source

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/orgsync/orgsync/internal/inputfile"
	"github.com/orgsync/orgsync/internal/model"
)

// maxPeakRSS bounds the peak resident memory of the test process while it
// reads one hostile file. A reader that holds what the file claims (GBs)
// or the whole of a 1 GB file goes far past it.
const maxPeakRSS = 256 << 20

// Hostile files are refused with one error naming the file and the limit,
// within bounded memory; the peak RSS of each case is printed.
func TestFileLimitsBoundMemory(t *testing.T) {
	for _, tc := range []struct {
		name   string
		limits inputfile.Limits
		kind   model.Kind
		setup  func(t *testing.T, dir string)
		want   []string
	}{
		{"zip bomb: a few KB claiming 8 GiB", inputfile.Defaults, model.Grade, func(t *testing.T, dir string) {
			writeBomb(t, filepath.Join(dir, Workbook), 8<<30, 0)
		}, []string{Workbook, "unzips to more than the 268435456 bytes allowed"}},
		{"zip bomb: 400 MiB of real XML", inputfile.Defaults, model.Grade, func(t *testing.T, dir string) {
			writeBomb(t, filepath.Join(dir, Workbook), 0, 400<<20)
		}, []string{Workbook, "unzips to more than the 268435456 bytes allowed"}},
		{"1 GiB sparse CSV, default cap", inputfile.Defaults, model.Employee, func(t *testing.T, dir string) {
			sparse(t, filepath.Join(dir, "employees.csv"), 1<<30)
		}, []string{"employees.csv", "1073741824 bytes, more than the 268435456 bytes allowed"}},
		{"1 GiB sparse CSV, cap raised to 2 GiB", inputfile.Limits{MaxBytes: 2 << 30, MaxRows: 1_000_000}, model.Employee, func(t *testing.T, dir string) {
			sparse(t, filepath.Join(dir, "employees.csv"), 1<<30)
		}, []string{"employees.csv", "a line of more than 1048576 bytes"}},
		{"sheet of 16,384 columns", inputfile.Defaults, model.Employee, func(t *testing.T, dir string) {
			wide(t, filepath.Join(dir, Workbook), "employees", 16384)
		}, []string{Workbook + " sheet employees row 1", "16384 columns, more than the 1024 allowed"}},
		{"CSV of 16,384 columns", inputfile.Defaults, model.Employee, func(t *testing.T, dir string) {
			writeCSV(t, dir, model.Employee, []byte("key,name,email,department_code"+strings.Repeat(",x", 16380)+"\n"))
		}, []string{"employees.csv line 1", "16384 columns, more than the 1024 allowed"}},
		{"rows over the cap", inputfile.Limits{MaxBytes: 1 << 20, MaxRows: 50}, model.Grade, func(t *testing.T, dir string) {
			var b strings.Builder
			b.WriteString("code,name\n")
			for i := range 100 {
				fmt.Fprintf(&b, "G%d,직급%d\n", i, i)
			}
			writeCSV(t, dir, model.Grade, []byte(b.String()))
		}, []string{"grades.csv", "more than the 50 rows allowed (ORGSYNC_FILE_MAX_ROWS)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			debug.FreeOSMemory()
			resetPeakRSS(t)
			err := (&File{Dir: dir, Limits: tc.limits}).Fetch(context.Background(), tc.kind, func(model.Entity, *model.FieldError) error { return nil })
			peak := peakRSS(t)
			t.Logf("peak RSS %d MiB", peak>>20)
			wantSourceError(t, err, tc.want...)
			if peak > maxPeakRSS {
				t.Errorf("peak RSS %d MiB, want at most %d MiB", peak>>20, maxPeakRSS>>20)
			}
		})
	}
}

// A file without a header row names the columns it expected, never the
// row it found (a name, an e-mail, a phone number).
func TestHeaderlessFileNamesTheColumns(t *testing.T) {
	dir := t.TempDir()
	writeCSV(t, dir, model.Employee, []byte("E77,홍길동,hong.gildong@example.com,D1,,,010-9876-5432\n"))
	err := (&File{Dir: dir}).Fetch(context.Background(), model.Employee, func(model.Entity, *model.FieldError) error { return nil })
	se := wantSourceError(t, err, "employees.csv", "key, name, email, department_code")
	for _, v := range []string{"E77", "홍길동", "hong.gildong", "9876"} {
		if strings.Contains(se.Msg, v) {
			t.Errorf("the error repeats %q from the row: %s", v, se.Msg)
		}
	}
}

// NUL and other control characters in a cell fail that record, naming the
// field, not the stage; the records around it load.
func TestControlCharactersFailOneRecord(t *testing.T) {
	dir := t.TempDir()
	writeCSV(t, dir, model.Grade, []byte("code,name\nG1,책임\nG2,선\x00임\nG3,수\x1b[31m석\nG4,전임\n"))
	bad := map[string]string{}
	good := 0
	err := (&File{Dir: dir}).Fetch(context.Background(), model.Grade, func(e model.Entity, fe *model.FieldError) error {
		if fe != nil {
			bad[e.Key] = fe.Field
		} else {
			good++
		}
		if strings.ContainsRune(e.Name, 0) {
			t.Errorf("%s: a NUL was emitted", e.Key)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if good != 2 || bad["G2"] != "name" || bad["G3"] != "name" {
		t.Fatalf("good %d, bad %v: want G1, G4 good and G2, G3 failed on name", good, bad)
	}
}

// writeBomb writes an XLSX whose sheet claims claimed bytes (its header
// lies; the data is tiny) or, with real > 0, deflates real bytes of XML.
func writeBomb(t *testing.T, path string, claimed uint64, real int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for name, body := range map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"xl/workbook.xml":            `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="grades" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, body)
	}
	if real > 0 {
		w, err := zw.Create("xl/worksheets/sheet1.xml")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		block := []byte(strings.Repeat(" ", 1<<20))
		for range real >> 20 {
			_, _ = w.Write(block)
		}
		_, _ = io.WriteString(w, `</sheetData></worksheet>`)
	} else {
		var data bytes.Buffer
		fw, _ := flate.NewWriter(&data, flate.BestCompression)
		_, _ = fw.Write(bytes.Repeat([]byte(" "), 64<<10))
		_ = fw.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
			CompressedSize64: uint64(data.Len()), UncompressedSize64: claimed})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(data.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	t.Logf("%s: %d KiB on disk", filepath.Base(path), st.Size()>>10)
}

// sparse makes a file of size bytes that takes no disk: all NUL bytes, no
// line break.
func sparse(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
}

// wide writes a workbook whose sheet has a header row of cols columns.
func wide(t *testing.T, path, sheet string, cols int) {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	if err := wb.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	sw, err := wb.NewStreamWriter(sheet)
	if err != nil {
		t.Fatal(err)
	}
	row := make([]any, cols)
	for i := range row {
		row[i] = "c" + strconv.Itoa(i)
	}
	row[0], row[1], row[2], row[3] = "key", "name", "email", "department_code"
	if err := sw.SetRow("A1", row); err != nil {
		t.Fatal(err)
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := wb.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// resetPeakRSS resets the kernel's high-water mark of this process's
// resident memory (VmHWM), so that peakRSS reports one case's peak.
func resetPeakRSS(t *testing.T) {
	t.Helper()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Fatalf("reset the peak RSS: %v (Linux only)", err)
	}
}

// peakRSS returns VmHWM in bytes.
func peakRSS(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}
