package mailparse

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// nestedMail is a mail of depth multiparts each inside the previous one, around a text part;
// closed says whether the multiparts have their closing lines.
func nestedMail(depth int, closed bool) []byte {
	var b bytes.Buffer
	b.WriteString("From: a@example.com\r\nTo: b@example.com\r\nSubject: deep\r\nMIME-Version: 1.0\r\n")
	for i := range depth {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nhello\r\n")
	for i := depth - 1; i >= 0 && closed; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return b.Bytes()
}

// siblingsMail is a multipart/mixed mail of n text parts.
func siblingsMail(n int) []byte {
	var b bytes.Buffer
	b.WriteString("From: a@example.com\r\nSubject: many\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n")
	for i := range n {
		fmt.Fprintf(&b, "--x\r\nContent-Type: text/plain\r\n\r\npart %d\r\n", i)
	}
	b.WriteString("--x--\r\n")
	return b.Bytes()
}

func TestBoundMIME(t *testing.T) {
	t.Parallel()
	tooDeep := fmt.Sprintf("nested more than %d levels", maxDepth)
	tooMany := fmt.Sprintf("more than %d MIME parts", maxParts)
	tests := []struct {
		name      string
		raw       []byte
		text      string // the text read, when it is readable
		problem   string // the problem reported ("" for none)
		malformed bool
	}{
		{"nested within the bound", nestedMail(maxDepth, true), "hello", "", false},
		{"nested one level too deep", nestedMail(maxDepth+1, true), "", tooDeep, true},
		{"10,000 levels", nestedMail(10000, true), "", tooDeep, true},
		{"10,000 levels never closed", nestedMail(10000, false), "", tooDeep, true},
		// Each unclosed level doubled the reader's time: 20 levels in 1.2 KB took 19 s.
		{"unclosed levels closed at the end", nestedMail(maxDepth, false), "hello", unclosed, true},
		{"as many parts as allowed", siblingsMail(maxParts), "part 0", "", false},
		{"one part too many", siblingsMail(maxParts + 1), "part 0", tooMany, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse(bytes.NewReader(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			found := slices.ContainsFunc(m.Problems, func(p string) bool { return tt.problem != "" && strings.Contains(p, tt.problem) })
			if found != (tt.problem != "") || m.Malformed != tt.malformed {
				t.Errorf("problems %q, malformed %v; want %q, %v", m.Problems, m.Malformed, tt.problem, tt.malformed)
			}
			if tt.text != "" && !strings.HasPrefix(m.Text, tt.text) {
				t.Errorf("text = %.80q, want %q first", m.Text, tt.text)
			}
		})
	}
}

// The real mails of testdata pass through the bounds unchanged, except the one whose declared
// boundary never appears: its multipart gets the closing line it lacks.
func TestBoundMIMEKeepsRealMail(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatal(files, err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) == "malformed_boundary.eml" {
			raw = append(raw, "--declared-boundary--\r\n"...)
		}
		if got, _, _ := boundMIME(raw); !bytes.Equal(got, raw) {
			t.Errorf("%s: changed (%d → %d bytes)", f, len(raw), len(got))
		}
	}
}

// BenchmarkParseDeepNesting parses a mail of 10,000 nested multiparts (700 KB): before the
// bounds it kept the email function busy for minutes; now it costs about what a plain mail of
// the same size does.
func BenchmarkParseDeepNesting(b *testing.B) {
	raw := nestedMail(10000, true)
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(raw)); err != nil {
			b.Fatal(err)
		}
	}
}
