package source

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/orgsync/orgsync/internal/inputfile"
	"github.com/orgsync/orgsync/internal/model"
)

// File reads the organisation from HR export files in one directory
// (docs/file-source.md): one CSV file per kind (grades.csv, positions.csv,
// departments.csv, employees.csv; UTF-8 or CP949/EUC-KR), or one workbook
// org.xlsx with one sheet per kind. The first row names the columns.
type File struct {
	Dir    string
	Limits inputfile.Limits // zero: inputfile.Defaults
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
	model.Grade:    titled("직급"),
	model.Position: titled("직책"),
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

// titled is the layout of a kind that is only a titled list (직급, 직책):
// its Korean headers are the kind's name with 코드 (code) and 명 (name).
func titled(ko string) []column {
	return []column{
		{name: "code", aliases: []string{ko + "코드", "코드"}, field: "key", required: true},
		{name: "name", aliases: []string{ko + "명", "이름"}, field: "name", required: true},
		{name: "name_en", aliases: []string{"영문명"}, field: "i18nNames.en_US"},
		{name: "sort_order", aliases: []string{"정렬순서", "순서"}, field: "sortOrder", number: true},
	}
}

// BaseName is the file name (without extension) and sheet name of a kind:
// its plural (grades, positions, departments, employees).
func BaseName(k model.Kind) string { return string(k) + "s" }

// Fetch reads the kind's file or sheet, one row at a time. A file that
// cannot be read, is over a limit or lacks a required column fails the
// stage (*Error); a bad row becomes a failed record naming the file, the
// row and the column. NUL characters are scrubbed per record (withoutNUL).
func (f *File) Fetch(ctx context.Context, kind model.Kind, emit model.Emit) error {
	layout, ok := Layouts[kind]
	if !ok {
		return &Error{Msg: fmt.Sprintf("file source: unknown kind %q", kind)}
	}
	emit = withoutNUL(emit)
	var idx []int
	var width int
	read, where, err := f.open(kind)
	if err != nil {
		return err
	}
	n := 0
	err = read(func(line int, row []string) error {
		if n++; n%1000 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if idx == nil { // the header row
			var err error
			idx, err = headerIndex(where, line, row, layout)
			width = len(row)
			return err
		}
		if blank(row) {
			return nil
		}
		e, fe := mapRow(kind, layout, idx, rowAt{where: where, line: line, width: width}, row)
		return emit(e, fe)
	})
	var ie *inputfile.Error
	switch {
	case errors.As(err, &ie):
		return &Error{Msg: ie.Msg}
	case err != nil:
		return err
	case idx == nil:
		return &Error{Msg: where + ": empty: the first row must name the columns (see docs/file-source.md)"}
	}
	return nil
}

// rowsFunc streams the rows of one file or sheet, header first.
type rowsFunc func(fn func(line int, row []string) error) error

// open finds the kind's CSV file or workbook sheet; exactly one must
// exist. where names it in errors.
func (f *File) open(kind model.Kind) (read rowsFunc, where string, err error) {
	csvPath := filepath.Join(f.Dir, BaseName(kind)+".csv")
	xlsxPath := filepath.Join(f.Dir, Workbook)
	_, csvErr := os.Stat(csvPath)
	_, xlsxErr := os.Stat(xlsxPath)
	switch {
	case csvErr == nil && xlsxErr == nil:
		return nil, "", &Error{Msg: fmt.Sprintf("both %s and %s exist in %s: keep one export format", filepath.Base(csvPath), Workbook, f.Dir)}
	case csvErr == nil:
		return func(fn func(int, []string) error) error { return inputfile.CSVRows(csvPath, f.limits(), fn) },
			filepath.Base(csvPath), nil
	case xlsxErr == nil:
		return f.sheet(xlsxPath, BaseName(kind))
	}
	return nil, "", &Error{Msg: fmt.Sprintf("no %s.csv and no %s in %s: every kind needs its file or sheet, even if it holds only the header row",
		BaseName(kind), Workbook, f.Dir)}
}

func (f *File) limits() inputfile.Limits {
	if f.Limits == (inputfile.Limits{}) {
		return inputfile.Defaults
	}
	return f.Limits
}

// headerIndex maps each layout column to its index in the header row; a
// required column that is missing fails the file. The error names the
// columns expected, not the row found: a file without a header row would
// put its first record (a name, an e-mail) into the stage's error.
func headerIndex(where string, line int, header []string, layout []column) ([]int, error) {
	pos := map[string]int{}
	for i, h := range header {
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
			var want []string
			for _, c := range layout {
				if c.required {
					want = append(want, c.name)
				}
			}
			return nil, &Error{Msg: fmt.Sprintf("%s: row %d: required column %q is missing from the header; the first row must name the columns (required: %s; see docs/file-source.md)",
				where, line, c.name, strings.Join(want, ", "))}
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

// rowAt names a data row in errors: its file (and sheet), its line, and
// the width of the file's header.
type rowAt struct {
	where string
	line  int
	width int
}

// mapRow builds the entity of one data row. The first problem found
// becomes the record's FieldError, naming file, row and column.
func mapRow(kind model.Kind, layout []column, idx []int, t rowAt, row []string) (model.Entity, *model.FieldError) {
	e := model.Entity{Kind: kind}
	var fe *model.FieldError
	fail := func(c column, col int, format string, a ...any) {
		if fe == nil {
			fe = &model.FieldError{Kind: kind, Field: c.field, Reason: fmt.Sprintf("%s row %d column %s (%s): %s",
				t.where, t.line, colName(col), c.name, fmt.Sprintf(format, a...))}
		}
	}
	if len(row) > t.width {
		fe = &model.FieldError{Kind: kind, Field: "row", Reason: fmt.Sprintf("%s row %d: %d values, but the header has %d columns",
			t.where, t.line, len(row), t.width)}
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
		if c.field == "i18nNames.en_US" {
			e.I18nNames = en(v)
		} else {
			*e.Text(c.field) = v
		}
	}
	if kind == model.Department {
		// HR exports also write "-" for a top department (docs/file-source.md).
		if strings.TrimSpace(e.ParentKey) == "-" {
			e.ParentKey = model.TopParent
		}
		e.ParentKey = model.ParentKey(e.ParentKey)
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
				v.Reason = fmt.Sprintf("%s row %d column %s (%s): %s", t.where, t.line, colName(idx[j]), c.name, v.Reason)
				return e, v
			}
		}
		v.Reason = fmt.Sprintf("%s row %d: %s", t.where, t.line, v.Reason)
		return e, v
	}
	return e, nil
}
