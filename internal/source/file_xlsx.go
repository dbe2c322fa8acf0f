package source

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/orgsync/orgsync/internal/inputfile"
)

// sheet finds one sheet of the workbook (its name matched
// case-insensitively) and returns a reader of its rows as text, as Excel
// shows it. The workbook is opened within the file limits; rows are
// streamed.
func (f *File) sheet(path, sheet string) (rowsFunc, string, error) {
	name := filepath.Base(path)
	wb, err := inputfile.OpenWorkbook(path, f.limits())
	if err != nil {
		return nil, "", &Error{Msg: err.Error()}
	}
	found := ""
	for _, s := range wb.GetSheetList() {
		if strings.EqualFold(strings.TrimSpace(s), sheet) {
			found = s
			break
		}
	}
	if found == "" {
		defer wb.Close()
		return nil, "", &Error{Msg: fmt.Sprintf("%s: no sheet %q (sheets: %s)", name, sheet, strings.Join(wb.GetSheetList(), ", "))}
	}
	where := name + " sheet " + found
	return func(fn func(int, []string) error) error {
		defer wb.Close()
		return inputfile.SheetRows(wb, found, where, f.limits(), fn)
	}, where, nil
}
