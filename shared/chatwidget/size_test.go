package chatwidget_test

import (
	"bytes"
	"compress/gzip"
	"testing"

	"github.com/openinbox/inbox/shared/chatwidget"
)

// gzipped is the size of an embedded file as a browser downloads it (gzip, best compression).
func gzipped(t testing.TB, name string) int {
	t.Helper()
	b, err := chatwidget.File(name)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	z, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = z.Write(b)
	_ = z.Close()
	return buf.Len()
}

// TestWidgetSize keeps the size aims: the loader at most 10 KB and the widget (frame app
// and styles) at most 60 KB, gzipped.
func TestWidgetSize(t *testing.T) {
	t.Parallel()
	if n := gzipped(t, "loader.js"); n > 10<<10 {
		t.Errorf("loader.js is %d bytes gzipped, aim ≤ 10 KB", n)
	}
	if n := gzipped(t, "widget.js") + gzipped(t, "widget.css"); n > 60<<10 {
		t.Errorf("widget is %d bytes gzipped, aim ≤ 60 KB", n)
	}
}

// BenchmarkWidgetSize reports the gzipped sizes (make bench: loader-gz-bytes, widget-gz-bytes).
func BenchmarkWidgetSize(b *testing.B) {
	loader, widget := gzipped(b, "loader.js"), gzipped(b, "widget.js")+gzipped(b, "widget.css")
	for b.Loop() {
	}
	b.ReportMetric(float64(loader), "loader-gz-bytes")
	b.ReportMetric(float64(widget), "widget-gz-bytes")
}
