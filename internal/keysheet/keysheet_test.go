package keysheet

import (
	"archive/zip"
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/orgsync/orgsync/internal/inputfile"
	"github.com/orgsync/orgsync/internal/model"
)

var update = flag.Bool("update", false, "rewrite testdata/layout.golden")

func sample() map[model.Kind][]model.Entity {
	return map[model.Kind][]model.Entity{
		model.Grade: {
			{Kind: model.Grade, Key: "G01", Name: "사원", SortOrder: 1},
			{Kind: model.Grade, Key: "G02", Name: "선임", SortOrder: 2},
		},
		model.Position: {{Kind: model.Position, Key: "P-3f2a", Name: "팀장", SortOrder: 1}},
		model.Department: {
			{Kind: model.Department, Key: "0000001", Name: "본사", ParentKey: "#", SortOrder: 1},
			{Kind: model.Department, Key: "0000002", Name: "개발팀", ParentKey: "0000001", SortOrder: 2},
		},
		model.Employee: {{Kind: model.Employee, Key: "E100", Name: "김하나", Email: "hana@example.com", DeptKey: "0000002"}},
	}
}

// dump renders every sheet of the workbook as text: the layout an admin
// sees, cell by cell, with each cell's type.
func dump(t *testing.T, f *excelize.File) string {
	t.Helper()
	var b strings.Builder
	for _, name := range f.GetSheetList() {
		b.WriteString("== " + name + "\n")
		rows, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			cells := make([]string, len(row))
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				typ, err := f.GetCellType(name, cell)
				if err != nil {
					t.Fatal(err)
				}
				kind := "s"
				if typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset && v != "" {
					kind = "n"
				}
				cells[c] = v + ":" + kind
			}
			b.WriteString(strings.Join(cells, " | ") + "\n")
		}
	}
	return b.String()
}

func TestLayoutGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	got := dump(t, f)
	golden := filepath.Join("testdata", "layout.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("layout differs from %s:\n--- got\n%s--- want\n%s", golden, got, want)
	}

	// Sheet order, the first sheet active, frozen header, bold header,
	// keys formatted as text.
	if names := f.GetSheetList(); strings.Join(names, ",") != "job-grade,job-position,dept,user" {
		t.Fatalf("sheets %v", names)
	}
	if f.GetActiveSheetIndex() != 0 {
		t.Fatalf("active sheet %d", f.GetActiveSheetIndex())
	}
	for _, sh := range Sheets {
		panes, err := f.GetPanes(sh.Name)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Fatalf("%s: header not frozen: %+v %v", sh.Name, panes, err)
		}
		id, err := f.GetCellStyle(sh.Name, "A1")
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil || st.Font == nil || !st.Font.Bold {
			t.Fatalf("%s: header not bold: %+v %v", sh.Name, st, err)
		}
		id, err = f.GetCellStyle(sh.Name, "A2")
		if err != nil {
			t.Fatal(err)
		}
		if st, err := f.GetStyle(id); err != nil || st.NumFmt != 49 {
			t.Fatalf("%s: key column is not text: %+v %v", sh.Name, st, err)
		}
	}
}

// An exported sheet with nothing marked imports nothing; rows marked Y
// (in any of the accepted spellings) import with their names and parents.
func TestReadMarkedRows(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	rows, err := Read("keys.xlsx", bytes.NewReader(buf.Bytes()), inputfile.Defaults)
	if err != nil || len(rows) != 0 {
		t.Fatalf("unmarked sheet imported %d rows, %v", len(rows), err)
	}

	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetCellStr("job-grade", "D2", "Y"))
	must(f.SetCellStr("dept", "E3", "o"))
	must(f.SetCellStr("user", "E2", "yes"))
	must(f.SetCellStr("user", "A2", "  E100  "))
	// An admin's own sheet, not orgsync's, is ignored.
	_, err = f.NewSheet("notes")
	must(err)
	must(f.SetCellStr("notes", "A1", "whatever"))
	var edited bytes.Buffer
	_, err = f.WriteTo(&edited)
	must(err)

	rows, err = Read("keys.xlsx", &edited, inputfile.Defaults)
	must(err)
	if len(rows) != 3 {
		t.Fatalf("rows %+v", rows)
	}
	if r := rows[0]; r.Kind != model.Grade || r.Key != "G01" || r.Name != "사원" || r.Line != 2 {
		t.Fatalf("grade row %+v", r)
	}
	if r := rows[1]; r.Kind != model.Department || r.Key != "0000002" || r.Parent != "0000001" || r.Entity().ParentKey != "0000001" {
		t.Fatalf("dept row %+v", r)
	}
	if r := rows[2]; r.Kind != model.Employee || r.Key != "E100" || r.Email != "hana@example.com" {
		t.Fatalf("user row %+v", r)
	}
}

// The console's template has no Mapped column: every row with a key is
// mapped. Duplicate and over-long keys are refused with sheet and row.
func TestReadConsoleTemplateAndErrors(t *testing.T) {
	build := func(rows [][]string) *bytes.Buffer {
		f := excelize.NewFile()
		defer f.Close()
		if err := f.SetSheetName("Sheet1", "직급"); err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellStr("직급", cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
		var b bytes.Buffer
		if _, err := f.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		return &b
	}
	rows, err := Read("keys.xlsx", build([][]string{{"Name", "externalKey"}, {"부장", "T1"}, {"차장", ""}, {"과장", "T3"}}), inputfile.Defaults)
	if err != nil || len(rows) != 2 || rows[0].Key != "T1" || rows[0].Name != "부장" || rows[1].Line != 4 || rows[0].Kind != model.Grade {
		t.Fatalf("console template: %+v %v", rows, err)
	}
	_, err = Read("keys.xlsx", build([][]string{{"External Key"}, {"T1"}, {"T1"}}), inputfile.Defaults)
	if err == nil || !strings.Contains(err.Error(), "sheet 직급 row 3") || !strings.Contains(err.Error(), "row 2") {
		t.Fatalf("duplicate: %v", err)
	}
	_, err = Read("keys.xlsx", build([][]string{{"External Key"}, {strings.Repeat("키", 37)}}), inputfile.Defaults)
	if err == nil || !strings.Contains(err.Error(), "37 characters") {
		t.Fatalf("long key: %v", err)
	}
	_, err = Read("keys.xlsx", build([][]string{{"Name"}, {"x"}}), inputfile.Defaults)
	if err == nil || !strings.Contains(err.Error(), `no "External Key" column`) {
		t.Fatalf("no key column: %v", err)
	}
	if _, err := Read("keys.xlsx", strings.NewReader("not a workbook"), inputfile.Defaults); err == nil {
		t.Fatal("garbage accepted")
	}
}

// A key sheet whose zip claims gigabytes is refused before anything is
// unzipped, naming the file and the limit; so is one over the size cap.
func TestReadRefusesZipBomb(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Store,
		CompressedSize64: 4, UncompressedSize64: 8 << 30})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte("    "))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Read("keys.xlsx", bytes.NewReader(b.Bytes()), inputfile.Defaults)
	if err == nil || !strings.Contains(err.Error(), "keys.xlsx: unzips to more than the 268435456 bytes allowed") {
		t.Fatalf("zip bomb: %v", err)
	}
	_, err = Read("keys.xlsx", bytes.NewReader(b.Bytes()), inputfile.Limits{MaxBytes: 100, MaxRows: 10})
	if err == nil || !strings.Contains(err.Error(), "keys.xlsx: more than the 100 bytes allowed") {
		t.Fatalf("over the size cap: %v", err)
	}
}
