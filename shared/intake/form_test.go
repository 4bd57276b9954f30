package intake_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels/form"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/intake"
	"github.com/openinbox/inbox/shared/stdwebhook"
)

const formFields = `{"fields":[
	{"name":"name","type":"text","label":"Your name","required":true},
	{"name":"email","type":"email","label":"Email","required":true},
	{"name":"age","type":"number","label":"Age"},
	{"name":"topic","type":"select","label":"Topic","options":["Order","Billing"]},
	{"name":"message","type":"textarea","label":"Message","required":true}],
	"emailField":"email","consentText":"You may store my answers.","redirectUrl":"https://acme.example/thanks","submitSecret":true}`

func newFormChannel(t testing.TB, f *fixture, id, settings string) inbox.Channel {
	t.Helper()
	ch := inbox.Channel{AccountID: acct, ID: id, InboxID: "ib1", Type: inbox.ChannelForm, Name: "Contact us",
		Secrets: map[string]string{}, CreatedAt: now}
	env := channel.Env{Creating: true, Now: now, NewID: func() string { return "0123456789abcdef0123456789abcdef" }}
	must(t, form.Kind.Settings(&ch, json.RawMessage(settings), env))
	must(t, f.store.CreateChannel(f.ctx, ch))
	return ch
}

func formPost(h http.Handler, chID, contentType, body, ip string, header http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/form/"+chID, strings.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	r.RemoteAddr = ip + ":5555"
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

const urlencoded = "application/x-www-form-urlencoded"

func answers(extra ...string) string {
	v := url.Values{"name": {"Zoe Park"}, "email": {"Zoe@Customer.example"}, "message": {"Where is my order?"}, "_consent": {"yes"}, "_hp": {""}}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "-" {
			v.Del(extra[i])
		} else {
			v.Set(extra[i], extra[i+1])
		}
	}
	return v.Encode()
}

// TestFormSubmissions checks an HTML form's post (303 to the redirect), a JSON post (202), the
// envelope (contact by email, a conversation of its own, labels and values, consent), that the
// same answers give the same message id, and the signed server-to-server path.
func TestFormSubmissions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ch := newFormChannel(t, f, "form1", formFields)
	h := intake.NewForm(f.cfg)

	w := formPost(h, ch.ID, urlencoded, answers("age", "41", "topic", "Order"), "198.51.100.1", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "https://acme.example/thanks" {
		t.Fatalf("HTML form post: %d %v %s", w.Code, w.Header(), w.Body)
	}
	w = formPost(h, ch.ID, "application/json", `{"name":"Zoe Park","email":"zoe@customer.example","message":"Where is my order?","_consent":true,"age":41,"topic":"Order"}`, "198.51.100.2", nil)
	if w.Code != http.StatusAccepted || !strings.Contains(w.Body.String(), `"redirectUrl":"https://acme.example/thanks"`) {
		t.Fatalf("JSON post: %d %s", w.Code, w.Body)
	}
	q := f.queued(t)
	if len(q) != 1 {
		// The same answers: SQS's deduplication took the second (the router would too).
		t.Fatalf("%d queued, want 1 (the same submission twice)", len(q))
	}
	var env inbox.Envelope
	must(t, json.Unmarshal([]byte(*q[0].Body), &env))
	if env.From.Email != "zoe@customer.example" || env.From.Name != "Zoe Park" || env.Thread == "" || env.Thread != env.ProviderMessageID ||
		env.Subject != "Contact us" || env.Text != "Your name: Zoe Park\nEmail: zoe@customer.example\nAge: 41\nTopic: Order\nMessage: Where is my order?\nConsent: You may store my answers. (2025-03-14T09:26:53Z)" {
		t.Fatalf("envelope %+v", env)
	}
	var p struct {
		Answers map[string]string
		Consent intake.FormConsent
	}
	must(t, json.Unmarshal([]byte(env.Payload), &p))
	if p.Answers["age"] != "41" || p.Consent.Text != "You may store my answers." || !p.Consent.At.Equal(now) || !strings.HasPrefix(p.Consent.Source, "browser") {
		t.Errorf("payload %s", env.Payload)
	}
	// Different answers: another submission.
	w = formPost(h, ch.ID, urlencoded, answers("message", "Another question"), "198.51.100.3", nil)
	if w.Code != http.StatusSeeOther || len(f.queued(t)) != 1 {
		t.Fatalf("second submission: %d", w.Code)
	}
	// Signed by a server: the browser checks are skipped, the consent says so.
	body := `{"name":"Ann","email":"ann@customer.example","message":"From our CRM","_consent":"yes"}`
	hdr := http.Header{}
	must(t, stdwebhook.Headers(hdr, []string{ch.Secrets[form.SecretSubmit]}, "msg_1", now, []byte(body)))
	if w := formPost(h, ch.ID, "application/json", body, "198.51.100.4", hdr); w.Code != http.StatusAccepted {
		t.Fatalf("signed: %d %s", w.Code, w.Body)
	}
	must(t, json.Unmarshal([]byte(*f.queued(t)[0].Body), &env))
	if !strings.Contains(env.Payload, `"source":"api"`) {
		t.Errorf("signed payload %s", env.Payload)
	}
	hdr.Set(stdwebhook.HeaderSignature, "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=")
	if w := formPost(h, ch.ID, "application/json", body, "198.51.100.4", hdr); w.Code != http.StatusUnauthorized {
		t.Fatalf("badly signed: %d %s", w.Code, w.Body)
	}
}

// TestFormRefuses checks the per-field 400s, the other refusals, the honeypot (a success that
// stores nothing) and the per-address throttle; nothing is queued.
func TestFormRefuses(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ch := newFormChannel(t, f, "form1", formFields)
	h := intake.NewForm(f.cfg)
	for _, tc := range []struct {
		name, chID, ct, body string
		status               int
		message              string
	}{
		{"missing required", ch.ID, urlencoded, answers("name", "-", "message", ""), 400, "message: is required; name: is required"},
		{"wrong types", ch.ID, urlencoded, answers("email", "zoe", "age", "forty", "topic", "Cars"), 400, "age: must be a number; email: must be an email address; topic: must be one of the options"},
		{"unknown field", ch.ID, urlencoded, answers("colour", "red"), 400, "colour: is not a field of this form"},
		{"no consent", ch.ID, urlencoded, answers("_consent", "-"), 400, "_consent: consent is required"},
		{"json array answer", ch.ID, "application/json", `{"name":["a"]}`, 400, "name: must be a string"},
		{"not json", ch.ID, "application/json", `{"name":`, 400, "not a JSON object"},
		{"other content type", ch.ID, "text/plain", "hi", 400, "must be application/x-www-form-urlencoded or application/json"},
		{"unknown form", "nope", urlencoded, answers(), 404, ""},
		{"too large", ch.ID, urlencoded, answers("message", strings.Repeat("a", intake.MaxFormBody)), 413, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := formPost(h, tc.chID, tc.ct, tc.body, "203.0.113.9", nil)
			var e struct {
				Error struct{ Code, Message string }
			}
			if w.Code != tc.status || json.Unmarshal(w.Body.Bytes(), &e) != nil || !strings.Contains(e.Error.Message, tc.message) {
				t.Fatalf("%d %s, want %d with %q", w.Code, w.Body, tc.status, tc.message)
			}
		})
	}
	if w := formPost(h, ch.ID, urlencoded, answers("_hp", "http://spam.example"), "203.0.113.10", nil); w.Code != http.StatusSeeOther {
		t.Fatalf("honeypot: %d", w.Code)
	}
	if q := f.queued(t); len(q) != 0 {
		t.Fatalf("%d queued", len(q))
	}
	for i := 0; i < intake.FormsPerIP; i++ {
		if w := formPost(h, ch.ID, urlencoded, answers("message", "spam "+string(rune('a'+i))), "203.0.113.11", nil); w.Code != http.StatusSeeOther {
			t.Fatalf("submission %d: %d", i, w.Code)
		}
	}
	w := formPost(h, ch.ID, urlencoded, answers("message", "one too many"), "203.0.113.11", nil)
	if w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "too_many_requests") {
		t.Fatalf("over the limit: %d %s", w.Code, w.Body)
	}
	if w := formPost(h, ch.ID, urlencoded, answers("message", "another address"), "203.0.113.12", nil); w.Code != http.StatusSeeOther {
		t.Fatalf("another address: %d", w.Code)
	}
}

func TestFormPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ch := newFormChannel(t, f, "form1", formFields)
	r := httptest.NewRequest(http.MethodGet, "/webhooks/form/"+ch.ID, nil)
	w := httptest.NewRecorder()
	intake.NewForm(f.cfg).ServeHTTP(w, r)
	body := w.Body.String()
	for _, want := range []string{`<form method="post" action="/webhooks/form/form1">`, `name="email" required`, `<textarea id="f-message" name="message"`, `name="_hp"`, `name="_consent"`, "<option>Billing</option>", "<script"} {
		if strings.Contains(body, want) == (want == "<script") {
			t.Errorf("page: %q missing (or a script present)", want)
		}
	}
}

// TestFormPageInTheFormsLanguage checks that the hosted page's own words (the privacy link, the
// note on files, the hidden field's label) and the thank-you page are the product's texts in
// the form's language, the thank-you page in the submission's language when it gives one.
func TestFormPageInTheFormsLanguage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ch := newFormChannel(t, f, "form-da", `{"fields":[
	{"name":"email","type":"email","label":"E-mail","required":true},
	{"name":"file","type":"file","label":"Bilag"},
	{"name":"message","type":"textarea","label":"Besked","required":true}],
	"emailField":"email","consentText":"I må gemme mine svar.","privacyUrl":"https://acme.example/privatliv",
	"thankYouText":"Tak for din besked.","language":"da"}`)
	h := intake.NewForm(f.cfg)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/webhooks/form/"+ch.ID, nil))
	body := w.Body.String()
	for _, want := range []string{`<html lang="da">`, `>privatlivspolitik</a>`, "Filer sendes gennem", "Lad dette felt være tomt", `<button type="submit">Send</button>`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}
	for _, tc := range []struct{ given, lang, title string }{{"", "da", "Tak"}, {"en-GB", "en", "Thank you"}} {
		w := formPost(h, ch.ID, urlencoded, answers("_language", tc.given, "name", "-"), "203.0.113.40", nil)
		if w.Code != http.StatusOK {
			t.Fatalf("%q: %d %s", tc.given, w.Code, w.Body)
		}
		for _, want := range []string{`<html lang="` + tc.lang + `">`, "<title>" + tc.title + "</title>", "Tak for din besked."} {
			if !strings.Contains(w.Body.String(), want) {
				t.Errorf("%q: thank-you page lacks %q:\n%s", tc.given, want, w.Body)
			}
		}
	}
}
