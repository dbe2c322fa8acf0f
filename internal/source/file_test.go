package source

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/korean"

	"github.com/orgsync/orgsync/internal/inputfile"
	"github.com/orgsync/orgsync/internal/model"
)

// The same small company in every format.
var sample = map[model.Kind]string{
	model.Grade:      "code,name,name_en,sort_order\nG1,책임,Senior,1\nG2,선임,,2\n",
	model.Position:   "code,name,sort_order\nP1,팀장,1\n",
	model.Department: "code,name,name_en,parent_code,sort_order\nD1,본부,HQ,,1\nD2,개발팀,,D1,2\n",
	model.Employee: "key,name,email,department_code,grade_code,position_code,mobile,locale,time_zone,hire_date,login_id\n" +
		"E1,김삼성,kim@example.com,D2,G1,P1,010-1111-2222,ko,Asia/Seoul,2019-03-02,\n" +
		"E2,이하나,lee@example.com,D1,G2,,,,,,hana\n",
}

type record struct {
	e  model.Entity
	fe *model.FieldError
}

func fetchAll(t *testing.T, dir string) map[model.Kind][]record {
	t.Helper()
	src, err := NewFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[model.Kind][]record{}
	for _, k := range model.Kinds {
		if got := src.Loads(k); len(got) != 1 || got[0] != k {
			t.Fatalf("Loads(%s) = %v", k, got)
		}
		err := src.Fetch(context.Background(), k, func(e model.Entity, fe *model.FieldError) error {
			if e.Kind != k {
				t.Errorf("fetch %s emitted a %s", k, e.Kind)
			}
			out[k] = append(out[k], record{e, fe})
			return nil
		})
		if err != nil {
			t.Fatalf("fetch %s: %v", k, err)
		}
	}
	return out
}

func checkSample(t *testing.T, got map[model.Kind][]record) {
	t.Helper()
	for k, recs := range got {
		for _, r := range recs {
			if r.fe != nil {
				t.Errorf("%s %s: unexpected failure %v", k, r.e.Key, r.fe)
			}
		}
	}
	if n := []int{len(got[model.Grade]), len(got[model.Position]), len(got[model.Department]), len(got[model.Employee])}; n[0] != 2 || n[1] != 1 || n[2] != 2 || n[3] != 2 {
		t.Fatalf("counts %v", n)
	}
	g := got[model.Grade][0].e
	if g.Key != "G1" || g.Name != "책임" || g.I18nNames["en_US"] != "Senior" || g.SortOrder != 1 {
		t.Errorf("grade %+v", g)
	}
	if g2 := got[model.Grade][1].e; g2.I18nNames != nil || g2.SortOrder != 2 {
		t.Errorf("grade 2 %+v", g2)
	}
	if d := got[model.Department][0].e; d.ParentKey != model.TopParent || d.Name != "본부" {
		t.Errorf("top dept %+v", d)
	}
	if d := got[model.Department][1].e; d.ParentKey != "D1" || d.Name != "개발팀" || d.SortOrder != 2 {
		t.Errorf("dept %+v", d)
	}
	e := got[model.Employee][0].e
	if e.Key != "E1" || e.Name != "김삼성" || e.Email != "kim@example.com" || e.DeptKey != "D2" || e.GradeKey != "G1" ||
		e.PositionKey != "P1" || e.Mobile != "010-1111-2222" || e.Locale != "ko_KR" || e.TimeZone != "Asia/Seoul" || e.EmployYmd != "2019-03-02" {
		t.Errorf("employee %+v", e)
	}
	if e2 := got[model.Employee][1].e; e2.LoginID != "hana" || e2.PositionKey != "" {
		t.Errorf("employee 2 %+v", e2)
	}
}

func writeCSV(t *testing.T, dir string, k model.Kind, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, BaseName(k)+".csv"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFileCSVUTF8(t *testing.T) {
	dir := t.TempDir()
	for k, s := range sample {
		data := []byte(s)
		if k == model.Employee { // Excel's "CSV UTF-8" starts with a BOM, and uses CRLF
			data = append(append([]byte{}, inputfile.UTF8BOM...), strings.ReplaceAll(s, "\n", "\r\n")...)
		}
		writeCSV(t, dir, k, data)
	}
	checkSample(t, fetchAll(t, dir))
}

func TestFileCSVCP949(t *testing.T) {
	dir := t.TempDir()
	for k, s := range sample {
		enc, err := korean.EUCKR.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		if k == model.Grade && string(enc) == s {
			t.Fatal("the CP949 file should differ from UTF-8")
		}
		writeCSV(t, dir, k, enc)
	}
	// 똠 is in CP949 but not in plain EUC-KR (KS X 1001).
	enc, err := korean.EUCKR.NewEncoder().Bytes([]byte("code,name\nP1,팀장똠\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := fetchAll(t, dir)
	checkSample(t, got)
	writeCSV(t, dir, model.Position, enc)
	if got := fetchAll(t, dir); got[model.Position][0].e.Name != "팀장똠" {
		t.Errorf("CP949 extension: %q", got[model.Position][0].e.Name)
	}
}

func TestFileXLSX(t *testing.T) {
	dir := t.TempDir()
	if err := WriteTemplate(dir, "xlsx"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, Workbook)
	wb, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for k, s := range sample {
		sheet := BaseName(k)
		if k == model.Employee {
			sheet = "Employees" // sheet names match case-insensitively
			if err := wb.SetSheetName("employees", sheet); err != nil {
				t.Fatal(err)
			}
		}
		for i, line := range strings.Split(strings.TrimSpace(s), "\n") {
			cells := strings.Split(line, ",")
			row := make([]any, len(cells))
			for j, c := range cells {
				row[j] = c
			}
			if k == model.Grade && i > 0 {
				row[3] = i // a real number cell
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := wb.SetSheetRow(sheet, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := wb.Save(); err != nil {
		t.Fatal(err)
	}
	wb.Close()
	checkSample(t, fetchAll(t, dir))
}

func TestFileTemplateCSV(t *testing.T) {
	dir := t.TempDir()
	if err := WriteTemplate(dir, "csv"); err != nil {
		t.Fatal(err)
	}
	// An empty export (header only) is a valid, empty source.
	got := fetchAll(t, dir)
	for _, k := range model.Kinds {
		if len(got[k]) != 0 {
			t.Errorf("%s: %d records from a template", k, len(got[k]))
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "employees.csv"))
	if !strings.HasPrefix(string(b), string(inputfile.UTF8BOM)+"key,name,name_en,email,login_id,department_code") {
		t.Errorf("employees template %q", b)
	}
	if err := WriteTemplate(dir, "csv"); err == nil || !strings.Contains(err.Error(), "not overwritten") {
		t.Errorf("second template: %v", err)
	}
	if err := WriteTemplate(t.TempDir(), "ods"); err == nil {
		t.Error("unknown format accepted")
	}
}

// A bad row is a failed record naming the file, the row and the column;
// the other rows go on.
func TestFileBadRows(t *testing.T) {
	dir := t.TempDir()
	for k, s := range sample {
		writeCSV(t, dir, k, []byte(s))
	}
	writeCSV(t, dir, model.Grade, []byte("code,name,sort_order\nG1,책임,1\nG2,선임,둘\n\nG3,,3\nG4,수석,4,extra\n"))
	writeCSV(t, dir, model.Employee, []byte("key,name,email,department_code\nE1,김,not-an-email,D1\nE2,이,lee@example.com,D1\n"))
	got := fetchAll(t, dir)
	grades := got[model.Grade]
	if len(grades) != 4 {
		t.Fatalf("%d grade records (blank rows are skipped)", len(grades))
	}
	for i, want := range []struct{ key, field, reason string }{
		{"G1", "", ""},
		{"G2", "sortOrder", `grades.csv row 3 column C (sort_order): "둘" is not a whole number`},
		{"G3", "name", "grades.csv row 5 column B (name): is empty"},
		{"G4", "row", "grades.csv row 6: 4 values, but the header has 3 columns"},
	} {
		r := grades[i]
		switch {
		case want.field == "" && r.fe != nil:
			t.Errorf("%s: %v", want.key, r.fe)
		case want.field != "" && (r.fe == nil || r.fe.Field != want.field || r.fe.Reason != want.reason || r.fe.Key != want.key || r.fe.Kind != model.Grade):
			t.Errorf("%s: got %+v, want field %s reason %q", want.key, r.fe, want.field, want.reason)
		}
	}
	emps := got[model.Employee]
	if fe := emps[0].fe; fe == nil || fe.Field != "email" || !strings.Contains(fe.Reason, "employees.csv row 2 column C (email)") {
		t.Errorf("bad email: %+v", fe)
	}
	if emps[1].fe != nil {
		t.Errorf("good row failed: %v", emps[1].fe)
	}
}

// A file that cannot be read as a whole fails the stage with *Error,
// naming the file and where.
func TestFileMalformed(t *testing.T) {
	cases := []struct {
		name  string
		setup func(dir string)
		kind  model.Kind
		want  []string
	}{
		{"bare quote", func(dir string) {
			writeCSV(t, dir, model.Grade, []byte("code,name\nG1,\"책임\nG2,x\"y\n"))
		}, model.Grade, []string{"grades.csv", "line", "column"}},
		{"missing column", func(dir string) {
			writeCSV(t, dir, model.Department, []byte("code,name\nD1,본부\n"))
		}, model.Department, []string{"departments.csv", "row 1", `"parent_code"`}},
		{"empty file", func(dir string) {
			writeCSV(t, dir, model.Position, nil)
		}, model.Position, []string{"positions.csv", "empty"}},
		{"neither UTF-8 nor CP949", func(dir string) {
			writeCSV(t, dir, model.Grade, append([]byte("code,name\n"), 0xff, 0xfe, 0xff, '\n'))
		}, model.Grade, []string{"grades.csv", "neither UTF-8 nor CP949"}},
		{"no file", func(string) {}, model.Employee, []string{"employees.csv", Workbook}},
		{"not a workbook", func(dir string) {
			_ = os.WriteFile(filepath.Join(dir, Workbook), []byte("this is not a zip"), 0o644)
		}, model.Grade, []string{Workbook, "not a readable XLSX"}},
		{"missing sheet", func(dir string) {
			wb := excelize.NewFile()
			_ = wb.SaveAs(filepath.Join(dir, Workbook))
		}, model.Grade, []string{Workbook, `no sheet "grades"`}},
		{"both formats", func(dir string) {
			writeCSV(t, dir, model.Grade, []byte(sample[model.Grade]))
			_ = WriteTemplate(dir, "xlsx")
		}, model.Grade, []string{"grades.csv", Workbook, "keep one"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(dir)
			src := &File{Dir: dir}
			n := 0
			err := src.Fetch(context.Background(), tc.kind, func(model.Entity, *model.FieldError) error { n++; return nil })
			wantSourceError(t, err, tc.want...)
			if n != 0 {
				t.Errorf("%d records emitted from a malformed file", n)
			}
		})
	}
	if _, err := NewFile(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("NewFile accepted a missing directory")
	}
}

func TestColName(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA"} {
		if got := colName(i); got != want {
			t.Errorf("colName(%d) = %s, want %s", i, got, want)
		}
	}
}

// wantSourceError checks that err is a *Error whose message holds every
// part of want, and returns it.
func wantSourceError(t *testing.T, err error, want ...string) *Error {
	t.Helper()
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("err %v (%T), want *source.Error", err, err)
	}
	for _, w := range want {
		if !strings.Contains(se.Msg, w) {
			t.Errorf("%q does not contain %q", se.Msg, w)
		}
	}
	return se
}

// An HR file's "-" and "#" parents are the top; elsewhere "-" is a key.
func TestFileTopParentMarks(t *testing.T) {
	dir := t.TempDir()
	for k, data := range sample {
		writeCSV(t, dir, k, []byte(data))
	}
	writeCSV(t, dir, model.Department, []byte("code,name,parent_code,sort_order\nD1,본부,-,1\nD2,지원,#,2\nD3,개발팀, - ,3\n"))
	depts := fetchAll(t, dir)[model.Department]
	if len(depts) != 3 {
		t.Fatalf("%d departments, want 3", len(depts))
	}
	for _, r := range depts {
		if r.fe != nil || r.e.ParentKey != model.TopParent {
			t.Errorf("%s: parent %q (%v), want the top", r.e.Key, r.e.ParentKey, r.fe)
		}
	}
	if got := model.ParentKey("-"); got != "-" {
		t.Errorf(`model.ParentKey("-") = %q: only files read "-" as the top`, got)
	}
}
