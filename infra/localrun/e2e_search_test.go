package localrun_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/inbox"
)

// Finding conversations by their contact on make run (GET /v1/conversations?q=): by any word
// of the name, case and accents ignored, by email address and by phone number, across channels
// (a conversation an agent started on a custom channel, an email thread, an SMS from an unnamed number) and statuses; other
// accounts find nothing; bad queries answer 400.
func TestSearchConversationsByContact(t *testing.T) {
	t.Parallel()
	// On DynamoDB Local (AWS's units and indexes) and on the embedded store of make run -data ''.
	for _, embedded := range []bool{false, true} {
		t.Run(map[bool]string{false: "dynamodb-local", true: "embedded"}[embedded], func(t *testing.T) {
			t.Parallel()
			searchByContact(t, startSession(t, embedded, nil))
		})
	}
}

func searchByContact(t *testing.T, e *session) {
	c := e.c
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	admin := demo.Token
	agent := e.token(demo.AccountID, "sam", "agent", "Sam Agent")

	custom := demoChannel(t, demo, inbox.ChannelCustom).ID
	res := c.api(http.MethodPost, "/v1/conversations", admin, map[string]any{"channelId": custom,
		"to": map[string]string{"id": "anne-1", "name": "Anne Sørensen"}, "text": "Your order has shipped."})
	want(t, res, http.StatusCreated)
	var started struct {
		Conversation struct{ ID string } `json:"conversation"`
	}
	res.json(t, &started)
	anne := struct{ ConversationID string }{started.Conversation.ID}
	raw := "From: \"Sørensen, Ann\" <Ann@Customer.example>\r\nTo: Support <support@demo.example>\r\nSubject: Invoice\r\n" +
		"Message-ID: <search-1@customer.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nWhere is my invoice?\r\n"
	want(t, c.do(http.MethodPost, "/_local/email", "", "message/rfc822", []byte(raw), nil), http.StatusOK)
	dc := demo.Channels[0]
	want(t, c.sms(dc.WebhookURL, dc.Secrets["twilioAuthToken"], "+15550002222", dc.PhoneNumber, "Hello?", "SMsearch000000000000000000000001", nil), http.StatusOK)
	e.idle()

	var ann, unnamed string
	for _, cv := range c.conversations("/v1/conversations?limit=100", admin).Items {
		switch {
		case cv.Channel.Type == "email":
			ann = cv.ID
		case cv.Contact.Phone == "+15550002222":
			unnamed = cv.ID
		}
	}
	if anne.ConversationID == "" || ann == "" || unnamed == "" {
		t.Fatalf("conversations: anne %q, ann %q, unnamed %q", anne.ConversationID, ann, unnamed)
	}
	// A closed conversation is found too.
	want(t, c.api(http.MethodPatch, "/v1/conversations/"+anne.ConversationID, admin, map[string]string{"status": "closed"}), http.StatusOK)

	find := func(token, q string) []string {
		t.Helper()
		var ids []string
		for _, cv := range c.conversations("/v1/conversations?q="+url.QueryEscape(q), token).Items {
			ids = append(ids, cv.ID)
		}
		slices.Sort(ids)
		return ids
	}
	both := []string{anne.ConversationID, ann}
	slices.Sort(both)
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"ann", both},
		{"SOR", both},
		{"sørensen ann", both},
		{"anne", []string{anne.ConversationID}},
		{"ann@customer.example", []string{ann}},
		{"+1 555 000 2222", []string{unnamed}},
		{"nne", nil},
	} {
		if got := find(agent, tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("q=%q: %v, want %v", tc.q, got, tc.want)
		}
	}
	if got := find(e.token("other-account", "olga", "admin"), "ann"); got != nil {
		t.Errorf("another account found %v", got)
	}
	for _, q := range []string{"q=a", "q=", "q=ann&status=open", "q=ann&inboxId=demo-inbox", "q=ann&cursor=x", "q=ann&limit=0"} {
		want(t, c.api(http.MethodGet, "/v1/conversations?"+q, agent, nil), http.StatusBadRequest)
	}
}
