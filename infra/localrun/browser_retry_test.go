package localrun_test

import (
	"strconv"
	"testing"
)

// Retry on a failed MMS reply in chromium resends the reply with its own file (not the text
// alone, nor the composer's files): the thread shows the same reply move on to sent, and the
// runner's outbox has the MMS once more with the file's bytes behind its media URL.
func TestAgentAppRetriesAFailedReplyWithItsFile(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	_, conv, id, before := failedMMS(t, e, "+15550005555", "SMretry00000000000000000000000000002")
	p := openApp(t, e)
	p.signIn("ada")
	p.openConversation(conv)
	li := `document.querySelector('#messages li.out[data-id=` + strconv.Quote(id) + `]')`
	p.wait("the failed reply with Retry", li+` !== null && `+li+`.dataset.status === 'failed' && `+li+`.querySelector('button.retry') !== null`)
	pageEval[bool](p, `(`+li+`.querySelector('button.retry').click(), true)`)
	p.wait("the same reply, sent", `[...document.querySelectorAll('#messages li.out')].length === 1 && `+li+` !== null && `+li+`.dataset.status === 'sent' && `+li+`.querySelector('button.retry') === null`)
	e.idle()
	resentMMS(t, e, before)
	p.noScriptErrors()
}
