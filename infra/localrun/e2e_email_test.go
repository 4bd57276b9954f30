package localrun_test

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/mailparse"
)

type emailMessage struct {
	ID        string   `json:"id"`
	Direction string   `json:"direction"`
	Text      string   `json:"text"`
	HTML      string   `json:"html"`
	Subject   string   `json:"subject"`
	Status    string   `json:"status"`
	Flags     []string `json:"flags"`
}

func (c *client) emailMessages(conv, token string) []emailMessage {
	return listOf[emailMessage](c, "/v1/conversations/"+conv+"/messages", token)
}

// Team email through the runner: connect and configure a channel, mail dropped in as SES would
// deliver it becomes a conversation, the agent's reply leaves through SES with the chosen From
// name, signature and threading headers, and the customer's answer to it (from an Outlook-like
// client that drops In-Reply-To) joins the same conversation; a new subject opens a new one.
// Malformed mail is kept readable and flagged, HTML is sanitized, spam never reaches the inbox.
func TestEmailEndToEnd(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	ctx, r, c, idle := e.ctx, e.r, e.c, e.idle
	stamp := fmt.Sprint(time.Now().UnixNano())
	acct := "mail-" + stamp
	admin := e.token(acct, "ada", "admin", "Ada Lovelace")
	var ib inbox.Inbox
	c.api(http.MethodPost, "/v1/inboxes", admin, map[string]string{"name": "Support"}).json(t, &ib)

	// Connect, then configure: from name, company, signature (sanitized on the way in).
	team := "support-" + stamp + "@acme.example"
	res := c.api(http.MethodPost, "/v1/channels", admin, map[string]any{"type": "email", "inboxId": ib.ID, "email": map[string]any{"address": team}})
	want(t, res, http.StatusCreated)
	var ch struct {
		ID    string            `json:"id"`
		Email inbox.EmailConfig `json:"email"`
	}
	res.json(t, &ch)
	if ch.Email.Address != team || ch.Email.FromNameMode != inbox.FromNameAgentAndCompany || !ch.Email.ForwardedToOriginalSender {
		t.Fatalf("email channel = %+v", ch)
	}
	want(t, c.api(http.MethodPost, "/v1/channels", admin, map[string]any{"type": "email", "inboxId": ib.ID, "email": map[string]any{"address": team}}), http.StatusConflict)
	res = c.api(http.MethodPatch, "/v1/channels/"+ch.ID, admin, map[string]any{"email": map[string]any{
		"companyName": "Acme", "signatureHtml": `<p>{{agent.fullName}} · <a href="https://acme.example">Acme</a><img src=x onerror="alert(1)"><script>steal()</script></p>`}})
	want(t, res, http.StatusOK)
	if strings.Contains(string(res.body), "script") || strings.Contains(string(res.body), "onerror") {
		t.Fatalf("signature not sanitized: %s", res.body)
	}
	res = c.api(http.MethodGet, "/v1/channels/"+ch.ID+"/email-preview", admin, nil)
	want(t, res, http.StatusOK)
	var preview struct{ From, SignatureHTML string }
	res.json(t, &preview)
	if !strings.Contains(preview.From, "Ada Lovelace from Acme") || !strings.Contains(preview.SignatureHTML, "Ada Lovelace") || strings.Contains(preview.SignatureHTML, "{{") {
		t.Fatalf("preview = %+v", preview)
	}
	// A forwarding address needs the deployment's inbound domain, which the runner has.
	res = c.api(http.MethodPost, "/v1/channels", admin, map[string]any{"type": "email", "inboxId": ib.ID, "email": map[string]any{"address": "help-" + stamp + "@gmail.example", "forwarding": true}})
	want(t, res, http.StatusCreated)
	if !strings.HasSuffix(string(res.body), "}\n") || !strings.Contains(string(res.body), "@"+localrun.InboundEmailDomain) {
		t.Fatalf("forwarding channel = %s", res.body)
	}

	// Inbound: Danish in an encoded-word subject and a quoted-printable ISO-8859-1 body.
	customer := "soren-" + stamp + "@customer.example"
	drop := func(raw string, query string) {
		t.Helper()
		want(t, c.do(http.MethodPost, "/_local/email"+query, "", "message/rfc822", []byte(raw), nil), http.StatusOK)
	}
	first := "first-" + stamp + "@customer.example"
	drop(fmt.Sprintf("From: =?UTF-8?Q?S=C3=B8ren?= <%s>\r\nTo: Acme <%s>\r\nSubject: =?ISO-8859-1?Q?Sp=F8rgsm=E5l_om_ordre?=\r\nDate: Wed, 25 Nov 2026 10:00:00 +0100\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHvorn=E5r kommer min ordre?\r\n", customer, team, first), "")
	idle()
	convs := c.conversations("/v1/conversations?inboxId="+ib.ID, admin)
	if len(convs.Items) != 1 || convs.Items[0].Channel.Type != "email" || convs.Items[0].Contact.ID == "" {
		t.Fatalf("conversations = %+v", convs)
	}
	conv := convs.Items[0].ID
	msgs := c.emailMessages(conv, admin)
	if len(msgs) != 1 || msgs[0].Subject != "Spørgsmål om ordre" || !strings.Contains(msgs[0].Text, "Hvornår kommer min ordre?") {
		t.Fatalf("inbound = %+v", msgs)
	}

	// Reply: HTML with a script is sanitized; SES gets the From name, signature and threading.
	want(t, c.api(http.MethodPost, "/v1/conversations/"+conv+"/messages", admin, map[string]string{
		"text": "Den er sendt.", "html": `<p>Den er <b>sendt</b>.</p><script>x()</script><img src=y onerror="z()">`}), http.StatusAccepted)
	idle()
	sent := testenv.SentMailTo(t, customer)
	if len(sent) != 1 {
		t.Fatalf("SES got %d mails to the customer", len(sent))
	}
	m, err := mailparse.Parse(bytes.NewReader(sent[0].RawData))
	if err != nil {
		t.Fatal(err)
	}
	if m.From.Name != "Ada Lovelace from Acme" || m.From.Address != team || m.Subject != "Re: Spørgsmål om ordre" ||
		len(m.InReplyTo) != 1 || m.InReplyTo[0] != first || len(m.References) != 1 || m.References[0] != first {
		t.Fatalf("sent mail: from %+v subject %q in-reply-to %v references %v", m.From, m.Subject, m.InReplyTo, m.References)
	}
	if !strings.Contains(m.HTML, "Ada Lovelace") || strings.Contains(m.HTML, "script") || strings.Contains(m.HTML, "onerror") {
		t.Fatalf("sent HTML = %s", m.HTML)
	}
	if rt := sent[0].Header("Reply-To"); !strings.Contains(rt, "+"+conv+"@acme.example") {
		t.Fatalf("Reply-To = %q", rt)
	}
	msgs = c.emailMessages(conv, admin)
	if last := msgs[len(msgs)-1]; last.Status != "sent" || strings.Contains(last.HTML, "script") {
		t.Fatalf("reply = %+v", last)
	}

	// The customer answers from a client that drops In-Reply-To but keeps References.
	drop(fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Re: Spørgsmål om ordre\r\nMessage-ID: <second-%s@customer.example>\r\nReferences: <%s> <%s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTak!\r\n", customer, team, stamp, first, m.MessageID), "")
	// And writes about something else.
	drop(fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Returnering\r\nMessage-ID: <third-%s@customer.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nKan jeg returnere?\r\n", customer, team, stamp), "")
	// Spam and a malformed message.
	drop(fmt.Sprintf("From: win@spam.example\r\nTo: %s\r\nSubject: You won\r\nMessage-ID: <spam-%s@spam.example>\r\n\r\nClaim now\r\n", team, stamp), "?spam=FAIL")
	drop(fmt.Sprintf("From: broken@customer.example\r\nTo: %s\r\nSubject: broken\r\nMessage-ID: <broken-%s@customer.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--zz\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n--zz", team, stamp), "")
	idle()
	msgs = c.emailMessages(conv, admin)
	if len(msgs) != 3 || msgs[2].Text == "" || !strings.Contains(msgs[2].Text, "Tak!") {
		t.Fatalf("the customer's answer did not join its thread: %+v", msgs)
	}
	convs = c.conversations("/v1/conversations?inboxId="+ib.ID, admin)
	if len(convs.Items) != 3 {
		t.Fatalf("want 3 open conversations (thread, new subject, malformed), got %+v", convs.Items)
	}
	spam := c.conversations("/v1/conversations?status=spam&inboxId="+ib.ID, admin)
	if len(spam.Items) != 1 || spam.Items[0].Status != "spam" {
		t.Fatalf("spam = %+v", spam)
	}
	for _, it := range convs.Items {
		if it.Contact.Phone == "" && strings.Contains(it.Preview, "not base64") || it.Preview == "broken" {
			t.Logf("malformed conversation preview %q", it.Preview)
		}
	}
	var malformed []emailMessage
	for _, it := range convs.Items {
		for _, msg := range c.emailMessages(it.ID, admin) {
			for _, f := range msg.Flags {
				if f == inbox.FlagMalformed {
					malformed = append(malformed, msg)
				}
			}
		}
	}
	if len(malformed) != 1 || malformed[0].Text == "" {
		t.Fatalf("malformed mail: %+v", malformed)
	}
	for _, dlq := range []string{"InboundDLQ", "OutboundDLQ", "MediaDLQ"} {
		if n, err := r.DLQDepth(ctx, dlq); err != nil || n != 0 {
			t.Fatalf("%s holds %d messages (%v)", dlq, n, err)
		}
	}
}

// A forged From of a known customer, dropped with SES's failing SPF/DKIM/DMARC verdicts
// (?spf=, ?dkim=, ?dmarc=), quotes the customer's thread and still never joins it: it opens a
// conversation of its own, flagged unverifiedSender, under the unverified contact of that
// address, and its message carries unverified_sender. A domain whose DMARC policy is reject
// (?dmarcPolicy=reject) gets its failing mail held as spam.
func TestEmailUnverifiedSenderEndToEnd(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	c, idle := e.c, e.idle
	stamp := fmt.Sprint(time.Now().UnixNano())
	admin := e.token("forge-"+stamp, "ada", "admin", "Ada Lovelace")
	var ib inbox.Inbox
	c.api(http.MethodPost, "/v1/inboxes", admin, map[string]string{"name": "Support"}).json(t, &ib)
	team := "support-" + stamp + "@acme.example"
	want(t, c.api(http.MethodPost, "/v1/channels", admin, map[string]any{"type": "email", "inboxId": ib.ID, "email": map[string]any{"address": team}}), http.StatusCreated)
	drop := func(raw, query string) {
		t.Helper()
		want(t, c.do(http.MethodPost, "/_local/email"+query, "", "message/rfc822", []byte(raw), nil), http.StatusOK)
	}
	customer := "soren-" + stamp + "@customer.example"
	first := "first-" + stamp + "@customer.example"
	drop(fmt.Sprintf("From: Søren <%s>\r\nTo: %s\r\nSubject: Order 17\r\nMessage-ID: <%s>\r\n\r\nWhere is it?\r\n", customer, team, first), "")
	idle()
	type conv struct {
		ID               string `json:"id"`
		Status           string `json:"status"`
		UnverifiedSender bool   `json:"unverifiedSender"`
		Contact          struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		} `json:"contact"`
	}
	convs := listOf[conv](c, "/v1/conversations?inboxId="+ib.ID, admin)
	if len(convs) != 1 || convs[0].UnverifiedSender {
		t.Fatalf("conversations = %+v", convs)
	}
	verified := convs[0]

	drop(fmt.Sprintf("From: Søren <%s>\r\nTo: %s\r\nSubject: Re: Order 17\r\nMessage-ID: <forged-%s@attacker.example>\r\nIn-Reply-To: <%s>\r\nReferences: <%s>\r\n\r\nPlease send it to my new address instead.\r\n", customer, team, stamp, first, first),
		"?spf=FAIL&dkim=GRAY&dmarc=FAIL")
	idle()
	if msgs := c.emailMessages(verified.ID, admin); len(msgs) != 1 {
		t.Fatalf("the forged mail joined the customer's thread: %+v", msgs)
	}
	convs = listOf[conv](c, "/v1/conversations?inboxId="+ib.ID, admin)
	if len(convs) != 2 {
		t.Fatalf("want the customer's and the unverified conversation, got %+v", convs)
	}
	var forged conv
	for _, cv := range convs {
		if cv.ID != verified.ID {
			forged = cv
		}
	}
	if !forged.UnverifiedSender || forged.Contact.ID == verified.Contact.ID || forged.Contact.Email != customer {
		t.Fatalf("forged conversation = %+v (verified %+v)", forged, verified)
	}
	if msgs := c.emailMessages(forged.ID, admin); len(msgs) != 1 || !slices.Contains(msgs[0].Flags, inbox.FlagUnverifiedSender) {
		t.Fatalf("forged messages = %+v", msgs)
	}
	var contact struct {
		Email      string `json:"email"`
		Unverified bool   `json:"unverified"`
	}
	c.api(http.MethodGet, "/v1/contacts/"+forged.Contact.ID, admin, nil).json(t, &contact)
	if !contact.Unverified || contact.Email != customer {
		t.Fatalf("unverified contact = %+v", contact)
	}

	// p=reject: held as spam.
	drop(fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Invoice\r\nMessage-ID: <rejected-%s@attacker.example>\r\n\r\nPay here.\r\n", customer, team, stamp),
		"?dkim=FAIL&dmarc=FAIL&dmarcPolicy=reject")
	idle()
	spam := listOf[conv](c, "/v1/conversations?status=spam&inboxId="+ib.ID, admin)
	if len(spam) != 1 || !spam[0].UnverifiedSender || spam[0].Contact.ID != forged.Contact.ID {
		t.Fatalf("spam = %+v", spam)
	}
	if msgs := c.emailMessages(spam[0].ID, admin); len(msgs) != 1 || !slices.Contains(msgs[0].Flags, inbox.FlagDMARCQuarantine) {
		t.Fatalf("quarantined messages = %+v", msgs)
	}
}
