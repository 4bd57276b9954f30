package localrun_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/apispec"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/inbox"
)

// Routing through the runner: users with seats and capacity, a rule on an SMS channel, messages
// assigned to the least loaded available agent, one waiting when everybody is full or away, and
// the queue drained when an agent comes back.
func TestRoutingEndToEnd(t *testing.T) {
	t.Parallel()
	spec, err := apispec.Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := localrun.Start(ctx, localrun.Options{
		Addr: "127.0.0.1:0", DynamoDBEndpoint: testenv.Endpoint(t, "DYNAMODB_ENDPOINT"), SQSEndpoint: testenv.Endpoint(t, "SQS_ENDPOINT"),
		SESEndpoint: testenv.Endpoint(t, "SES_ENDPOINT"), RetryAfter: time.Second, Root: repoRoot(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := &client{t: t, base: r.URL, spec: spec}
	idle := func() {
		t.Helper()
		if err := r.WaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
	}
	key, err := localrun.LoadKey(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	stamp := fmt.Sprint(time.Now().UnixNano())
	acct := "route-" + stamp
	token := func(user, role string) string {
		tok, err := localrun.Mint(key, acct, user, role, time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
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
	// Another account's user cannot be named.
	other, err := localrun.Mint(key, "other-"+acct, "eve", "admin", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want(t, c.api(http.MethodGet, "/v1/users/bob", other, nil), http.StatusNotFound)
}
