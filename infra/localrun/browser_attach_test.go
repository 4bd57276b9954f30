package localrun_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/openinbox/inbox/shared/inbox"
)

// dropFile drops a file made in the page (name, type, body of n repeats of s) onto the
// composer, as dragging it from the desktop does.
func dropFile(p *appPage, name, typ, s string, n int) {
	p.t.Helper()
	pageEval[bool](p, `(() => {
		const dt = new DataTransfer();
		dt.items.add(new File([`+strconv.Quote(s)+`.repeat(`+strconv.Itoa(n)+`)], `+strconv.Quote(name)+`, { type: `+strconv.Quote(typ)+` }));
		document.getElementById('composer-form').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
		return true;
	})()`)
}

// A reply with files in chromium, on the demo SMS channel: one file chosen with the Attach
// button and one dropped onto the composer upload with progress; a file over the 4 MiB limit is
// refused before any upload with the reason; the dropped file is removed again before sending;
// the reply then shows in the thread with its file, and reaches the runner's outbox as an MMS
// whose one media URL serves the file's bytes.
func TestAgentAppRepliesWithAttachments(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	_, conv := e.demoSMS(t, "+15550003333", "Can you send me the invoice?", "SMattach000000000000000000000000001")

	const invoice = "%PDF-1.4\n% the invoice\n"
	path := filepath.Join(t.TempDir(), "invoice.pdf")
	if err := os.WriteFile(path, []byte(invoice), 0o600); err != nil {
		t.Fatal(err)
	}
	p := openApp(t, e)
	p.signIn("ada")
	p.openConversation(conv)
	// The live event of the read marker that opening wrote may draw the thread (and its composer)
	// again right after: a node found before that is gone. Choose the file on the new input
	// then (the chosen files are the module's, kept across drawings).
	for attempt := 1; ; attempt++ {
		err := chromedp.Do(p.ctx, chromedp.SetUploadFiles(chromedp.ID("attach-input"), []string{path}))
		if err == nil {
			break
		}
		if attempt == 3 || !strings.Contains(err.Error(), "Could not find node") {
			t.Fatalf("choosing a file: %v%s", err, p.scriptErrors())
		}
	}
	p.wait("the chosen file, uploaded", `document.querySelectorAll('#attachments li[data-done=true]').length === 1 && document.getElementById('attachments').textContent.includes('invoice.pdf')`)
	dropFile(p, "photo.png", "image/png", "PNG data ", 1000)
	p.wait("the dropped file, uploaded", `document.querySelectorAll('#attachments li[data-done=true]').length === 2`)
	dropFile(p, "huge.mov", "video/quicktime", "x", 5<<20)
	p.wait("the refusal of the big file", `document.getElementById('attach-error').textContent.includes('huge.mov is too large')`)
	if n := pageEval[int](p, `document.querySelectorAll('#attachments li').length`); n != 2 {
		t.Fatalf("%d files listed after the refusal", n)
	}
	p.noAxeViolations("the composer with files and a refusal")
	pageEval[bool](p, `(document.getElementById('attachment-remove-1').click(), true)`)
	p.wait("the dropped file removed", `document.querySelectorAll('#attachments li').length === 1 && !document.getElementById('attachments').textContent.includes('photo.png')`)
	pageEval[bool](p, `(document.getElementById('composer').value = 'Here it is.', document.getElementById('send').click(), true)`)
	p.wait("the reply with its file in the thread", `[...document.querySelectorAll('#messages li.out')].some(li => li.textContent.includes('Here it is.') && [...li.querySelectorAll('a')].some(a => a.textContent === 'invoice.pdf (1 kB)'))`)
	p.wait("the composer emptied", `document.getElementById('attachments').hidden && document.getElementById('composer').value === ''`)
	e.idle()
	sent := lastOutbox(t, e.r, inbox.ChannelSMS)
	if sent.Body != "Here it is." || len(sent.MediaURLs) != 1 {
		t.Fatalf("sent = %+v", sent)
	}
	if status, body := fetched(t, sent.MediaURLs[0]); status != http.StatusOK || body != invoice {
		t.Fatalf("the media URL answered %d %q", status, body)
	}
	p.noScriptErrors()
}
