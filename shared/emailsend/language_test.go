package emailsend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// TestReplyInTheContactsLanguage: a reply to a Danish contact carries the channel's Danish
// signature and the Danish quote line with the date written the Danish way; a contact without
// a language gets the channel's own language (here Danish too), and one in a language the
// channel has no signature for gets the channel's signature with that language's quote line.
// The subject is "Re: " in every language and never stacked on a client's "SV:".
func TestReplyInTheContactsLanguage(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 4, 16, 30, 0, 0, time.UTC) // a Friday
	for _, tc := range []struct {
		name, contactLang, channelLang, subject string
		wantSig, wantQuote, wantSubject         string
	}{
		{"danish contact", "da", "", "Levering", "Venlig hilsen Ada King Lovelace, Acme kundeservice",
			"Den fre. 4. dec. 2026 kl. 16.30 skrev Zoë Client <", "Re: Levering"},
		{"no language: the channel's", "", "da", "SV: Levering", "Venlig hilsen Ada King Lovelace, Acme kundeservice",
			"Den fre. 4. dec. 2026 kl. 16.30 skrev Zoë Client <", "SV: Levering"},
		{"english contact of a danish channel", "en", "da", "Re: Re: Delivery", "Ada King Lovelace (Ada/King Lovelace), Acme support",
			"On Fri, 4 Dec 2026 at 16:30, Zoë Client <", "Re: Delivery"},
		{"no language anywhere", "", "", "Delivery", "Ada King Lovelace (Ada/King Lovelace), Acme support",
			"On Fri, 4 Dec 2026 at 16:30, Zoë Client <", "Re: Delivery"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, in("20261204T163000.000000Z-in000001", "first@customer.example", at, "Hvor er min pakke?"))
			f.ch.Email.Language = tc.channelLang
			f.ch.Email.Translations = map[string]inbox.EmailTexts{
				"da": {SignatureHTML: `<p>Venlig hilsen {{agent.fullName}}, Acme kundeservice</p>`},
			}
			f.contact.Language = tc.contactLang
			f.conv.Subject = tc.subject
			m := reply("20261204T170000.000000Z-reply001")
			if _, err := f.sender.Send(context.Background(), f.ch, f.conv, f.contact, m); err != nil {
				t.Fatal(err)
			}
			e := f.sent(t)
			if e.Subject != tc.wantSubject {
				t.Errorf("Subject = %q, want %q", e.Subject, tc.wantSubject)
			}
			for part, body := range map[string]string{"text": e.Body.Text, "html": e.Body.HTML} {
				if !strings.Contains(body, tc.wantSig) {
					t.Errorf("%s lacks the signature %q: %q", part, tc.wantSig, body)
				}
				quote := tc.wantQuote
				if part == "html" {
					quote = strings.ReplaceAll(quote, "<", "&lt;")
				}
				if !strings.Contains(body, quote) {
					t.Errorf("%s lacks the quote line %q: %q", part, quote, body)
				}
			}
		})
	}
}
