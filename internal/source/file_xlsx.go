package source

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// readSheet reads one sheet of the workbook (its name matched
// case-insensitively) as text, as Excel shows it.
func readSheet(path, sheet string) (*table, error) {
	name := filepath.Base(path)
	wb, err := excelize.OpenFile(path)
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("%s: not a readable XLSX workbook: %v", name, err)}
	}
	defer wb.Close()
	found := ""
	for _, s := range wb.GetSheetList() {
		if strings.EqualFold(strings.TrimSpace(s), sheet) {
			found = s
			break
		}
	}
	if found == "" {
		return nil, &Error{Msg: fmt.Sprintf("%s: no sheet %q (sheets: %s)", name, sheet, strings.Join(wb.GetSheetList(), ", "))}
	}
	rows, err := wb.GetRows(found)
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("%s sheet %s: %v", name, found, err)}
	}
	return &table{where: name + " sheet " + found, rows: rows}, nil
}
