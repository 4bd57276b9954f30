package mailparse

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkParse measures parsing a multipart/mixed mail with a PDF and an HTML part, the
// email function's CPU path per message.
func BenchmarkParse(b *testing.B) {
	raw, err := os.ReadFile("testdata/mixed_pdf.eml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(raw)); err != nil {
			b.Fatal(err)
		}
	}
}
