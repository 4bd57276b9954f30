package localrun_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/mailparse"
)

// TestFormAcknowledgementInTheSubmittersLanguage (issue #17): a form in Danish (its page says
// so and sends its language) acknowledges a submission from a Danish page with the team's
// Danish subject and the product's own Danish text, and one from an English page in English;
// the submitter's contact gets the page's language; unknown languages are refused and change
// nothing.
func TestFormAcknowledgementInTheSubmittersLanguage(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	c, idle := e.c, e.idle
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	dc := demoChannel(t, demo, inbox.ChannelForm)
	tok := demo.Token
	path := "/v1/channels/" + dc.ID
	for _, bad := range []string{`{"language":"xx"}`, `{"acknowledgement":{"translations":{"xx":{"subject":"?"}}}}`, `{"acknowledgement":{"subject":"only a subject"}}`} {
		res := c.api(http.MethodPatch, path, tok, map[string]any{"form": json.RawMessage(bad)})
		want(t, res, http.StatusBadRequest)
	}
	if page := c.do(http.MethodGet, dc.WebhookURL, "", "", nil, nil); !bytes.Contains(page.body, []byte(`<html lang="en">`)) {
		t.Fatalf("a refused edit changed the form: %s", page.body)
	}
	want(t, c.api(http.MethodPatch, path, tok, map[string]any{"form": json.RawMessage(
		`{"language":"da","acknowledgement":{"translations":{"da":{"subject":"Tak for din besked til Demo"}}}}`)}), http.StatusOK)
	page := c.do(http.MethodGet, dc.WebhookURL, "", "", nil, nil)
	if !bytes.Contains(page.body, []byte(`<html lang="da">`)) || !bytes.Contains(page.body, []byte(`name="_language" value="da"`)) {
		t.Fatalf("form page: %s", page.body)
	}

	nojs := http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	submit := func(lang string) (string, *mailparse.Message) {
		t.Helper()
		customer := fmt.Sprintf("kunde-%s-%d@customer.example", lang, time.Now().UnixNano())
		res, err := nojs.PostForm(dc.WebhookURL, url.Values{"name": {"Karen"}, "email": {customer}, "topic": {"Order"},
			"message": {"Hvor er min ordre?"}, "_consent": {"yes"}, "_language": {lang}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("post: %d", res.StatusCode)
		}
		idle()
		acks := testenv.SentMailTo(t, customer)
		if len(acks) != 1 {
			t.Fatalf("SES got %d acknowledgements for %s", len(acks), customer)
		}
		m, err := mailparse.Parse(bytes.NewReader(acks[0].RawData))
		if err != nil {
			t.Fatal(err)
		}
		return customer, m
	}
	customer, ack := submit("da-DK")
	if ack.Subject != "Tak for din besked til Demo" || !strings.HasPrefix(ack.Text, "Tak fordi du skrev til os.") {
		t.Fatalf("Danish acknowledgement: %q %q", ack.Subject, ack.Text)
	}
	var contactID string
	for _, cv := range c.conversations("/v1/conversations", tok).Items {
		if cv.Channel.Type == "form" {
			if ct := get[inbox.Contact](c, "/v1/contacts/"+cv.Contact.ID, tok); strings.EqualFold(ct.Email, customer) {
				contactID = ct.ID
				if ct.Language != "da" {
					t.Fatalf("contact %+v, want language da", ct)
				}
			}
		}
	}
	if contactID == "" {
		t.Fatalf("no contact of the Danish submission in %+v", c.conversations("/v1/conversations", tok).Items)
	}
	if _, ack = submit("en-GB"); ack.Subject != "We received your message" || !strings.HasPrefix(ack.Text, "Thank you for writing to us.") {
		t.Fatalf("English acknowledgement: %q %q", ack.Subject, ack.Text)
	}
}
