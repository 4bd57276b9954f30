package mailparse

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/internal/safehtml"
)

// FuzzParse checks that Parse never panics nor fails on any input, and that what it returns
// stays usable: valid UTF-8 text, a Header func, safe HTML. `go test` runs the seeds (the
// testdata mails); run longer with
//
//	go test -run '^$' -fuzz FuzzParse -fuzzminimizetime 2s ./shared/mailparse
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(""))
	f.Add([]byte("\r\n\r\n"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x--"))
	f.Add([]byte("Content-Type: message/rfc822\r\nSubject: Fwd: x\r\n\r\nFrom: <a@b>\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("Parse error: %v", err)
		}
		if m.Header == nil {
			t.Fatal("Header is nil")
		}
		_ = m.Header("From")
		if !utf8.ValidString(m.Text) || !utf8.ValidString(m.Subject) || !utf8.ValidString(m.From.Name) {
			t.Fatal("invalid UTF-8 in the result")
		}
		safehtml.Check(t, m.HTML)
	})
}
