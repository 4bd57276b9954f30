package localrun_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/stdwebhook"
)

// formChannel is a form channel as the API answers it.
type formChannel struct {
	ID         string            `json:"id"`
	WebhookURL string            `json:"webhookUrl"`
	EmbedCode  string            `json:"embedCode"`
	Settings   map[string]string `json:"settings"`
	Secrets    map[string]string `json:"secrets"`
	Routing    *struct {
		Tickets *inbox.TicketSettings `json:"tickets"`
	} `json:"routing"`
}

// TestFormSettingsEndToEnd connects a form through the API with its own ticket setting (a
// ticket per submission, in a pipeline and stage, for an owner), checks the embeddable snippet
// in the channel's view, refuses bad settings without changing anything, and posts signed
// server-to-server submissions that skip the browser checks (throttle, honeypot).
func TestFormSettingsEndToEnd(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	c, idle := e.c, e.idle
	acct := "forms-" + fmt.Sprint(time.Now().UnixNano())
	admin := e.token(acct, "ada", "admin")
	var ib inbox.Inbox
	c.api(http.MethodPost, "/v1/inboxes", admin, map[string]string{"name": "Sales"}).json(t, &ib)
	want(t, c.api(http.MethodPost, "/v1/users", admin, map[string]any{"id": "sam", "name": "Sam", "paidSeat": true}), http.StatusCreated)
	settings := func(extra string) json.RawMessage {
		return json.RawMessage(`{"fields":[{"name":"email","type":"email","label":"Email","required":true},
			{"name":"message","type":"textarea","label":"Message","required":true}],"emailField":"email","submitSecret":true` + extra + `}`)
	}
	for _, tc := range []struct {
		extra  string
		status int
	}{
		{`,"tickets":{"pipeline":"sales"}`, http.StatusBadRequest},
		{`,"tickets":{"pipeline":"sales","stage":"new","ownerUserId":"nobody"}`, http.StatusNotFound},
		{`,"tickets":{"pipeline":"sales","stage":"new","colour":"red"}`, http.StatusBadRequest},
		{`,"acknowledgement":{"subject":"Thanks"}`, http.StatusBadRequest},
	} {
		res := c.api(http.MethodPost, "/v1/channels", admin, map[string]any{"type": "form", "inboxId": ib.ID, "form": settings(tc.extra)})
		if res.status != tc.status {
			t.Errorf("form %s: %d %s, want %d", tc.extra, res.status, res.body, tc.status)
		}
	}
	if n := len(listOf[formChannel](c, "/v1/channels", admin)); n != 0 {
		t.Fatalf("refused forms stored %d channels", n)
	}
	var ch formChannel
	c.api(http.MethodPost, "/v1/channels", admin, map[string]any{"type": "form", "inboxId": ib.ID, "name": "Quote request",
		"form": settings(`,"tickets":{"pipeline":"sales","stage":"new","ownerUserId":"sam"}`)}).json(t, &ch)
	if ch.Routing == nil || ch.Routing.Tickets == nil || *ch.Routing.Tickets != (inbox.TicketSettings{Pipeline: "sales", Stage: "new", OwnerUserID: "sam"}) {
		t.Fatalf("form's ticket setting: %+v", ch.Routing)
	}
	if !strings.HasPrefix(ch.EmbedCode, `<iframe src="`+ch.WebhookURL+`" title="Quote request"`) {
		t.Errorf("embed code %q", ch.EmbedCode)
	}

	// Signed by a server: many from one address, and a filled honeypot, are all stored.
	secret := ch.Secrets["submitSecret"]
	for i := 0; i < 12; i++ {
		body := fmt.Sprintf(`{"email":"lead%d@customer.example","message":"A quote for %d seats","_hp":"crm"}`, i, i)
		h := http.Header{}
		if err := stdwebhook.Headers(h, []string{secret}, fmt.Sprintf("msg_%d", i), time.Now(), []byte(body)); err != nil {
			t.Fatal(err)
		}
		hdr := map[string]string{}
		for k := range h {
			hdr[k] = h.Get(k)
		}
		want(t, c.do(http.MethodPost, ch.WebhookURL, "", "application/json", []byte(body), hdr), http.StatusAccepted)
	}
	// The same from a browser: the honeypot drops it, and the address is throttled.
	res := c.do(http.MethodPost, ch.WebhookURL, "", "application/x-www-form-urlencoded",
		[]byte(url.Values{"email": {"bot@spam.example"}, "message": {"buy"}, "_hp": {"x"}}.Encode()), nil)
	if res.status != http.StatusOK && res.status != http.StatusSeeOther {
		t.Fatalf("honeypot: %d %s", res.status, res.body)
	}
	idle()
	tickets := listOf[inbox.Ticket](c, "/v1/tickets?pipeline=sales", admin)
	if len(tickets) != 12 {
		t.Fatalf("%d tickets, want one per signed submission (12)", len(tickets))
	}
	for _, tk := range tickets {
		if tk.Stage != "new" || tk.OwnerUserID != "sam" {
			t.Errorf("ticket %+v", tk)
		}
	}

	// Edits: the setting removed (null), then refused edits change nothing.
	var edited formChannel
	c.api(http.MethodPatch, "/v1/channels/"+ch.ID, admin, map[string]any{"form": json.RawMessage(`{"tickets":null}`)}).json(t, &edited)
	if edited.Routing != nil && edited.Routing.Tickets != nil {
		t.Fatalf("tickets null kept %+v", edited.Routing.Tickets)
	}
	want(t, c.api(http.MethodPatch, "/v1/channels/"+ch.ID, admin, map[string]any{"form": json.RawMessage(`{"tickets":{"pipeline":"x","stage":"y","ownerUserId":"nobody"}}`)}), http.StatusNotFound)
	var got formChannel
	c.do(http.MethodGet, "/v1/channels/"+ch.ID, admin, "", nil, nil).json(t, &got)
	if got.Routing != nil && got.Routing.Tickets != nil {
		t.Fatalf("a refused edit stored %+v", got.Routing.Tickets)
	}
}
