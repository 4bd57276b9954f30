package localrun_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// Routing through the runner: users with seats and capacity, a rule on an SMS channel, messages
// assigned to the least loaded available agent, one waiting when everybody is full or away, and
// the queue drained when an agent comes back.
func TestRoutingEndToEnd(t *testing.T) {
	t.Parallel()
	for _, embedded := range []bool{false, true} {
		t.Run(map[bool]string{false: "dynamodb-local", true: "embedded"}[embedded], func(t *testing.T) {
			t.Parallel()
			routingEndToEnd(t, startSession(t, embedded, nil))
		})
	}
}

func routingEndToEnd(t *testing.T, e *session) {
	c, idle := e.c, e.idle
	acct := "route-" + fmt.Sprint(time.Now().UnixNano())
	token := func(user, role string) string { return e.token(acct, user, role) }
	admin, bob := token("ada", "admin"), token("bob", "agent")
	var ib inbox.Inbox
	c.api(http.MethodPost, "/v1/inboxes", admin, map[string]string{"name": "Support"}).json(t, &ib)
	phone := fmt.Sprintf("+1628%07d", time.Now().UnixNano()%10000000)
	const authToken = "routing-auth-token"
	var ch struct {
		ID         string `json:"id"`
		WebhookURL string `json:"webhookUrl"`
	}
	c.api(http.MethodPost, "/v1/channels", admin, map[string]any{"type": "sms", "inboxId": ib.ID,
		"twilio": map[string]string{"accountSid": "AC00000000000000000000000000000003", "authToken": authToken, "phoneNumber": phone}}).json(t, &ch)

	// Users: two paid agents of capacity 1, one without a seat.
	want(t, c.api(http.MethodPost, "/v1/users", admin, map[string]any{"id": "bob", "name": "Bob", "paidSeat": true, "capacity": 1}), http.StatusCreated)
	want(t, c.api(http.MethodPost, "/v1/users", admin, map[string]any{"id": "cy", "name": "Cy", "paidSeat": true, "capacity": 1}), http.StatusCreated)
	want(t, c.api(http.MethodPost, "/v1/users", admin, map[string]any{"id": "dee", "name": "Dee", "paidSeat": false}), http.StatusCreated)
	want(t, c.api(http.MethodPost, "/v1/users", admin, map[string]any{"id": "neg", "name": "Neg", "capacity": -1}), http.StatusBadRequest)
	rules := map[string]any{"autoAssign": true, "target": "users_and_teams", "userIds": []string{"bob", "cy"}, "onlyAvailable": true}
	want(t, c.api(http.MethodPut, "/v1/channels/"+ch.ID+"/routing", admin, map[string]any{"autoAssign": true, "target": "users_and_teams", "userIds": []string{"dee"}, "onlyAvailable": true}), http.StatusBadRequest)
	want(t, c.api(http.MethodPut, "/v1/channels/"+ch.ID+"/routing", admin, map[string]any{"autoAssign": true, "target": "users_and_teams", "userIds": []string{"nobody"}, "onlyAvailable": true}), http.StatusNotFound)
	// Rules sent without onlyAvailable (for users and teams, and for contact owners) keep
	// "only available users" on, as documented.
	for _, omitted := range []map[string]any{
		{"autoAssign": true, "target": "users_and_teams", "userIds": []string{"bob"}},
		{"autoAssign": true, "target": "contact_owner", "fallback": "unassigned"},
	} {
		var got struct {
			Routing struct {
				OnlyAvailable bool `json:"onlyAvailable"`
			} `json:"routing"`
		}
		c.api(http.MethodPut, "/v1/channels/"+ch.ID+"/routing", admin, omitted).json(t, &got)
		if !got.Routing.OnlyAvailable {
			t.Errorf("rules %v without onlyAvailable stored onlyAvailable false", omitted)
		}
	}
	want(t, c.api(http.MethodPut, "/v1/channels/"+ch.ID+"/routing", admin, rules), http.StatusOK)

	// Three customers write: two agents of capacity 1 take two, the third waits.
	for i := 0; i < 3; i++ {
		want(t, c.sms(ch.WebhookURL, authToken, fmt.Sprintf("+1415666%04d", i), phone, "help", fmt.Sprintf("SM%032d", i), nil), http.StatusOK)
		idle()
	}
	convs := c.conversations("/v1/conversations?inboxId="+ib.ID, admin)
	assigned := map[string]int{}
	waiting := ""
	for _, it := range convs.Items {
		if it.Assignee == nil {
			waiting = it.ID
			continue
		}
		assigned[*it.Assignee]++
	}
	if assigned["bob"] != 1 || assigned["cy"] != 1 || waiting == "" {
		t.Fatalf("assignment = %v, waiting %q", assigned, waiting)
	}
	var q struct {
		Assigned []struct{ ID string } `json:"assigned"`
		Waiting  []struct{ ID string } `json:"waiting"`
	}
	c.api(http.MethodGet, "/v1/queue", bob, nil).json(t, &q)
	if len(q.Assigned) != 1 || len(q.Waiting) != 1 || q.Waiting[0].ID != waiting {
		t.Fatalf("bob's queue = %+v", q)
	}
	// A refused change changes nothing: closing with an invalid assignee leaves the
	// conversation open, at the same version.
	type state struct {
		Status  string `json:"status"`
		Version int    `json:"version"`
	}
	before := get[state](c, "/v1/conversations/"+q.Assigned[0].ID, admin)
	for _, bad := range []string{"-", "a#b"} {
		want(t, c.api(http.MethodPatch, "/v1/conversations/"+q.Assigned[0].ID, admin, map[string]any{"status": "closed", "assignee": bad}), http.StatusBadRequest)
	}
	if after := get[state](c, "/v1/conversations/"+q.Assigned[0].ID, admin); after != before || after.Status != "open" {
		t.Fatalf("after refused changes: %+v, before %+v", after, before)
	}
	// Bob goes away and closes his conversation: Cy is full, so the third still waits.
	want(t, c.api(http.MethodPatch, "/v1/users/me", bob, map[string]any{"available": false}), http.StatusOK)
	want(t, c.api(http.MethodPatch, "/v1/conversations/"+q.Assigned[0].ID, bob, map[string]any{"status": "closed"}), http.StatusOK)
	if got := get[struct {
		Assignee *string `json:"assignee"`
	}](c, "/v1/conversations/"+waiting, admin); got.Assignee != nil {
		t.Fatalf("assigned to %s while everybody is away or full", *got.Assignee)
	}
	// Bob is back: the waiting conversation is his.
	want(t, c.api(http.MethodPatch, "/v1/users/me", bob, map[string]any{"available": true}), http.StatusOK)
	if got := get[struct {
		Assignee *string `json:"assignee"`
	}](c, "/v1/conversations/"+waiting, admin); got.Assignee == nil || *got.Assignee != "bob" {
		t.Fatalf("after Bob came back: %+v", got.Assignee)
	}
	// Tickets from now on, at most one per contact.
	rules["tickets"] = map[string]any{"pipeline": "support", "stage": "new", "maxPerContact": 1}
	want(t, c.api(http.MethodPut, "/v1/channels/"+ch.ID+"/routing", admin, rules), http.StatusOK)
	phoneOf := map[string]string{}
	cyConv := ""
	for _, it := range convs.Items {
		phoneOf[it.ID] = it.Contact.Phone
		if it.Assignee != nil && *it.Assignee == "cy" {
			cyConv = it.ID
		}
	}
	type convView struct {
		Status       string  `json:"status"`
		Assignee     *string `json:"assignee"`
		TicketNotice string  `json:"ticketNotice"`
	}
	// Cy closes hers; the customer writes again: it reopens with Cy, who is still eligible.
	want(t, c.api(http.MethodPatch, "/v1/conversations/"+cyConv, admin, map[string]any{"status": "closed"}), http.StatusOK)
	want(t, c.sms(ch.WebhookURL, authToken, phoneOf[cyConv], phone, "one more thing", "SM10000000000000000000000000000001", nil), http.StatusOK)
	idle()
	if got := get[convView](c, "/v1/conversations/"+cyConv, admin); got.Status != "open" || got.Assignee == nil || *got.Assignee != "cy" {
		t.Fatalf("reopened by the customer: %+v, want open with cy", got)
	}
	// Bob's closed one: Bob is full now (the conversation he took from the queue), Cy too, so
	// it reopens unassigned, waits, and becomes a ticket.
	bobsClosed := q.Assigned[0].ID
	want(t, c.sms(ch.WebhookURL, authToken, phoneOf[bobsClosed], phone, "me again", "SM10000000000000000000000000000002", nil), http.StatusOK)
	idle()
	if got := get[convView](c, "/v1/conversations/"+bobsClosed, admin); got.Status != "open" || got.Assignee != nil {
		t.Fatalf("reopened while its assignee is full: %+v, want open and unassigned", got)
	}
	c.api(http.MethodGet, "/v1/queue", bob, nil).json(t, &q)
	if len(q.Waiting) != 1 || q.Waiting[0].ID != bobsClosed {
		t.Fatalf("bob's queue after the reopening = %+v", q)
	}
	type ticket struct {
		ID             string `json:"id"`
		ConversationID string `json:"conversationId"`
		Pipeline       string `json:"pipeline"`
		Stage          string `json:"stage"`
	}
	tk := get[ticket](c, "/v1/tickets/"+bobsClosed, bob)
	if tk.ConversationID != bobsClosed || tk.Pipeline != "support" || tk.Stage != "new" {
		t.Fatalf("ticket = %+v", tk)
	}
	var moved ticket
	c.api(http.MethodPatch, "/v1/tickets/"+bobsClosed, bob, map[string]any{"stage": "waiting_on_customer"}).json(t, &moved)
	if moved.Stage != "waiting_on_customer" {
		t.Fatalf("moved ticket = %+v", moved)
	}
	want(t, c.api(http.MethodPatch, "/v1/tickets/"+bobsClosed, bob, map[string]any{"stage": " "}), http.StatusBadRequest)
	if l := get[struct{ Items []ticket }](c, "/v1/tickets?stage=waiting_on_customer", admin); len(l.Items) != 1 || l.Items[0].ID != bobsClosed {
		t.Fatalf("tickets in stage waiting_on_customer = %+v", l.Items)
	}
	// The same customer writes to a second inbox whose channel also makes tickets: the contact
	// is at its limit, so the new conversation has none and says why.
	var ib2 inbox.Inbox
	c.api(http.MethodPost, "/v1/inboxes", admin, map[string]string{"name": "Billing"}).json(t, &ib2)
	phone2 := fmt.Sprintf("+1629%07d", time.Now().UnixNano()%10000000)
	var ch2 struct {
		ID         string `json:"id"`
		WebhookURL string `json:"webhookUrl"`
	}
	c.api(http.MethodPost, "/v1/channels", admin, map[string]any{"type": "sms", "inboxId": ib2.ID,
		"twilio": map[string]string{"accountSid": "AC00000000000000000000000000000003", "authToken": authToken, "phoneNumber": phone2}}).json(t, &ch2)
	want(t, c.api(http.MethodPut, "/v1/channels/"+ch2.ID+"/routing", admin, map[string]any{"autoAssign": false, "target": "users_and_teams",
		"userIds": []string{"bob"}, "onlyAvailable": true, "tickets": map[string]any{"pipeline": "billing", "stage": "new", "maxPerContact": 1}}), http.StatusOK)
	want(t, c.sms(ch2.WebhookURL, authToken, phoneOf[bobsClosed], phone2, "and an invoice question", "SM10000000000000000000000000000003", nil), http.StatusOK)
	idle()
	billing := c.conversations("/v1/conversations?inboxId="+ib2.ID, admin)
	if len(billing.Items) != 1 {
		t.Fatalf("billing inbox = %+v", billing.Items)
	}
	if got := get[convView](c, "/v1/conversations/"+billing.Items[0].ID, admin); got.TicketNotice != "No ticket: the contact has reached its ticket limit (1)" {
		t.Fatalf("conversation beyond the ticket limit: %+v", got)
	}
	want(t, c.api(http.MethodGet, "/v1/tickets/"+billing.Items[0].ID, admin, nil), http.StatusNotFound)

	// Admins can set anyone away; agents only themselves, and not their own seat or capacity.
	want(t, c.api(http.MethodPatch, "/v1/users/cy", bob, map[string]any{"available": false}), http.StatusForbidden)
	want(t, c.api(http.MethodPatch, "/v1/users/me", bob, map[string]any{"capacity": 50}), http.StatusForbidden)
	want(t, c.api(http.MethodPatch, "/v1/users/cy", admin, map[string]any{"capacity": -1}), http.StatusBadRequest)
	want(t, c.api(http.MethodPatch, "/v1/users/cy", admin, map[string]any{"available": false}), http.StatusOK)
	if cy := get[struct {
		Available bool `json:"available"`
		Load      int  `json:"load"`
	}](c, "/v1/users/cy", admin); cy.Available || cy.Load != 1 {
		t.Fatalf("cy after an admin set her away = %+v", cy)
	}

	// Another account's user cannot be named.
	other := e.token("other-"+acct, "eve", "admin")
	want(t, c.api(http.MethodGet, "/v1/users/bob", other, nil), http.StatusNotFound)
	// Eve is a paid user of the other account: a rule of this account naming her is a 404, and
	// the other account cannot set rules on this account's channel.
	want(t, c.api(http.MethodPost, "/v1/users", other, map[string]any{"id": "eve", "name": "Eve", "paidSeat": true}), http.StatusCreated)
	want(t, c.api(http.MethodPut, "/v1/channels/"+ch.ID+"/routing", admin, map[string]any{"autoAssign": true, "target": "users_and_teams",
		"userIds": []string{"bob", "eve"}, "onlyAvailable": true}), http.StatusNotFound)
	want(t, c.api(http.MethodPut, "/v1/channels/"+ch.ID+"/routing", other, rules), http.StatusNotFound)
}
