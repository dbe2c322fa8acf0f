package source

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/xuri/excelize/v2"

	"github.com/orgsync/orgsync/internal/inputfile"
	"github.com/orgsync/orgsync/internal/model"
)

// Header returns the template's header row of a kind.
func Header(k model.Kind) []string {
	var out []string
	for _, c := range Layouts[k] {
		out = append(out, c.name)
	}
	return out
}

// WriteTemplate writes empty export files with the header rows into dir
// (created if missing): format "csv" writes grades.csv, positions.csv,
// departments.csv and employees.csv (UTF-8 with a BOM, so Excel opens
// Korean text correctly); "xlsx" writes org.xlsx with one sheet per kind.
// Existing files are never overwritten.
func WriteTemplate(dir, format string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	switch format {
	case "csv":
		for _, k := range model.Kinds {
			if err := exclusive(filepath.Join(dir, BaseName(k)+".csv")); err != nil {
				return err
			}
		}
		for _, k := range model.Kinds {
			var buf bytes.Buffer
			buf.Write(inputfile.UTF8BOM)
			w := csv.NewWriter(&buf)
			_ = w.Write(Header(k))
			w.Flush()
			if err := os.WriteFile(filepath.Join(dir, BaseName(k)+".csv"), buf.Bytes(), 0o644); err != nil {
				return err
			}
		}
		return nil
	case "xlsx":
		path := filepath.Join(dir, Workbook)
		if err := exclusive(path); err != nil {
			return err
		}
		wb := excelize.NewFile()
		defer wb.Close()
		for i, k := range model.Kinds {
			sheet := BaseName(k)
			if i == 0 {
				if err := wb.SetSheetName(wb.GetSheetName(0), sheet); err != nil {
					return err
				}
			} else if _, err := wb.NewSheet(sheet); err != nil {
				return err
			}
			header := Header(k)
			row := make([]any, len(header))
			for j, h := range header {
				row[j] = h
			}
			if err := wb.SetSheetRow(sheet, "A1", &row); err != nil {
				return err
			}
			// Keys and codes are text: "0001" must not become 1.
			style, err := wb.NewStyle(&excelize.Style{NumFmt: 49})
			if err != nil {
				return err
			}
			last, _ := excelize.ColumnNumberToName(len(header))
			if err := wb.SetColStyle(sheet, "A:"+last, style); err != nil {
				return err
			}
		}
		return wb.SaveAs(path)
	}
	return fmt.Errorf("template format %q: want csv or xlsx", format)
}

func exclusive(path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s exists: not overwritten", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
