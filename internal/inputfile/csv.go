package inputfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/transform"
)

// UTF8BOM starts some UTF-8 exports (Excel's "CSV UTF-8").
var UTF8BOM = []byte{0xEF, 0xBB, 0xBF}

// CSVRows calls fn with each record of a CSV file and the line it starts
// on, streaming: one record is held at a time. The file is UTF-8 (a BOM is
// dropped) when all its bytes are, CP949/EUC-KR otherwise (Excel's default
// "CSV" in Korea); a file that is neither fails, naming the line. Records
// may differ in length (a short or long row is a bad record, not a bad
// file). A line longer than MaxLineBytes, a record wider than MaxColumns or
// more than MaxRows records stop the read. The file is read twice: once
// to choose the encoding and check line lengths, once to parse it.
func CSVRows(path string, l Limits, fn func(line int, rec []string) error) error {
	name := filepath.Base(path)
	f, err := Open(path, l)
	if err != nil {
		return err
	}
	defer f.Close()
	utf, err := scan(f)
	if errors.Is(err, errLongLine) {
		return refuse("%s: a line of more than %d bytes: not a CSV export", name, MaxLineBytes)
	}
	if err != nil {
		return refuse("%s: %v", name, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return refuse("%s: %v", name, err)
	}
	br := bufio.NewReader(f)
	if b, _ := br.Peek(len(UTF8BOM)); bytes.Equal(b, UTF8BOM) {
		_, _ = br.Discard(len(UTF8BOM))
	}
	var text io.Reader = br
	enc := "UTF-8"
	if !utf {
		enc = "CP949"
		text = transform.NewReader(br, korean.EUCKR.NewDecoder())
	}
	r := csv.NewReader(text)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	for n := 1; ; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			return refuse("%s (%s): line %d, column %d: %v", name, enc, pe.Line, pe.Column, pe.Err)
		case err != nil:
			return refuse("%s: %v", name, err)
		}
		line, _ := r.FieldPos(0)
		switch {
		case n > l.MaxRows:
			return refuse("%s: more than the %d rows allowed (ORGSYNC_FILE_MAX_ROWS)", name, l.MaxRows)
		case len(rec) > MaxColumns:
			return refuse("%s line %d: %d columns, more than the %d allowed", name, line, len(rec), MaxColumns)
		}
		if !utf {
			// x/text replaces undecodable bytes with U+FFFD rather than failing.
			for _, v := range rec {
				if strings.ContainsRune(v, utf8.RuneError) {
					return refuse("%s: neither UTF-8 nor CP949: line %d holds bytes that are not CP949 either", name, line)
				}
			}
		}
		if err := fn(line, rec); err != nil {
			return err
		}
	}
}

// scan reads r to the end, holding one block at a time, and reports
// whether it is all valid UTF-8. A line longer than MaxLineBytes stops it
// with errLongLine: csv.Reader holds a whole line, so a file without line
// breaks (a sparse file, a binary) would otherwise be read into memory
// entire.
func scan(r io.Reader) (utf bool, err error) {
	buf := make([]byte, 64<<10)
	utf = true
	carry := 0 // bytes of a rune cut by the block's end, moved to the front
	run := 0   // bytes since the last line break
	for {
		n, err := io.ReadFull(r, buf[carry:])
		for chunk := buf[carry : carry+n]; len(chunk) > 0; {
			i := bytes.IndexByte(chunk, '\n')
			if i < 0 {
				run += len(chunk)
				break
			}
			if run+i > MaxLineBytes {
				run += i
				break
			}
			run, chunk = 0, chunk[i+1:]
		}
		if run > MaxLineBytes {
			return false, errLongLine
		}
		n += carry
		end := n
		if err == nil { // more may follow: keep an incomplete last rune
			for i := 1; i <= utf8.UTFMax && i <= n; i++ {
				if utf8.RuneStart(buf[n-i]) {
					if !utf8.FullRune(buf[n-i : n]) {
						end = n - i
					}
					break
				}
			}
		}
		utf = utf && utf8.Valid(buf[:end])
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return utf, nil
		case err != nil:
			return false, err
		}
		carry = copy(buf, buf[end:n])
	}
}

var errLongLine = errors.New("line too long")
