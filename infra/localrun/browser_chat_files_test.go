package localrun_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/openinbox/inbox/infra/browser"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/inbox"
)

// pickFiles gives the widget's file input the files described by the JS array literal specs
// ([name, type, text]) as a visitor's file dialog does, from the frame's own realm.
func pickFiles(specs string) string {
	return `(() => { const w = fr.contentWindow, dt = new w.DataTransfer(); for (const [n, ty, body] of ` + specs + `) dt.items.add(new w.File([body], n, {type: ty}));
		const i = f.getElementById('file'); i.files = dt.files; i.dispatchEvent(new w.Event('change')); return true; })()`
}

// TestChatFilesInTheBrowser: in chromium, the widget's attach button (a labelled button)
// takes a PDF and refuses an HTML page with a message; the picked file shows as a chip with a
// labelled remove button; sending uploads it straight to the media bucket (the runner's S3,
// which the frame's CSP allows) and the message shows it as a link with name and size; the
// agent API shows the file on the message and it downloads; an agent's reply with a file
// appears in the widget as a link.
func TestChatFilesInTheBrowser(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	c, idle := e.c, e.idle
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	ctx := browser.New(t)
	visit(t, ctx, e.r.URL+localrun.ChatDemoPath)
	waitFor(t, ctx, "the launcher", `!f.getElementById('launcher').hidden`)
	eval[bool](t, ctx, `(f.getElementById('launcher').click(), true)`)
	waitFor(t, ctx, "the open panel with an attach button", `!f.getElementById('panel').hidden && !f.getElementById('attach').hidden && f.getElementById('attach').getAttribute('aria-label') === 'Attach a file'`)

	eval[bool](t, ctx, pickFiles(`[['page.html', 'text/html', '<p>hi</p>']]`))
	waitFor(t, ctx, "the refusal of an HTML file", `!f.getElementById('fileerror').hidden && f.getElementById('fileerror').textContent.startsWith('page.html cannot be sent') && f.getElementById('files').hidden`)
	const receipt = "%PDF-1.4 the receipt"
	eval[bool](t, ctx, pickFiles(`[['receipt.pdf', 'application/pdf', '`+receipt+`']]`))
	waitFor(t, ctx, "the picked file's chip", `f.getElementById('fileerror').hidden && f.querySelectorAll('#files .chip').length === 1 &&
		f.querySelector('#files .chip span').textContent === 'receipt.pdf (20 byte)' && f.querySelector('#files .chip button').getAttribute('aria-label') === 'Remove receipt.pdf'`)
	eval[bool](t, ctx, `(f.getElementById('text').value = 'Here is my receipt', f.getElementById('form').requestSubmit(), true)`)
	waitFor(t, ctx, "the message delivered with its file as a link", `[...f.querySelectorAll('.m.in')].some(m => m.querySelector('small').textContent === 'Delivered' &&
		(m.querySelector('.att a') || {}).textContent === 'receipt.pdf (20 byte)' && /^http/.test(m.querySelector('.att a').href) && m.querySelector('.att a').target === '_blank')`)
	if !eval[bool](t, ctx, `f.getElementById('files').hidden && f.getElementById('text').value === ''`) {
		t.Fatal("the composer kept the sent file")
	}

	idle()
	var conv string
	for _, cv := range c.conversations("/v1/conversations", demo.Token).Items {
		if cv.Channel.Type == string(inbox.ChannelChat) && cv.Preview == "Here is my receipt" {
			conv = cv.ID
		}
	}
	if conv == "" {
		t.Fatal("the agent API lists no chat conversation with the message")
	}
	msgs := listOf[struct {
		Attachments []inbox.Attachment `json:"attachments"`
	}](c, "/v1/conversations/"+conv+"/messages", demo.Token)
	if len(msgs) != 1 || len(msgs[0].Attachments) != 1 || msgs[0].Attachments[0].Name != "receipt.pdf" || msgs[0].Attachments[0].Size != int64(len(receipt)) {
		t.Fatalf("the agent sees %+v", msgs)
	}
	res, err := http.Get(msgs[0].Attachments[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Equal(got, []byte(receipt)) {
		t.Fatalf("the agent's download: %d %q", res.StatusCode, got)
	}

	// The agent replies with a file: a link in the widget.
	label := uploaded(t, c, demo.Token, "return-label.pdf", "application/pdf", []byte("%PDF-1.4 label"))
	want(t, c.api(http.MethodPost, "/v1/conversations/"+conv+"/messages", demo.Token, map[string]any{"text": "Your return label",
		"attachments": []map[string]string{label}}), http.StatusAccepted)
	waitFor(t, ctx, "the agent's file as a link in the widget", `[...f.querySelectorAll('.m.out')].some(m => m.textContent.startsWith('Your return label') &&
		(m.querySelector('.att a') || {}).textContent === 'return-label.pdf (14 byte)' && /^http/.test(m.querySelector('.att a').href))`)
	if label := eval[string](t, ctx, `f.querySelector('.m.out .att').getAttribute('aria-label')`); label != "Attached files" {
		t.Errorf("the file list's label %q", label)
	}
	_ = chromedp.Void{}
}

// TestChatFileRefusedAsTooLarge: when the server refuses a visitor's file as too large (413
// too_large), the widget names the file in the visitor's language instead of saying the
// message is too long. The widget checks sizes against the server's limit before uploading, so
// to reach the server's refusal the config it reads promises ten times the limit (as a stale
// config would); the refusal itself is the chat API's.
func TestChatFileRefusedAsTooLarge(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	ctx := browser.New(t)
	visit(t, ctx, e.r.URL+localrun.ChatDemoPath)
	waitFor(t, ctx, "the launcher", `!f.getElementById('launcher').hidden`)
	eval[bool](t, ctx, `(() => { const w = fr.contentWindow, real = w.fetch.bind(w);
		w.fetch = (u, o) => real(u, o).then(r => !String(u).includes('/config?') ? r : r.json().then(c => {
			c.files.maxBytes *= 10; return new w.Response(JSON.stringify(c), { status: r.status, headers: { 'Content-Type': 'application/json' } }); }));
		return true; })()`)
	bigFile := `(() => { const w = fr.contentWindow, dt = new w.DataTransfer();
		dt.items.add(new w.File([new w.Uint8Array(10 * 1024 * 1024 + 1)], 'big.pdf', { type: 'application/pdf' }));
		const i = f.getElementById('file'); i.files = dt.files; i.dispatchEvent(new w.Event('change')); return true; })()`
	for i, tc := range []struct{ lang, text, want string }{
		{"da", "Her er filen", "Ikke sendt: big.pdf er for stor til at blive sendt."},
		{"en", "Here is the file", "Not sent: big.pdf is too large to send."},
	} {
		// Reading the config again (through the fetch above), in the language.
		eval[bool](t, ctx, `(InboxChat.setLanguage('`+tc.lang+`'), true)`)
		waitFor(t, ctx, "the widget in "+tc.lang, `f.documentElement.getAttribute('data-lang') === '`+tc.lang+`'`)
		if i == 0 {
			eval[bool](t, ctx, `(f.getElementById('launcher').click(), true)`)
			waitFor(t, ctx, "the open panel", `!f.getElementById('panel').hidden && !f.getElementById('attach').hidden`)
		}
		eval[bool](t, ctx, bigFile)
		waitFor(t, ctx, "the big file's chip", `f.getElementById('fileerror').hidden && f.querySelectorAll('#files .chip').length === 1`)
		eval[bool](t, ctx, `(f.getElementById('text').value = `+jsQuote(tc.text)+`, f.getElementById('form').requestSubmit(), true)`)
		waitFor(t, ctx, "the server's refusal of the file", `[...f.querySelectorAll('.m.in')].some(m => m.textContent.startsWith(`+jsQuote(tc.text)+`) &&
			m.getAttribute('data-failed') === 'true' && m.querySelector('small').textContent === `+jsQuote(tc.want)+`)`)
	}
}
