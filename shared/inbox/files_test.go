package inbox_test

import (
	"strings"
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
)

func TestFileName(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../evil.html", "evil.html"},
		{`C:\Users\eve\evil.html`, "evil.html"},
		{"..", ""},
		{"", ""},
		{"a\r\nb.txt", "ab.txt"},
		{"invoice\u202Efdp.exe", "invoicefdp.exe"}, // a right-to-left override disguising .exe
		{" .hidden. ", "hidden"},
		{"Faktura æøå.pdf", "Faktura æøå.pdf"},
		{strings.Repeat("é", 200), strings.Repeat("é", 127)}, // 255 bytes at most, whole runes
	}
	for _, tt := range tests {
		if got := inbox.FileName(tt.in); got != tt.want {
			t.Errorf("FileName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDownload(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, ct, wantType, wantDisp string }{
		{"photo.jpg", "image/jpeg", "image/jpeg", `inline; filename="photo.jpg"`},
		{"logo.png", "image/png; name=logo.png", "image/png", `inline; filename="logo.png"`},
		{"evil.html", "text/html", "application/octet-stream", `attachment; filename="evil.html"`},
		{"x.svg", "image/svg+xml", "application/octet-stream", `attachment; filename="x.svg"`},
		{"../../evil.html", "text/html; charset=utf-8", "application/octet-stream", `attachment; filename="evil.html"`},
		{"report.pdf", "application/pdf", "application/octet-stream", `attachment; filename="report.pdf"`},
		{"", "", "application/octet-stream", "attachment"},
		{`a"b.txt`, "text/plain", "application/octet-stream", `attachment; filename="a_b.txt"; filename*=UTF-8''a%22b.txt`},
		{"Faktura æø.pdf", "application/pdf", "application/octet-stream",
			`attachment; filename="Faktura __.pdf"; filename*=UTF-8''Faktura%20%C3%A6%C3%B8.pdf`},
	}
	for _, tt := range tests {
		typ, disp := inbox.Download(tt.name, tt.ct)
		if typ != tt.wantType || disp != tt.wantDisp {
			t.Errorf("Download(%q, %q) = %q, %q; want %q, %q", tt.name, tt.ct, typ, disp, tt.wantType, tt.wantDisp)
		}
	}
}
