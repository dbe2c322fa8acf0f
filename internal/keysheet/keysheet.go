// Package keysheet reads and writes the External Key sheet (.xlsx): one
// sheet per kind, named as WORKBOX names the kind (job-grade, job-position,
// dept, user), listing each source record's key and name. An administrator
// uses it to fill the External Key column of the WORKBOX console's template,
// marks the rows that already exist in WORKBOX with Y in the Mapped column,
// and `starter mapping import` loads those rows into the mappings table.
package keysheet

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/orgsync/orgsync/internal/inputfile"
	"github.com/orgsync/orgsync/internal/model"
)

// Sheet describes the sheet of one kind.
type Sheet struct {
	Kind    model.Kind
	Name    string   // sheet name: the WORKBOX resource name
	Title   string   // Korean name of the kind, in the title cell
	Columns []string // header row
}

// Column headers. Import finds columns by header, so an admin may reorder
// them or add columns of their own.
const (
	ColKey    = "External Key"
	ColName   = "Name"
	ColOrder  = "Sort Order"
	ColParent = "Parent Key"
	ColEmail  = "Email"
	ColDept   = "Department Key"
	ColMapped = "Mapped (Y)"
)

// Sheets is the layout, in stage order.
var Sheets = []Sheet{
	{model.Grade, "job-grade", "직급", []string{ColKey, ColName, ColOrder, ColMapped}},
	{model.Position, "job-position", "직책", []string{ColKey, ColName, ColOrder, ColMapped}},
	{model.Department, "dept", "부서", []string{ColKey, ColName, ColParent, ColOrder, ColMapped}},
	{model.Employee, "user", "사원", []string{ColKey, ColName, ColEmail, ColDept, ColMapped}},
}

// HeaderRow is the row of the column headers; data starts on the next row.
const HeaderRow = 1

// Write writes one sheet per kind with the records of src, in the order given.
func Write(w io.Writer, src map[model.Kind][]model.Entity) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{
		Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
	})
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": keys stay text, 0000002 keeps its zeros
	if err != nil {
		return err
	}
	for i, sh := range Sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.Name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sh.Name); err != nil {
			return err
		}
		for c, h := range sh.Columns {
			cell, _ := excelize.CoordinatesToCellName(c+1, HeaderRow)
			if err := f.SetCellStr(sh.Name, cell, h); err != nil {
				return err
			}
			col, _ := excelize.ColumnNumberToName(c + 1)
			width := 18.0
			if h == ColName || h == ColEmail {
				width = 30
			}
			if err := f.SetColWidth(sh.Name, col, col, width); err != nil {
				return err
			}
		}
		if err := f.SetColStyle(sh.Name, "A", text); err != nil {
			return err
		}
		last, _ := excelize.CoordinatesToCellName(len(sh.Columns), HeaderRow)
		if err := f.SetCellStyle(sh.Name, "A1", last, bold); err != nil {
			return err
		}
		if err := f.SetPanes(sh.Name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		for r, e := range src[sh.Kind] {
			for c, h := range sh.Columns {
				cell, _ := excelize.CoordinatesToCellName(c+1, HeaderRow+1+r)
				var v string
				switch h {
				case ColKey:
					v = e.Key
				case ColName:
					v = e.Name
				case ColOrder:
					if err := f.SetCellInt(sh.Name, cell, int64(e.SortOrder)); err != nil {
						return err
					}
					continue
				case ColParent:
					v = e.ParentKey
				case ColEmail:
					v = e.Email
				case ColDept:
					v = e.DeptKey
				}
				if err := f.SetCellStr(sh.Name, cell, v); err != nil {
					return err
				}
			}
		}
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

// Row is one mapped row of an admin's sheet.
type Row struct {
	Kind   model.Kind
	Sheet  string
	Line   int // 1-based row number in the sheet, for messages
	Key    string
	Name   string
	Parent string // departments
	Email  string // users
}

// Entity is the row as the mapping's state: what orgsync assumes the
// target holds until the next sync writes the source's version.
func (r Row) Entity() model.Entity {
	e := model.Entity{Kind: r.Kind, Key: r.Key, Name: r.Name, Email: r.Email}
	if r.Kind == model.Department {
		e.ParentKey = model.ParentKey(r.Parent)
	}
	return e
}

// kindOf maps a sheet name to its kind; the console's and orgsync's
// names, in English or Korean, are accepted.
func kindOf(name string) (model.Kind, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, sh := range Sheets {
		if n == sh.Name || n == string(sh.Kind) || n == sh.Title {
			return sh.Kind, true
		}
	}
	switch n {
	case "grade", "job grade", "jobgrade":
		return model.Grade, true
	case "job position", "jobposition":
		return model.Position, true
	case "department", "departments":
		return model.Department, true
	case "employee", "employees", "users":
		return model.Employee, true
	}
	return "", false
}

// Read returns the mapped rows of every recognised sheet: rows with an
// External Key and, when the sheet has a Mapped column, a yes in it.
// Sheets with other names are ignored; a recognised sheet without an
// External Key column, a key that is too long or a key given twice is an
// error naming the sheet and row. The sheet is read within l (size,
// unzipped size, rows, columns), its rows streamed; name is the file's
// name for errors.
func Read(name string, r io.Reader, l inputfile.Limits) ([]Row, error) {
	f, err := inputfile.ReadWorkbook(name, r, l)
	if err != nil {
		return nil, fmt.Errorf("read the sheet: %w", err)
	}
	defer f.Close()
	var out []Row
	recognised := 0
	for _, sheet := range f.GetSheetList() {
		kind, ok := kindOf(sheet)
		if !ok {
			continue
		}
		recognised++
		var col map[string]int
		seen := map[string]int{}
		err := inputfile.SheetRows(f, sheet, "sheet "+sheet, l, func(line int, row []string) error {
			if line < HeaderRow {
				return nil
			}
			if line == HeaderRow {
				col = map[string]int{}
				for i, h := range row {
					col[header(h)] = i
				}
				if _, ok := col[header(ColKey)]; !ok {
					return fmt.Errorf("sheet %s: no %q column in row %d", sheet, ColKey, HeaderRow)
				}
				return nil
			}
			get := func(h string) string {
				i, ok := col[header(h)]
				if !ok || i >= len(row) {
					return ""
				}
				return strings.TrimSpace(row[i])
			}
			key := get(ColKey)
			if key == "" {
				return nil
			}
			if _, hasMapped := col[header(ColMapped)]; hasMapped && !yes(get(ColMapped)) {
				return nil
			}
			if n := utf8.RuneCountInString(key); n > model.MaxKey {
				return fmt.Errorf("sheet %s row %d: external key %q has %d characters, at most %d are allowed", sheet, line, key, n, model.MaxKey)
			}
			if prev, dup := seen[key]; dup {
				return fmt.Errorf("sheet %s row %d: external key %q is also on row %d", sheet, line, key, prev)
			}
			seen[key] = line
			out = append(out, Row{Kind: kind, Sheet: sheet, Line: line, Key: key, Name: get(ColName),
				Parent: get(ColParent), Email: get(ColEmail)})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if recognised == 0 {
		return nil, fmt.Errorf("no sheet named job-grade, job-position, dept or user")
	}
	return out, nil
}

// header normalises a header for lookup: "Mapped (Y)" and "mapped" match,
// as do "External Key" and "externalKey".
func header(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if i := strings.Index(h, "("); i > 0 {
		h = strings.TrimSpace(h[:i])
	}
	return strings.NewReplacer(" ", "", "_", "", "-", "").Replace(h)
}

func yes(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "y", "yes", "o", "x", "1", "true", "예", "v", "✓":
		return true
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n != 0 {
		return true
	}
	return false
}
