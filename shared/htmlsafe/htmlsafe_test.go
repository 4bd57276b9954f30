package htmlsafe

import (
	"strings"
	"testing"

	"github.com/openinbox/inbox/shared/internal/safehtml"
)

func TestSanitize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		keep []string // what must survive
	}{
		{"script removed with content", `<p>hi</p><script>alert(1)</script>`, []string{"<p>hi</p>"}},
		{"img onerror", `<img src=x onerror=alert(1)>`, nil},
		{"img onerror with valid src", `<img src="https://cdn.example/a.png" onerror="alert(1)" alt="a">`, []string{`src="https://cdn.example/a.png"`, `alt="a"`}},
		{"javascript link", `<a href="javascript:alert(1)">x</a>`, []string{"x"}},
		{"javascript link obfuscated", `<a href=" JaVaScRiPt:alert(1)">x</a><a href="java&#x09;script:alert(1)">y</a><a href="&#106;avascript:alert(1)">z</a>`, []string{"x", "y", "z"}},
		{"vbscript and data links", `<a href="vbscript:msgbox(1)">x</a><a href="data:text/html;base64,PHNjcmlwdD4=">y</a>`, []string{"x", "y"}},
		{"relative link dropped", `<a href="/admin">x</a>`, []string{"x"}},
		{"allowed links", `<a href="https://example.com/?a=1&amp;b=2" target="_blank" onclick="x()">a</a> <a href="mailto:ann@example.com">m</a>`,
			[]string{`href="https://example.com/?a=1&amp;b=2"`, `href="mailto:ann@example.com"`, "nofollow", "noreferrer"}},
		{"cid and data images", `<img src="cid:logo@acme"><img src="data:image/png;base64,iVBORw0KGgo=">`,
			[]string{`src="cid:logo@acme"`, `src="data:image/png;base64,iVBORw0KGgo="`}},
		{"iframe object embed form", `<iframe src="https://evil"></iframe><object data="x"></object><embed src="x"><form action="https://evil"><input name="a">text</form>`, []string{"text"}},
		{"style and class attributes", `<p style="color:red" class="x">a</p><style>p{}</style>`, []string{"<p>a</p>"}},
		{"email table layout", `<table width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#fff" style="x"><tr><td width="50%" valign="top" align="left" colspan="2">a</td></tr></table>`,
			[]string{`<table width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#fff">`, `width="50%"`, `valign="top"`, `align="left"`}},
		{"bad attribute values", `<td width="expression(alert(1))" bgcolor="red;background:url(x)">a</td>`, []string{"a"}},
		{"svg script", `<svg><script>alert(1)</script><a xlink:href="javascript:alert(1)">x</a></svg>ok`, []string{"ok"}},
		{"comments and conditional comments", `<!--[if mso]><v:shape>x</v:shape><![endif]--><p>a</p><!-- secret -->`, []string{"<p>a</p>"}},
		{"full document keeps body", `<!DOCTYPE html><html><head><title>T</title><meta charset="utf-8"><base href="https://evil/"></head><body onload="x()"><h1>Hi</h1></body></html>`, []string{"<h1>Hi</h1>"}},
		{"unknown tags unwrapped", `<font color="red" face="Arial">Hej</font> <center>c</center> <o:p>x</o:p>`, []string{"Hej", "c", "x"}},
		{"text escaped", `a &lt;script&gt; b & c`, []string{"a &lt;script&gt; b &amp; c"}},
		{"attribute breaking out", `<img src="https://x/" alt='"><script>alert(1)</script>'>`, []string{`src="https://x/"`}},
		{"noscript and textarea content", `<noscript><img src=x onerror=alert(1)></noscript><textarea></textarea><img src=x onerror=alert(2)></textarea>`, nil},
		{"empty", `   `, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Sanitize(tt.in)
			for _, k := range tt.keep {
				if !strings.Contains(got, k) {
					t.Errorf("Sanitize(%q) = %q lost %q", tt.in, got, k)
				}
			}
			for _, bad := range []string{"<script", "onerror", "onload", "onclick", "javascript:", "<iframe", "<object", "<form", "style=", "expression(", "url("} {
				if strings.Contains(strings.ToLower(got), bad) {
					t.Errorf("Sanitize(%q) = %q contains %q", tt.in, got, bad)
				}
			}
			safehtml.Check(t, got)
		})
	}
}

func TestSanitizeDeepNesting(t *testing.T) {
	t.Parallel()
	in := strings.Repeat("<div>", 50000) + "deep" + strings.Repeat("</div>", 50000)
	if got := Sanitize(in); !strings.Contains(got, "deep") {
		t.Errorf("deep text lost: %.100q", got)
	}
}

func TestRenderSignature(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, sig, want string
	}{
		{"tokens", `<p>{{agent.fullName}}<br>{{ agent.firstName }} / {{agent.lastName}}</p>`, `<p>Ada &lt;b&gt;Lovelace<br/>Ada / &lt;b&gt;Lovelace</p>`},
		{"spaces and case tolerated", `<p>{{  Agent.FullName }}</p>`, `<p>Ada &lt;b&gt;Lovelace</p>`},
		{"unknown token kept", `<p>{{agent.email}}</p>`, `<p>{{agent.email}}</p>`},
		{"sanitized", `<p onclick="x()">{{agent.firstName}}</p><script>alert(1)</script><img src="https://acme.example/logo.png" alt="Acme">`, `<p>Ada</p><img src="https://acme.example/logo.png" alt="Acme"/>`},
		{"value cannot inject into attributes", `<a href="https://acme.example/{{agent.firstName}}">x</a>`, `<a href="https://acme.example/Ada" rel="nofollow noreferrer">x</a>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := RenderSignature(tt.sig, "Ada <b>Lovelace", "Ada", "<b>Lovelace"); got != tt.want {
				t.Errorf("RenderSignature(%q)\n got %q\nwant %q", tt.sig, got, tt.want)
			}
		})
	}
	if got := RenderSignature(`<p>{{agent.fullName}}</p>`, `"><script>alert(1)</script>`, "", ""); strings.Contains(got, "<script") {
		t.Errorf("RenderSignature let a name inject markup: %q", got)
	}
}
