package orgview

import (
	"bufio"
	_ "embed"
	"html/template"
	"io"
	"strings"
)

var (
	//go:embed assets/view.html
	pageHTML string
	//go:embed assets/view.css
	pageCSS string
	//go:embed assets/view.js
	pageJS string

	page = template.Must(template.New("view").Funcs(template.FuncMap{
		"join": func(s []string) string { return strings.Join(s, " ") },
	}).Parse(pageHTML))
)

// Count is the number of members with a change (joined, left, changed).
func (d *Dept) Count(change string) int {
	n := 0
	for _, m := range d.Members {
		if m.Change == change {
			n++
		}
	}
	return n
}

// WriteHTML writes the picture as one self-contained HTML page: styles and
// script inline, no external resource, and a Content-Security-Policy that
// forbids the browser any request.
func WriteHTML(w io.Writer, v *View) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	err := page.Execute(bw, struct {
		*View
		CSS         template.CSS
		JS          template.JS
		StayingData map[string][][]string
	}{v, template.CSS(pageCSS), template.JS(pageJS), staying(v)})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// staying lists each department's unchanged members as [key, name,
// English name]: the page builds their list items when the department's
// members are opened, searched or printed, so that a company of 100,000
// opens quickly.
func staying(v *View) map[string][][]string {
	out := map[string][][]string{}
	var walk func(d *Dept)
	walk = func(d *Dept) {
		for _, m := range d.Members {
			if m.Change == "" {
				out[d.Key] = append(out[d.Key], []string{m.Key, m.Name, m.En})
			}
		}
		for _, c := range d.Children {
			walk(c)
		}
	}
	for _, r := range v.Roots {
		walk(r)
	}
	if v.Unplaced != nil {
		walk(v.Unplaced)
	}
	return out
}
