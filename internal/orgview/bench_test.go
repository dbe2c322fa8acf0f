package orgview_test

import (
	"io"
	"testing"

	"github.com/orgsync/orgsync/internal/orgview"
	"github.com/orgsync/orgsync/internal/orgview/orgviewtest"
)

type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// The picture of a 5,000-department, 100,000-employee reorganisation
// (docs/performance.md): building the view and writing the HTML.
func BenchmarkRender5000x100000(b *testing.B) {
	r := orgviewtest.New(5000, 100_000)
	base := orgview.OrgOf(r.Base)
	b.ResetTimer()
	var size int64
	for b.Loop() {
		v := orgview.Build("plan", base, r.Items)
		c := &counter{}
		if err := orgview.WriteHTML(io.MultiWriter(c), v); err != nil {
			b.Fatal(err)
		}
		size = c.n
	}
	b.ReportMetric(float64(size)/1e6, "MB")
	b.ReportMetric(float64(len(r.Items)), "items")
}
