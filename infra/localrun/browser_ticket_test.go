package localrun_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/browser"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/inbox"
)

// The ticket beside the thread in chromium: the SMS channel's rule opens a ticket (pipeline
// support, stage new); Kim sees it in the contact panel and moves it to another stage, which
// the API then shows.
func TestAgentAppMovesTheTicketStage(t *testing.T) {
	t.Parallel()
	e := startSession(t, true, nil)
	c := e.c
	var demo localrun.Demo
	c.do(http.MethodGet, "/_local/demo", "", "", nil, nil).json(t, &demo)
	dc := demo.Channels[0]
	want(t, c.api(http.MethodPut, "/v1/channels/"+dc.ID+"/routing", demo.Token,
		map[string]any{"autoAssign": false, "target": "users_and_teams", "tickets": map[string]string{"pipeline": "support", "stage": "new"}}), http.StatusOK)
	want(t, c.sms(dc.WebhookURL, dc.Secrets["twilioAuthToken"], "+15550004444", dc.PhoneNumber, "My parcel is late", "SMtick0000000000000000000000000001", nil), http.StatusOK)
	e.idle()
	conv := c.conversations("/v1/conversations?status=open", demo.Token).Items[0].ID
	if tk := get[inbox.Ticket](c, "/v1/tickets/"+conv, demo.Token); tk.Stage != "new" {
		t.Fatalf("ticket = %+v", tk)
	}

	ctx, cancel := context.WithTimeout(browser.New(t), 3*time.Minute)
	defer cancel()
	kim := appTab(t, ctx, e.r.URL, "kim")
	row := `document.getElementById('row-` + conv + `')`
	tabEval[bool](t, kim, `(location.hash = '#/all', true)`)
	appWait(t, kim, "the conversation's row", row+` !== null`)
	tabEval[bool](t, kim, `(`+row+`.click(), true)`)
	appWait(t, kim, "the ticket", `document.getElementById('ticket-pipeline') !== null && document.getElementById('ticket-pipeline').textContent === 'support' && document.getElementById('ticket-stage').value === 'new'`)
	tabEval[bool](t, kim, `(document.getElementById('ticket-stage').value = 'waiting on customer', document.getElementById('ticket-move').click(), true)`)
	appWait(t, kim, "the move", `document.getElementById('ticket-stage').dataset.stage === 'waiting on customer'`)
	if tk := get[inbox.Ticket](c, "/v1/tickets/"+conv, demo.Token); tk.Stage != "waiting on customer" {
		t.Fatalf("ticket after the move = %+v", tk)
	}
}
