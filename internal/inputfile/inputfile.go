// Package inputfile reads the files people hand to orgsync (HR exports, key
// sheets) within limits, so that a small hostile or broken file cannot take
// the worker's memory: a size cap on the file and, for a workbook, on what
// it unzips to; worksheets streamed row by row with caps on rows and
// columns. Every cap gives one error naming the file and the limit.
package inputfile

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Limits bound one file.
type Limits struct {
	MaxBytes int64 // the file's size; for an XLSX also its unzipped size
	MaxRows  int   // rows of a file or sheet, the header included
}

// Defaults match the ORGSYNC_FILE_MAX_* defaults (internal/config).
var Defaults = Limits{MaxBytes: 256 << 20, MaxRows: 1_000_000}

// MaxColumns bounds the columns of a row: the layouts have at most 13, and
// an export may add some of its own, not thousands.
const MaxColumns = 1024

// MaxLineBytes bounds one line of a CSV file (a row that long is not a
// record, and the CSV reader would hold all of it).
const MaxLineBytes = 1 << 20

// sheetInMemory is the largest worksheet (or shared string table) excelize
// unzips into memory; larger ones go to a temporary file and are streamed.
const sheetInMemory = 16 << 20

// Error is a file refused or unreadable as a whole.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func refuse(format string, a ...any) error { return &Error{Msg: fmt.Sprintf(format, a...)} }

// Open opens path for reading after checking its size.
func Open(path string, l Limits) (*os.File, error) {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return nil, refuse("%s: %v", name, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, refuse("%s: %v", name, err)
	}
	if err := l.checkSize(name, st.Size()); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func (l Limits) checkSize(name string, size int64) error {
	if size > l.MaxBytes {
		return refuse("%s: %d bytes, more than the %d bytes allowed (ORGSYNC_FILE_MAX_BYTES)", name, size, l.MaxBytes)
	}
	return nil
}

func (l Limits) options() excelize.Options {
	return excelize.Options{UnzipSizeLimit: l.MaxBytes, UnzipXMLSizeLimit: min(sheetInMemory, l.MaxBytes)}
}

// OpenWorkbook opens an XLSX file within l; the caller closes it.
func OpenWorkbook(path string, l Limits) (*excelize.File, error) {
	f, err := Open(path, l) // the size check, before excelize reads anything
	if err != nil {
		return nil, err
	}
	f.Close()
	wb, err := excelize.OpenFile(path, l.options())
	return wb, l.workbookError(filepath.Base(path), err)
}

// ReadWorkbook reads an XLSX from r within l; the caller closes it.
func ReadWorkbook(name string, r io.Reader, l Limits) (*excelize.File, error) {
	b, err := io.ReadAll(io.LimitReader(r, l.MaxBytes+1))
	if err != nil {
		return nil, refuse("%s: %v", name, err)
	}
	if int64(len(b)) > l.MaxBytes {
		return nil, refuse("%s: more than the %d bytes allowed (ORGSYNC_FILE_MAX_BYTES)", name, l.MaxBytes)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(b), l.options())
	return wb, l.workbookError(name, err)
}

func (l Limits) workbookError(name string, err error) error {
	if err == nil {
		return nil
	}
	if isUnzipLimit(err) {
		return refuse("%s: unzips to more than the %d bytes allowed (ORGSYNC_FILE_MAX_BYTES): not an export, or one too large to read", name, l.MaxBytes)
	}
	return refuse("%s: not a readable XLSX workbook: %v", name, err)
}

// isUnzipLimit recognises excelize's unzip-limit error, which has no
// sentinel: it is the only error whose text starts like this.
func isUnzipLimit(err error) bool {
	return strings.HasPrefix(err.Error(), "unzip size exceeds")
}

// SheetRows calls fn with each row of the sheet and its 1-based line,
// streaming: one row is held at a time. where names the file and sheet in
// errors. A row past MaxRows or wider than MaxColumns stops the read.
func SheetRows(wb *excelize.File, sheet, where string, l Limits, fn func(line int, row []string) error) error {
	rows, err := wb.Rows(sheet)
	if err != nil {
		return refuse("%s: %v", where, err)
	}
	defer rows.Close()
	line := 0
	for rows.Next() {
		line++
		if line > l.MaxRows {
			return refuse("%s: more than the %d rows allowed (ORGSYNC_FILE_MAX_ROWS)", where, l.MaxRows)
		}
		row, err := rows.Columns()
		if err != nil {
			return refuse("%s row %d: %v", where, line, err)
		}
		if len(row) > MaxColumns {
			return refuse("%s row %d: %d columns, more than the %d allowed", where, line, len(row), MaxColumns)
		}
		if err := fn(line, row); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return refuse("%s: %v", where, err)
	}
	return nil
}
