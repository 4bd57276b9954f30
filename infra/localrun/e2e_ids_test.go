package localrun_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/openinbox/inbox/infra/faultinject"
)

// Ids that cannot be ids — longer than DynamoDB's keys hold (2,048 bytes of partition key) —
// are refused at the HTTP edge before any store call, on DynamoDB Local: in a path (every
// resource of /v1 and the public webhook URLs, which need no login) they name nothing and answer
// 404 like any unknown id; in a body or a query they are malformed, 400. A DynamoDB call
// carrying the id would meet the proxy's injected 500 and count as injected.
func TestIDsPastKeyLimitsStopAtTheEdge(t *testing.T) {
	t.Parallel()
	s := startFaultSession(t, nil)
	long := "L0NG" + strings.Repeat("x", 3000)
	s.ddb.Add(faultinject.Rule{Contains: "L0NG", Fault: faultinject.DynamoDBServerError})
	a := s.smsAccount("ids", 77)
	c := s.c
	unknown := "0f8fad5bd9cb469fa16570867728950e"

	paths := []struct{ method, path string }{
		{http.MethodGet, "/v1/inboxes/" + long},
		{http.MethodGet, "/v1/channels/" + long},
		{http.MethodPatch, "/v1/channels/" + long},
		{http.MethodDelete, "/v1/channels/" + long},
		{http.MethodGet, "/v1/channels/" + long + "/email-preview"},
		{http.MethodPut, "/v1/channels/" + long + "/routing"},
		{http.MethodGet, "/v1/conversations/" + long},
		{http.MethodPatch, "/v1/conversations/" + long},
		{http.MethodGet, "/v1/conversations/" + long + "/messages"},
		{http.MethodPost, "/v1/conversations/" + long + "/messages"},
		{http.MethodPost, "/v1/conversations/" + long + "/calls"},
		{http.MethodGet, "/v1/users/" + long},
		{http.MethodPatch, "/v1/users/" + long},
		{http.MethodPatch, "/v1/teams/" + long},
		{http.MethodGet, "/v1/contacts/" + long},
		{http.MethodPatch, "/v1/contacts/" + long},
		{http.MethodGet, "/v1/tickets/" + long},
		{http.MethodPatch, "/v1/tickets/" + long},
	}
	bodies := map[string]any{
		http.MethodPatch: map[string]any{"name": "x", "status": "closed", "stage": "won", "available": false, "ownerId": nil},
		http.MethodPut:   map[string]any{"autoAssign": false, "target": "users_and_teams"},
		http.MethodPost:  map[string]any{"text": "hi"},
	}
	for _, p := range paths {
		res := c.api(p.method, p.path, a.admin, bodies[p.method])
		if res.status != http.StatusNotFound {
			t.Errorf("%s %.40s…: %d %s, want 404", p.method, p.path, res.status, res.body)
		}
	}
	hooks := []struct{ method, path string }{
		{http.MethodPost, "/webhooks/twilio/" + long},
		{http.MethodPost, "/webhooks/twilio/" + long + "/status"},
		{http.MethodGet, "/webhooks/messenger/" + long + "?hub.mode=subscribe&hub.verify_token=t&hub.challenge=1"},
		{http.MethodPost, "/webhooks/messenger/" + long},
		{http.MethodGet, "/webhooks/whatsapp/" + long + "?hub.mode=subscribe&hub.verify_token=t&hub.challenge=1"},
		{http.MethodPost, "/webhooks/whatsapp/" + long},
		{http.MethodPost, "/webhooks/custom/" + long},
		{http.MethodGet, "/webhooks/form/" + long},
		{http.MethodPost, "/webhooks/form/" + long},
		{http.MethodPost, "/webhooks/voice/" + long},
		{http.MethodPost, "/webhooks/voice/" + long + "/status"},
	}
	for _, h := range hooks {
		ct, body := "application/json", []byte(`{"object":"page","entry":[]}`)
		switch {
		case strings.Contains(h.path, "twilio"):
			ct, body = "application/x-www-form-urlencoded", []byte("MessageSid=SM1&From=%2B15005550006&Body=hi")
		case strings.Contains(h.path, "form"):
			ct, body = "application/x-www-form-urlencoded", []byte("name=Zoe&message=hi")
		}
		if h.method == http.MethodGet {
			ct, body = "", nil
		}
		if res := c.do(h.method, h.path, "", ct, body, nil); res.status != http.StatusNotFound {
			t.Errorf("%s %.40s…: %d %s, want 404", h.method, h.path, res.status, res.body)
		}
	}

	malformed := []struct {
		method, path string
		body         any
	}{
		{http.MethodPost, "/v1/channels", map[string]any{"type": "sms", "inboxId": long,
			"twilio": map[string]string{"accountSid": "AC00000000000000000000000000000002", "authToken": faultAuthToken, "phoneNumber": "+16285550100"}}},
		{http.MethodPatch, "/v1/channels/" + a.channelID, map[string]any{"inboxId": long}},
		{http.MethodPut, "/v1/channels/" + a.channelID + "/routing", map[string]any{"autoAssign": true, "target": "users_and_teams", "userIds": []string{long}}},
		{http.MethodPut, "/v1/channels/" + a.channelID + "/routing", map[string]any{"autoAssign": true, "target": "contact_owner",
			"fallback": "users_and_teams", "fallbackTeamIds": []string{long}}},
		{http.MethodPatch, "/v1/conversations/" + unknown, map[string]any{"assignee": long}},
		{http.MethodGet, "/v1/conversations?inboxId=" + long, nil},
		{http.MethodGet, "/v1/conversations?assignee=" + long, nil},
		{http.MethodPost, "/v1/users", map[string]any{"id": long, "name": "Long"}},
		{http.MethodPost, "/v1/users", map[string]any{"id": "bob", "name": "Bob", "teamIds": []string{long}}},
		{http.MethodPost, "/v1/teams", map[string]any{"name": "Team", "userIds": []string{long}}},
		{http.MethodPatch, "/v1/contacts/" + unknown, map[string]any{"ownerId": long}},
		{http.MethodPost, "/v1/conversations", map[string]any{"channelId": long, "to": map[string]string{"id": "u1"}, "text": "hi"}},
	}
	for _, m := range malformed {
		if res := c.api(m.method, m.path, a.admin, m.body); res.status != http.StatusBadRequest {
			t.Errorf("%s %.60s…: %d %s, want 400", m.method, m.path, res.status, res.body)
		}
	}
	if n := s.ddb.Injected(); n != 0 {
		t.Errorf("%d DynamoDB calls carried an id past the key limits; want none", n)
	}
}
