package mail

import (
	"testing"
)

func TestHTMLToText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`<p>Hello <b>team</b>,</p><p>line one<br>line two</p>`, "Hello team,\n\nline one\nline two"},
		{`<ul><li>one</li><li>two</li></ul>after`, "- one\n- two\n\nafter"},
		{`<a href="https://x.example/a">docs</a> and <a href="mailto:a@b.example">a@b.example</a>`, "docs <https://x.example/a> and a@b.example"},
		{`<blockquote>quoted<br>text</blockquote>`, "> quoted\n> text"},
		{`<div>a</div><div>b</div><script>x</script><style>y</style>`, "a\nb"},
		{`<pre>  keep
  spaces</pre>`, "keep\n  spaces"},
		{`<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>`, "a b\nc"},
		{`<img src="cid:x" alt="logo"> text&nbsp;here`, "logo text here"},
	}
	for _, tt := range tests {
		if got := HTMLToText(tt.in); got != tt.want {
			t.Errorf("HTMLToText(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}
