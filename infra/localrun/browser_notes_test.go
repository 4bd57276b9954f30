package localrun_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openinbox/inbox/infra/browser"
)

// appTab signs demo user id in on a page of the agents' app (a fresh tab of browser ctx, which
// keeps its own sessionStorage and so its own sign-in) and waits for the inbox.
func appTab(t testing.TB, ctx context.Context, base, user string) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/app/")); err != nil {
		t.Fatal(err)
	}
	appWait(t, tab, "the sign-in form", `document.querySelector('#signin-user option') !== null`)
	tabEval[bool](t, tab, `(document.getElementById('signin-user').value = `+strconv.Quote(user)+`, document.getElementById('signin-form').requestSubmit(), true)`)
	appWait(t, tab, "the inbox", `!document.getElementById('app').hidden && document.getElementById('live').classList.contains('on')`)
	return tab
}

// pageEval evaluates expr in the page and returns its value.
func tabEval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// An internal note and unread state in chromium: the new conversation is unread (row and tab
// title) for Sam and Kim, and Sam opening it leaves it unread for Kim; Sam switches the composer
// to Note (the n key), writes and adds it; it shows in the thread styled as a note with his
// name, in Kim's tab too without a reload (live); Sam marks it unread (kept by the server); and
// nothing reaches the outbox.
func TestAgentAppNoteAndUnread(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	c := e.c
	demo, conv := e.demoSMS(t, "+15550002222", "Hello?", "SMnote0000000000000000000000000002")
	sent := len(e.r.Outbox.Entries())

	ctx, cancel := context.WithTimeout(browser.New(t), 3*time.Minute)
	defer cancel()
	sam, kim := appTab(t, ctx, e.r.URL, "sam"), appTab(t, ctx, e.r.URL, "kim")
	// Unread is each user's own: Sam opening it leaves it unread for Kim.
	row := `document.getElementById('row-` + conv + `')`
	for _, tab := range []context.Context{sam, kim} {
		tabEval[bool](t, tab, `(location.hash = '#/all', true)`)
		appWait(t, tab, "the conversation's row, unread", row+` !== null && `+row+`.classList.contains('unread') && document.title.startsWith('(1) ')`)
		tabEval[bool](t, tab, `(`+row+`.click(), true)`)
		appWait(t, tab, "the thread", `document.getElementById('composer') !== null && document.querySelector('#messages li.in') !== null`)
		appWait(t, tab, "the tab title without unread", `document.title === 'Inbox'`)
		if tab == sam {
			var kimSees struct {
				Unread bool `json:"unread"`
			}
			c.api(http.MethodGet, "/v1/conversations/"+conv, e.token(demo.AccountID, "kim", "agent"), nil).json(t, &kimSees)
			if !kimSees.Unread {
				t.Fatal("Sam's reading marked it read for Kim")
			}
		}
	}
	tabEval[bool](t, sam, `(document.body.focus(), document.body.dispatchEvent(new KeyboardEvent('keydown', {key: 'n', bubbles: true})), true)`)
	appWait(t, sam, "the note mode", `document.getElementById('compose-note').getAttribute('aria-pressed') === 'true' && document.activeElement.id === 'composer'`)
	tabEval[bool](t, sam, `(document.getElementById('composer').value = 'Refund approved by Kim.', document.getElementById('send').click(), true)`)
	const shown = `[...document.querySelectorAll('#messages li.note')].some(li => li.textContent.includes('Refund approved by Kim.') && li.querySelector('.who').textContent.includes('Sam'))`
	appWait(t, sam, "the note in Sam's thread", shown)
	appWait(t, kim, "the note in Kim's thread, live", shown)
	// Mark unread: kept on the server for Sam.
	tabEval[bool](t, sam, `(document.getElementById('unread-btn').click(), true)`)
	appWait(t, sam, "the row marked unread", row+`.classList.contains('unread') && document.title.startsWith('(1) ')`)
	var samSees struct {
		Unread bool `json:"unread"`
	}
	c.api(http.MethodGet, "/v1/conversations/"+conv, e.token(demo.AccountID, "sam", "agent"), nil).json(t, &samSees)
	if !samSees.Unread {
		t.Fatal("mark unread did not reach the server")
	}
	e.idle()
	if got := e.r.Outbox.Entries(); len(got) != sent {
		t.Fatalf("the note was sent: %+v", got[sent:])
	}
}

// TestReadMarkersLeaveTheComposerAlone checks that a live event which shows nothing new in the
// open thread — another agent's read marker — does not
// redraw the thread: the composer being used (a draft, a template or saved reply being chosen,
// files) stays the same element. It was redrawn on every such event, which lost a choice made
// in the moment after opening a conversation.
func TestReadMarkersLeaveTheComposerAlone(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	c := e.c
	demo, conv := e.demoSMS(t, "+15550002323", "Hi there", "SMkeep0000000000000000000000000002")

	ctx, cancel := context.WithTimeout(browser.New(t), 3*time.Minute)
	defer cancel()
	sam := appTab(t, ctx, e.r.URL, "sam")
	row := `document.getElementById('row-` + conv + `')`
	tabEval[bool](t, sam, `(location.hash = '#/all', true)`)
	appWait(t, sam, "the conversation's row", row+` !== null`)
	tabEval[bool](t, sam, `(`+row+`.click(), true)`)
	appWait(t, sam, "the thread", `document.getElementById('composer') !== null && document.querySelector('#messages li.in') !== null`)
	tabEval[bool](t, sam, `(window.keptComposer = document.getElementById('composer'), window.keptComposer.value = 'Half a reply', true)`)
	kept := `document.getElementById('composer') === window.keptComposer && window.keptComposer.value === 'Half a reply'`
	before := tabEval[float64](t, sam, `+(document.body.dataset.threadReloads || 0)`)
	// Kim reads it too: another live event for Sam, nothing new to show.
	c.api(http.MethodPut, "/v1/conversations/"+conv+"/read", e.token(demo.AccountID, "kim", "agent"), map[string]any{"read": true})
	appWait(t, sam, "the re-read after Kim's read marker", `+document.body.dataset.threadReloads > `+strconv.FormatFloat(before, 'f', 0, 64))
	if !tabEval[bool](t, sam, kept) {
		t.Fatal("Kim's read marker redrew Sam's composer")
	}
}
