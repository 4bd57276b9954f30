package localrun_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/chatapi"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/mailparse"
)

// TestContactLanguageEndToEnd (issue #17) through the runner: an email channel's own language
// and Danish signature (unknown languages refused, nothing stored; the signature sanitized); a
// customer without a language gets the reply in the channel's language (Danish signature, quote
// line and date); the contacts API sets the contact's language (an unknown tag is 400 and
// changes nothing; null removes it; another account's contact is 404) and the next reply
// follows it; a chat visitor's widget language becomes their contact's.
func TestContactLanguageEndToEnd(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	c, idle := e.c, e.idle
	stamp := fmt.Sprint(time.Now().UnixNano())
	acct := "lang-" + stamp
	admin := e.token(acct, "ada", "admin", "Ada Lovelace")
	var ib inbox.Inbox
	c.api(http.MethodPost, "/v1/inboxes", admin, map[string]string{"name": "Support"}).json(t, &ib)
	team := "support-" + stamp + "@acme.example"
	channels := func() int { return len(listOf[struct{ ID string }](c, "/v1/channels", admin)) }
	before := channels()
	for _, bad := range []map[string]any{
		{"address": team, "language": "xx"},
		{"address": team, "translations": map[string]any{"fr": map[string]string{"signatureHtml": "<p>Salut</p>"}}},
	} {
		want(t, c.api(http.MethodPost, "/v1/channels", admin, map[string]any{"type": "email", "inboxId": ib.ID, "email": bad}), http.StatusBadRequest)
	}
	if n := channels(); n != before {
		t.Fatalf("refused channels stored: %d channels, had %d", n, before)
	}
	res := c.api(http.MethodPost, "/v1/channels", admin, map[string]any{"type": "email", "inboxId": ib.ID, "email": map[string]any{
		"address": team, "companyName": "Acme", "signatureHtml": "<p>Kind regards, {{agent.fullName}}</p>", "language": "da",
		"translations": map[string]any{"da": map[string]string{"signatureHtml": `<p>Venlig hilsen {{agent.fullName}}<script>steal()</script></p>`}}}})
	want(t, res, http.StatusCreated)
	var ch struct {
		ID    string            `json:"id"`
		Email inbox.EmailConfig `json:"email"`
	}
	res.json(t, &ch)
	if ch.Email.Language != "da" || !strings.Contains(ch.Email.Translations["da"].SignatureHTML, "Venlig hilsen") || strings.Contains(string(res.body), "script") {
		t.Fatalf("email channel = %+v", ch.Email)
	}
	// An edit with an unknown language changes nothing.
	want(t, c.api(http.MethodPatch, "/v1/channels/"+ch.ID, admin, map[string]any{"email": map[string]any{
		"signatureHtml": "<p>changed</p>", "translations": map[string]any{"xx": map[string]string{"signatureHtml": "x"}}}}), http.StatusBadRequest)

	customer := "kunde-" + stamp + "@customer.example"
	want(t, c.do(http.MethodPost, "/_local/email", "", "message/rfc822", []byte(fmt.Sprintf(
		"From: Karen <%s>\r\nTo: %s\r\nSubject: Levering\r\nDate: Fri, 04 Dec 2026 16:30:00 +0000\r\nMessage-ID: <first-%s@customer.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHvor er min pakke?\r\n",
		customer, team, stamp)), nil), http.StatusOK)
	idle()
	convs := c.conversations("/v1/conversations?inboxId="+ib.ID, admin)
	if len(convs.Items) != 1 {
		t.Fatalf("conversations = %+v", convs.Items)
	}
	conv, contactID := convs.Items[0].ID, convs.Items[0].Contact.ID
	replies := 0
	reply := func(wantSig, wantQuote string) {
		t.Helper()
		want(t, c.api(http.MethodPost, "/v1/conversations/"+conv+"/messages", admin, map[string]string{"text": "Den er sendt."}), http.StatusAccepted)
		idle()
		replies++
		sent := testenv.SentMailTo(t, customer)
		if len(sent) != replies {
			t.Fatalf("SES got %d mails to the customer, want %d", len(sent), replies)
		}
		m, err := mailparse.Parse(bytes.NewReader(sent[replies-1].RawData))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Text, wantSig) || !strings.Contains(m.Text, wantQuote) || m.Subject != "Re: Levering" {
			t.Fatalf("reply %d: subject %q, text %q; want %q and %q", replies, m.Subject, m.Text, wantSig, wantQuote)
		}
	}
	// No language known for the contact: the channel's (Danish).
	reply("Venlig hilsen Ada Lovelace", "Den fre. 4. dec. 2026 kl. 16.30 skrev Karen <"+customer+">:")

	contact := func() inbox.Contact { return get[inbox.Contact](c, "/v1/contacts/"+contactID, admin) }
	if l := contact().Language; l != "" {
		t.Fatalf("contact language %q before anyone set it", l)
	}
	want(t, c.api(http.MethodPatch, "/v1/contacts/"+contactID, admin, map[string]any{"language": "en"}), http.StatusOK)
	res = c.api(http.MethodPatch, "/v1/contacts/"+contactID, admin, map[string]any{"language": "klingon"})
	want(t, res, http.StatusBadRequest)
	if got := contact(); got.Language != "en" {
		t.Fatalf("a refused PATCH changed the contact: %+v", got)
	}
	other := e.token("lang-other-"+stamp, "eve", "admin")
	want(t, c.api(http.MethodPatch, "/v1/contacts/"+contactID, other, map[string]any{"language": "da"}), http.StatusNotFound)
	// English now: the channel's own signature and the English quote line.
	reply("Kind regards, Ada Lovelace", "On Fri, 4 Dec 2026 at 16:30, Karen <"+customer+"> wrote:")
	// Absent leaves it; null removes it.
	want(t, c.api(http.MethodPatch, "/v1/contacts/"+contactID, admin, map[string]any{}), http.StatusOK)
	if got := contact(); got.Language != "en" {
		t.Fatalf("an empty PATCH changed the language: %+v", got)
	}
	want(t, c.api(http.MethodPatch, "/v1/contacts/"+contactID, admin, map[string]any{"language": nil}), http.StatusOK)
	if got := contact(); got.Language != "" {
		t.Fatalf("language null left %q", got.Language)
	}

	// A chat visitor writing from the Danish widget is a Danish contact; an unknown language is
	// refused before anything is queued.
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	api := "/chat/" + localrun.DemoChatChannel
	var tok chatapi.TokenView
	res = c.do(http.MethodPost, api+"/visitors", "", "", nil, nil)
	want(t, res, http.StatusCreated)
	res.json(t, &tok)
	want(t, c.do(http.MethodPost, api+"/messages", tok.Token, "application/json", []byte(`{"clientMessageId":"l0","text":"Bonjour","language":"fr"}`), nil), http.StatusBadRequest)
	chatContact := func() (string, inbox.Contact) {
		t.Helper()
		idle()
		for _, cv := range c.conversations("/v1/conversations", demo.Token).Items {
			if cv.Channel.Type == "chat" {
				if msgs := c.messages("/v1/conversations/"+cv.ID+"/messages", demo.Token); len(msgs.Items) > 0 && strings.HasPrefix(msgs.Items[0].Text, "Hej "+stamp) {
					return cv.ID, get[inbox.Contact](c, "/v1/contacts/"+cv.Contact.ID, demo.Token)
				}
			}
		}
		t.Fatal("no chat conversation of the visitor")
		return "", inbox.Contact{}
	}
	send := func(id, lang string) {
		t.Helper()
		body := fmt.Sprintf(`{"clientMessageId":%q,"text":"Hej %s %s","language":%q}`, id, stamp, id, lang)
		want(t, c.do(http.MethodPost, api+"/messages", tok.Token, "application/json", []byte(body), nil), http.StatusAccepted)
	}
	send("l1", "da")
	convID, ct := chatContact()
	if ct.Language != "da" {
		t.Fatalf("chat contact = %+v, want language da", ct)
	}
	send("l2", "da")
	send("l3", "en")
	if again, ct := chatContact(); again != convID || ct.Language != "en" {
		t.Fatalf("after the visitor switched to English: conversation %s (want %s), contact %+v", again, convID, ct)
	}
}
