package htmlsafe

import (
	"testing"

	"github.com/openinbox/inbox/shared/internal/safehtml"
)

// FuzzSanitize checks that whatever goes in, what Sanitize returns parses back (as a
// browser would) to allowed elements, attributes and URLs only, so that no mutation of the
// markup can revive a script.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		`<p>hi</p><script>alert(1)</script>`, `<img src=x onerror=alert(1)>`, `<a href="javascript:alert(1)">x</a>`,
		`<svg><p><style><img src=x onerror=alert(1)></style></p></svg>`, `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
		`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`, `<table><form><tr><td>a</td></tr></form>text</table>`,
		`<a href="https://x.example/">a<a href="mailto:b@c">b</a></a>`, `<!--><img src=x onerror=alert(1)>-->`,
		`<img src="data:image/png;base64,iVBO" alt="x"><img src="cid:a@b">`, `<xmp><img src=x onerror=alert(1)></xmp>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		safehtml.Check(t, Sanitize(s))
	})
}
