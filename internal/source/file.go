package source

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/korean"

	"github.com/orgsync/orgsync/internal/model"
)

// File reads the organisation from HR export files in one directory
// (docs/file-source.md): one CSV file per kind (grades.csv, positions.csv,
// departments.csv, employees.csv; UTF-8 or CP949/EUC-KR), or one workbook
// org.xlsx with one sheet per kind. The first row names the columns.
type File struct {
	Dir string
}

// Workbook is the name of the XLSX export; its sheets are named like the
// CSV files without the extension.
const Workbook = "org.xlsx"

// NewFile returns a file source reading dir, which must exist.
func NewFile(dir string) (*File, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("HR export directory: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("HR export directory %s is not a directory", dir)
	}
	return &File{Dir: dir}, nil
}

// Loads: every kind has a file (or sheet) of its own, positions included.
func (f *File) Loads(kind model.Kind) []model.Kind { return []model.Kind{kind} }

// column is one column of a kind's layout.
type column struct {
	name     string   // header in the template
	aliases  []string // other accepted headers (Korean exports)
	field    string   // model field named in errors
	required bool     // the header must be present
	number   bool     // a whole number
}

// Layouts are the column layouts per kind (docs/file-source.md). Headers
// match case-insensitively, in any order; other columns are ignored.
var Layouts = map[model.Kind][]column{
	model.Grade: {
		{name: "code", aliases: []string{"직급코드", "코드"}, field: "key", required: true},
		{name: "name", aliases: []string{"직급명", "이름"}, field: "name", required: true},
		{name: "name_en", aliases: []string{"영문명"}, field: "i18nNames.en_US"},
		{name: "sort_order", aliases: []string{"정렬순서", "순서"}, field: "sortOrder", number: true},
	},
	model.Position: {
		{name: "code", aliases: []string{"직책코드", "코드"}, field: "key", required: true},
		{name: "name", aliases: []string{"직책명", "이름"}, field: "name", required: true},
		{name: "name_en", aliases: []string{"영문명"}, field: "i18nNames.en_US"},
		{name: "sort_order", aliases: []string{"정렬순서", "순서"}, field: "sortOrder", number: true},
	},
	model.Department: {
		{name: "code", aliases: []string{"부서코드", "코드"}, field: "key", required: true},
		{name: "name", aliases: []string{"부서명", "이름"}, field: "name", required: true},
		{name: "name_en", aliases: []string{"영문명"}, field: "i18nNames.en_US"},
		{name: "parent_code", aliases: []string{"상위부서코드"}, field: "parentKey", required: true},
		{name: "sort_order", aliases: []string{"정렬순서", "순서"}, field: "sortOrder", number: true},
	},
	model.Employee: {
		{name: "key", aliases: []string{"사번", "사원키"}, field: "key", required: true},
		{name: "name", aliases: []string{"이름", "성명"}, field: "name", required: true},
		{name: "name_en", aliases: []string{"영문명"}, field: "i18nNames.en_US"},
		{name: "email", aliases: []string{"이메일"}, field: "email", required: true},
		{name: "login_id", aliases: []string{"로그인id", "아이디"}, field: "loginId"},
		{name: "department_code", aliases: []string{"부서코드"}, field: "deptKey", required: true},
		{name: "grade_code", aliases: []string{"직급코드"}, field: "gradeKey"},
		{name: "position_code", aliases: []string{"직책코드"}, field: "positionKey"},
		{name: "tel", aliases: []string{"전화번호"}, field: "tel"},
		{name: "mobile", aliases: []string{"휴대폰", "휴대전화"}, field: "mobile"},
		{name: "locale", aliases: []string{"언어"}, field: "locale"},
		{name: "time_zone", aliases: []string{"시간대"}, field: "timeZone"},
		{name: "hire_date", aliases: []string{"입사일"}, field: "employYmd"},
	},
}

// BaseName is the file name (without extension) and sheet name of a kind.
func BaseName(k model.Kind) string {
	switch k {
	case model.Grade:
		return "grades"
	case model.Position:
		return "positions"
	case model.Department:
		return "departments"
	case model.Employee:
		return "employees"
	}
	return string(k)
}

// table is the rows of one file or sheet, header first; where names the
// file (and sheet) in errors.
type table struct {
	where string
	rows  [][]string
	// lines maps a row index to its line in the file (CSV records may span
	// lines); nil means row i is line i+1.
	lines []int
}

func (t *table) line(i int) int {
	if t.lines != nil {
		return t.lines[i]
	}
	return i + 1
}

// Fetch reads the kind's file or sheet. A file that cannot be read, or
// lacks a required column, fails the stage (*Error); a bad row becomes a
// failed record naming the file, the row and the column.
func (f *File) Fetch(ctx context.Context, kind model.Kind, emit Emit) error {
	layout, ok := Layouts[kind]
	if !ok {
		return &Error{Msg: fmt.Sprintf("file source: unknown kind %q", kind)}
	}
	t, err := f.open(kind)
	if err != nil {
		return err
	}
	if len(t.rows) == 0 {
		return &Error{Msg: t.where + ": empty: the first row must name the columns (see docs/file-source.md)"}
	}
	idx, err := headerIndex(t, layout)
	if err != nil {
		return err
	}
	for i, row := range t.rows[1:] {
		if i%1000 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if blank(row) {
			continue
		}
		e, fe := mapRow(kind, layout, idx, t, i+1, row)
		if err := emit(e, fe); err != nil {
			return err
		}
	}
	return nil
}

// open finds the kind's CSV file or workbook sheet; exactly one must exist.
func (f *File) open(kind model.Kind) (*table, error) {
	csvPath := filepath.Join(f.Dir, BaseName(kind)+".csv")
	xlsxPath := filepath.Join(f.Dir, Workbook)
	_, csvErr := os.Stat(csvPath)
	_, xlsxErr := os.Stat(xlsxPath)
	switch {
	case csvErr == nil && xlsxErr == nil:
		return nil, &Error{Msg: fmt.Sprintf("both %s and %s exist in %s: keep one export format", filepath.Base(csvPath), Workbook, f.Dir)}
	case csvErr == nil:
		return readCSV(csvPath)
	case xlsxErr == nil:
		return readSheet(xlsxPath, BaseName(kind))
	}
	return nil, &Error{Msg: fmt.Sprintf("no %s.csv and no %s in %s: every kind needs its file or sheet, even if it holds only the header row",
		BaseName(kind), Workbook, f.Dir)}
}

// utf8BOM starts some UTF-8 exports (Excel's "CSV UTF-8").
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// readCSV reads a CSV file: UTF-8 (a BOM is dropped) when the bytes are
// valid UTF-8, CP949/EUC-KR otherwise (Excel's default "CSV" in Korea).
func readCSV(path string) (*table, error) {
	name := filepath.Base(path)
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Msg: name + ": " + err.Error()}
	}
	text, enc, err := decodeText(raw)
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("%s: neither UTF-8 nor CP949: %v", name, err)}
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.FieldsPerRecord = -1 // a short or long row is a bad record, not a bad file
	r.TrimLeadingSpace = true
	t := &table{where: name}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &Error{Msg: fmt.Sprintf("%s (%s): line %d, column %d: %v", name, enc, pe.Line, pe.Column, pe.Err)}
			}
			return nil, &Error{Msg: name + ": " + err.Error()}
		}
		line, _ := r.FieldPos(0)
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, line)
	}
	return t, nil
}

// decodeText returns UTF-8 text and the encoding it was found in.
func decodeText(raw []byte) ([]byte, string, error) {
	if bytes.HasPrefix(raw, utf8BOM) {
		raw = raw[len(utf8BOM):]
	}
	if utf8.Valid(raw) {
		return raw, "UTF-8", nil
	}
	out, err := korean.EUCKR.NewDecoder().Bytes(raw)
	if err != nil {
		return nil, "", err
	}
	// x/text replaces undecodable bytes with U+FFFD rather than failing.
	if bytes.ContainsRune(out, utf8.RuneError) {
		return nil, "", errors.New("bytes that are not CP949 either")
	}
	return out, "CP949", nil
}

// headerIndex maps each layout column to its index in the header row; a
// required column that is missing fails the file.
func headerIndex(t *table, layout []column) ([]int, error) {
	pos := map[string]int{}
	for i, h := range t.rows[0] {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := pos[h]; !dup && h != "" {
			pos[h] = i
		}
	}
	idx := make([]int, len(layout))
	for j, c := range layout {
		idx[j] = -1
		for _, n := range append([]string{c.name}, c.aliases...) {
			if i, ok := pos[strings.ToLower(n)]; ok {
				idx[j] = i
				break
			}
		}
		if idx[j] < 0 && c.required {
			return nil, &Error{Msg: fmt.Sprintf("%s: row %d: required column %q is missing from the header (found: %s)",
				t.where, t.line(0), c.name, strings.Join(t.rows[0], ", "))}
		}
	}
	return idx, nil
}

func blank(row []string) bool {
	for _, v := range row {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// colName is the spreadsheet letter of a 0-based column index (A, B, ... AA).
func colName(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// mapRow builds the entity of one data row. The first problem found
// becomes the record's FieldError, naming file, row and column.
func mapRow(kind model.Kind, layout []column, idx []int, t *table, ri int, row []string) (model.Entity, *model.FieldError) {
	e := model.Entity{Kind: kind}
	var fe *model.FieldError
	fail := func(c column, col int, format string, a ...any) {
		if fe == nil {
			fe = &model.FieldError{Kind: kind, Field: c.field, Reason: fmt.Sprintf("%s row %d column %s (%s): %s",
				t.where, t.line(ri), colName(col), c.name, fmt.Sprintf(format, a...))}
		}
	}
	if len(row) > len(t.rows[0]) {
		fe = &model.FieldError{Kind: kind, Field: "row", Reason: fmt.Sprintf("%s row %d: %d values, but the header has %d columns",
			t.where, t.line(ri), len(row), len(t.rows[0]))}
	}
	for j, c := range layout {
		if idx[j] < 0 {
			continue
		}
		v := ""
		if idx[j] < len(row) {
			v = strings.TrimSpace(row[idx[j]])
		}
		if c.number {
			if v == "" {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				fail(c, idx[j], "%q is not a whole number", v)
				continue
			}
			e.SortOrder = n
			continue
		}
		set(&e, c.name, v)
	}
	if kind == model.Department && (e.ParentKey == "" || e.ParentKey == "-") {
		e.ParentKey = model.TopParent
	}
	if kind == model.Employee {
		e.Locale = locale(e.Locale)
	}
	e.Key = strings.TrimSpace(e.Key)
	if fe != nil {
		fe.Key = e.Key
		return e, fe
	}
	if v := e.Validate(); v != nil {
		// Name the file, row and column of the field that failed.
		for j, c := range layout {
			if c.field == v.Field && idx[j] >= 0 {
				v.Reason = fmt.Sprintf("%s row %d column %s (%s): %s", t.where, t.line(ri), colName(idx[j]), c.name, v.Reason)
				return e, v
			}
		}
		v.Reason = fmt.Sprintf("%s row %d: %s", t.where, t.line(ri), v.Reason)
		return e, v
	}
	return e, nil
}

func set(e *model.Entity, col, v string) {
	switch col {
	case "code", "key":
		e.Key = v
	case "name":
		e.Name = v
	case "name_en":
		e.I18nNames = en(v)
	case "parent_code":
		e.ParentKey = v
	case "email":
		e.Email = v
	case "login_id":
		e.LoginID = v
	case "department_code":
		e.DeptKey = v
	case "grade_code":
		e.GradeKey = v
	case "position_code":
		e.PositionKey = v
	case "tel":
		e.Tel = v
	case "mobile":
		e.Mobile = v
	case "locale":
		e.Locale = v
	case "time_zone":
		e.TimeZone = v
	case "hire_date":
		e.EmployYmd = v
	}
}
