package localrun_test

import (
	"strconv"
	"testing"
)

// Answers that come back after the agent moved on draw nothing: on a slow network, or under a
// loaded test run, the last answer to arrive drew, whichever was asked last.

// An answer for a view the agent has left does not replace the list of the view shown: the
// app asks for "mine", the agent opens "unassigned" before that answer comes, and the late
// answer (held back in the page until the unassigned list is drawn, then given) leaves the
// unassigned conversation listed. Before, the last answer to arrive drew the list, so that on a
// slow network the view showed another view's conversations (here: none) until the next event.
func TestLateListAnswerOfAnotherView(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	_, conv := e.demoSMS(t, "+15550003434", "Which list am I in?", "SMlistrace000000000000000000000001")
	p := openApp(t, e)
	p.signIn("ada")
	pageEval[bool](p, `(location.hash = '#/unassigned', true)`)
	p.wait("the conversation in the unassigned list", `document.getElementById('row-`+conv+`') !== null`)

	// Hold back the next answer for "mine".
	holdNext(p, "assignee=me", `{"items":[]}`, `document.getElementById('row-`+conv+`') !== null`)
	pageEval[bool](p, `(location.hash = '#/mine', true)`)
	p.wait("the held answer for mine", `typeof window.__held === 'function'`)
	// The rows still shown are the unassigned list's from before: cleared, a row is the new load's.
	pageEval[bool](p, `(document.getElementById('conversations').replaceChildren(), location.hash = '#/unassigned', true)`)
	p.wait("the conversation in the unassigned list again", `document.getElementById('row-`+conv+`') !== null`)
	pageEval[bool](p, `(window.__held(), true)`)
	p.wait("the late answer given", `window.__given === true`)
	if !pageEval[bool](p, `window.__check`) {
		t.Fatalf("after the late answer for mine the unassigned view lists %q", pageEval[string](p, `document.getElementById('conversations').innerText`))
	}
	p.noScriptErrors()
}

// holdNext installs, in the page, a fetch that holds back the next request whose URL contains
// part, until window.__held() gives it the answer body; a task queued then sets window.__given
// after every continuation of the answer ran (its microtasks come first) and window.__check to
// the value of check at that moment.
func holdNext(p *appPage, part, body, check string) {
	p.t.Helper()
	pageEval[bool](p, `(() => {
		const real = window.fetch;
		window.__held = undefined; window.__given = false;
		window.fetch = (url, opts) => {
			if (window.__held || !String(url).includes(`+strconv.Quote(part)+`)) return real(url, opts);
			return new Promise(resolve => {
				window.__held = () => {
					resolve({ status: 200, ok: true, statusText: 'OK', text: async () => `+strconv.Quote(body)+` });
					setTimeout(() => { window.__check = (`+check+`); window.__given = true; }, 0);
				};
			});
		};
		return true;
	})()`)
}

// A conversation's answer that comes after the agent opened another (a click, or j / k through
// the list) does not draw its thread over the one picked: the composer would then answer
// another customer than the one highlighted in the list.
func TestLateThreadAnswerOfAnotherConversation(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	_, first := e.demoSMS(t, "+15550003535", "I asked first.", "SMthreadrace0000000000000000000001")
	_, second := e.demoSMS(t, "+15550003636", "I asked second.", "SMthreadrace0000000000000000000002")
	p := openApp(t, e)
	p.signIn("ada")
	pageEval[bool](p, `(location.hash = '#/unassigned', true)`)
	p.wait("both conversations", `document.getElementById('row-`+first+`') !== null && document.getElementById('row-`+second+`') !== null`)

	holdNext(p, "/v1/conversations/"+first+"/messages", `{"items":[{"id":"m1","direction":"in","text":"I asked first.","createdAt":"2026-01-01T00:00:00Z"}]}`,
		`document.getElementById('thread-title').textContent`)
	pageEval[bool](p, `(document.getElementById('row-`+first+`').click(), true)`)
	p.wait("the held answer for the first", `typeof window.__held === 'function'`)
	pageEval[bool](p, `(document.getElementById('row-`+second+`').click(), true)`)
	p.wait("the second's thread", `(document.getElementById('thread-title') || {}).textContent === '+15550003636'`)
	pageEval[bool](p, `(window.__held(), true)`)
	p.wait("the late answer given", `window.__given === true`)
	if got := pageEval[string](p, `window.__check`); got != "+15550003636" {
		t.Fatalf("after the first conversation's late answer the thread is %q's, want the second's", got)
	}
	p.noScriptErrors()
}
