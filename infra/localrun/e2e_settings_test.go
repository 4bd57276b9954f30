package localrun_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// The settings screens' API through the runner, checked against openapi.yaml: an admin renames
// an inbox (a refused name, an agent and another account's admin change nothing), and the team
// email channel's From preview renders for a chosen user of the account by their stored name.
func TestSettingsEndToEnd(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	c := e.c
	stamp := fmt.Sprint(time.Now().UnixNano())
	acct := "set-" + stamp
	admin, agent := e.token(acct, "ada", "admin", "Ada Lovelace"), e.token(acct, "sam", "agent", "Sam Agent")
	other := e.token("other-"+stamp, "eve", "admin")
	var ib inbox.Inbox
	c.api(http.MethodPost, "/v1/inboxes", admin, map[string]string{"name": "Support"}).json(t, &ib)

	for _, tt := range []struct {
		name, token string
		body        any
		status      int
	}{
		{"blank name", admin, map[string]string{"name": "  "}, http.StatusBadRequest},
		{"too long", admin, map[string]string{"name": strings.Repeat("x", 101)}, http.StatusBadRequest},
		{"unknown field", admin, map[string]string{"title": "Sales"}, http.StatusBadRequest},
		{"agent", agent, map[string]string{"name": "Sales"}, http.StatusForbidden},
		{"other account", other, map[string]string{"name": "Sales"}, http.StatusNotFound},
	} {
		want(t, c.api(http.MethodPatch, "/v1/inboxes/"+ib.ID, tt.token, tt.body), tt.status)
	}
	if got := get[inbox.Inbox](c, "/v1/inboxes/"+ib.ID, admin); got.Name != "Support" {
		t.Fatalf("a refused rename changed the inbox: %+v", got)
	}
	want(t, c.api(http.MethodPatch, "/v1/inboxes/nope", admin, map[string]string{"name": "Sales"}), http.StatusNotFound)
	var renamed inbox.Inbox
	res := c.api(http.MethodPatch, "/v1/inboxes/"+ib.ID, admin, map[string]string{"name": "  Sales  "})
	want(t, res, http.StatusOK)
	res.json(t, &renamed)
	if renamed.ID != ib.ID || renamed.Name != "Sales" || !renamed.CreatedAt.Equal(ib.CreatedAt) {
		t.Fatalf("renamed = %+v, want %s named Sales", renamed, ib.ID)
	}
	if got := listOf[inbox.Inbox](c, "/v1/inboxes", agent); len(got) != 1 || got[0].Name != "Sales" {
		t.Fatalf("inboxes = %+v", got)
	}

	// The From preview for a chosen user: their stored name, as the email sender renders it.
	var ch struct{ ID string }
	res = c.api(http.MethodPost, "/v1/channels", admin, map[string]any{"type": "email", "inboxId": ib.ID, "email": map[string]any{
		"address": "help-" + stamp + "@acme.example", "companyName": "Acme", "signatureHtml": "<p>{{agent.firstName}} at Acme</p>"}})
	want(t, res, http.StatusCreated)
	res.json(t, &ch)
	want(t, c.api(http.MethodPost, "/v1/users", admin, map[string]any{"id": "bo", "name": "Bo Berg"}), http.StatusCreated)
	var pv struct{ From, SignatureHTML string }
	get[struct{}](c, "/v1/channels/"+ch.ID+"/email-preview", agent)
	res = c.api(http.MethodGet, "/v1/channels/"+ch.ID+"/email-preview?userId=bo", agent, nil)
	want(t, res, http.StatusOK)
	res.json(t, &pv)
	if !strings.HasPrefix(pv.From, `"Bo Berg from Acme" <help-`) || !strings.Contains(pv.SignatureHTML, "Bo at Acme") {
		t.Fatalf("preview for bo = %+v", pv)
	}
	want(t, c.api(http.MethodGet, "/v1/channels/"+ch.ID+"/email-preview?userId=nobody", admin, nil), http.StatusNotFound)
	want(t, c.api(http.MethodGet, "/v1/channels/"+ch.ID+"/email-preview?userId=a%23b", admin, nil), http.StatusBadRequest)
	want(t, c.api(http.MethodGet, "/v1/channels/"+ch.ID+"/email-preview?userId=bo", other, nil), http.StatusNotFound)
}
