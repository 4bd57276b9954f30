package localrun_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/openinbox/inbox/infra/localrun"
)

// Saved replies and search in chromium against make run: the admin creates a saved reply in
// Settings; in a conversation, "/" typed at the start of the composer opens the list filtered
// by what follows, the arrow keys move through it, Escape closes it, Enter inserts the text with
// the contact's first name filled in, and it is sent. Typing a name in the
// search box finds a closed conversation of another channel that the open list does not hold
// (the server's search), and Enter there opens it.
func TestSavedRepliesAndSearchInTheBrowser(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	c := e.c
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	want(t, c.api(http.MethodPost, "/v1/saved-replies", demo.Token, map[string]string{"name": "Thursday", "shortcut": "thursday", "text": "We answer on Thursday."}), http.StatusCreated)
	// Two conversations started on the custom channel with named contacts; one closed.
	custom := demoChannel(t, demo, "custom")
	start := func(id, name string) string {
		t.Helper()
		res := c.api(http.MethodPost, "/v1/conversations", demo.Token, map[string]any{"channelId": custom.ID,
			"to": map[string]string{"id": id, "name": name}, "text": "Your parcel is on its way."})
		want(t, res, http.StatusCreated)
		var started struct {
			Conversation struct{ ID string } `json:"conversation"`
		}
		res.json(t, &started)
		return started.Conversation.ID
	}
	closed := start("soren-1", "Sørensen, Ann")
	want(t, c.api(http.MethodPatch, "/v1/conversations/"+closed, demo.Token, map[string]string{"status": "closed"}), http.StatusOK)
	conv := start("anne-2", "Anne Holm")
	e.idle()

	p := openApp(t, e)
	p.signIn("ada")
	// Settings: create the /thanks reply.
	pageEval[bool](p, `(location.hash = '#/settings', true)`)
	p.wait("the saved replies section", `document.getElementById('sr-new-form') !== null`)
	pageEval[bool](p, `(document.getElementById('sr-new').open = true, true)`)
	p.do("fill in the new reply",
		chromedp.SendKeys("#sr-new-name", "Thanks"),
		chromedp.SendKeys("#sr-new-shortcut", "thanks"),
		chromedp.SendKeys("#sr-new-text", "Thanks {contact.firstName}, we are on it."),
		chromedp.Click("#sr-new-save"))
	p.wait("the new reply listed", `[...document.querySelectorAll('#settings-savedreplies summary')].some(s => s.textContent.includes('/thanks'))`)
	// The same shortcut again is refused under the shortcut field.
	pageEval[bool](p, `(document.getElementById('sr-new').open = true, true)`)
	p.do("a taken shortcut",
		chromedp.SendKeys("#sr-new-name", "Again"),
		chromedp.SendKeys("#sr-new-shortcut", "thanks"),
		chromedp.SendKeys("#sr-new-text", "x"),
		chromedp.Click("#sr-new-save"))
	p.wait("the refusal under the shortcut", `document.getElementById('sr-new-shortcut').getAttribute('aria-invalid') === 'true'`)

	// The conversation the team started: no message from the contact yet.
	pageEval[bool](p, `(location.hash = '#/all', true)`)
	row := `document.getElementById('row-` + conv + `')`
	p.wait("the conversation's row", row+` !== null`)
	pageEval[bool](p, `(`+row+`.click(), true)`)
	p.wait("the conversation's composer", row+`.getAttribute('aria-selected') === 'true' && document.getElementById('composer') !== null`)
	// "/" opens the list; Escape closes it and leaves the text.
	p.do("type a slash", chromedp.SendKeys("#composer", "/"))
	p.wait("the saved replies list", `!document.getElementById('saved-replies').hidden && document.querySelectorAll('#saved-replies [role=option][data-shortcut]').length === 2`)
	p.do("Escape", chromedp.KeyEvent(kb.Escape))
	p.wait("the list closed", `document.getElementById('saved-replies').hidden && document.activeElement.id === 'composer'`)
	// "/th" matches both; the arrow keys move the active option; Enter inserts.
	p.do("type th", chromedp.KeyEvent("th"))
	active := `document.getElementById(document.getElementById('composer').getAttribute('aria-activedescendant')).dataset.shortcut`
	p.wait("both replies, the first active", `document.querySelectorAll('#saved-replies [role=option][data-shortcut]').length === 2 && `+active+` === 'thanks'`)
	p.noAxeViolations("the saved replies list")
	p.do("down", chromedp.KeyEvent(kb.ArrowDown))
	p.wait("the second active", active+` === 'thursday'`)
	p.do("up", chromedp.KeyEvent(kb.ArrowUp))
	p.wait("the first active again", active+` === 'thanks'`)
	p.do("Enter", chromedp.KeyEvent(kb.Enter))
	const reply = "Thanks Anne, we are on it."
	p.wait("the list closed", `document.getElementById('saved-replies').hidden`)
	if got := pageEval[string](p, `document.getElementById('composer').value`); got != reply {
		t.Fatalf("the composer holds %q, want %q", got, reply)
	}
	p.do("send", chromedp.Click("#send"))
	p.wait("the reply in the thread", fmt.Sprintf(`[...document.querySelectorAll('#messages li.out')].some(m => m.textContent.includes(%q))`, reply))
	found := false
	for _, m := range c.messages("/v1/conversations/"+conv+"/messages", demo.Token).Items {
		found = found || (m.Direction == "out" && m.Text == reply)
	}
	if !found {
		t.Fatalf("the saved reply was not sent: %+v", c.messages("/v1/conversations/"+conv+"/messages", demo.Token).Items)
	}

	// Search: the closed conversation is not in the open list; the server finds it by a word of
	// the name typed without its accent.
	pageEval[bool](p, `(location.hash = '#/all', true)`)
	p.wait("the open list", `document.getElementById('row-`+conv+`') !== null`)
	p.do("the search shortcut", chromedp.KeyEvent("\x1b"), chromedp.KeyEvent("/"))
	p.wait("the search box focused", `document.activeElement.id === 'search'`)
	p.do("type a name", chromedp.KeyEvent("sorensen"))
	p.wait("the closed conversation found", `document.getElementById('row-`+closed+`') !== null && document.getElementById('row-`+conv+`') === null && document.getElementById('search-status').textContent !== ''`)
	p.do("open it", chromedp.KeyEvent(kb.Enter))
	p.wait("its thread", `document.getElementById('row-`+closed+`').getAttribute('aria-selected') === 'true'`)
	p.noScriptErrors()
}
