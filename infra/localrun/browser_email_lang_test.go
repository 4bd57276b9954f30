package localrun_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/inbox"
)

// TestEmailSignatureLanguagesInTheBrowser (issue #17): an admin gives the team email channel
// its language and a Danish signature in the settings screen; the API stores them, the
// signature sanitized.
func TestEmailSignatureLanguagesInTheBrowser(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	c := e.c
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	ctx := appAs(t, e, "ada")
	appEval(t, ctx, `(location.hash = '#/settings', true)`)
	appWait(t, ctx, "the email channel's settings", `document.getElementById('channel-demo-email-translations') !== null`)
	appEval(t, ctx, `(() => {
		document.getElementById('channel-demo-email').open = true;
		document.getElementById('channel-demo-email-language').value = 'da';
		document.getElementById('channel-demo-email-translations').value = JSON.stringify({da: {signatureHtml: '<p>Venlig hilsen {{agent.fullName}}<script>x()</script></p>'}});
		document.getElementById('channel-demo-email-save').click();
	})()`)
	appWait(t, ctx, "the channel saved", `document.getElementById('channel-notice-demo-email') !== null || (document.getElementById('channel-demo-email-status') || {}).textContent === ''`)
	var ch struct {
		Email inbox.EmailConfig `json:"email"`
	}
	// The save is done once the form shows the stored Danish signature again.
	appWait(t, ctx, "the stored signature shown", `(() => {
		const el = document.getElementById('channel-demo-email-translations');
		return el && el.value.includes('Venlig hilsen') && !el.value.includes('script') && document.getElementById('channel-demo-email-language').value === 'da';
	})()`)
	c.api(http.MethodGet, "/v1/channels/demo-email", demo.Token, nil).json(t, &ch)
	if sig := ch.Email.Translations["da"].SignatureHTML; ch.Email.Language != "da" || !strings.Contains(sig, "Venlig hilsen {{agent.fullName}}") || strings.Contains(sig, "script") {
		t.Fatalf("email settings = %+v", ch.Email)
	}
}
