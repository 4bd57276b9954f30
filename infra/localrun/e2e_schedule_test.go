package localrun_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/apispec"
	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/inbox"
)

// The scheduled drain through the runner: a conversation arrives while the only agent is
// outside his working hours and waits; a tick changes nothing; his hours begin (nothing is
// written through the API, so nothing drains by itself); the next tick gives him the
// conversation. It runs on DynamoDB Local, as the routing end-to-end test does: the embedded
// store (minidyn) returns user items with empty lists (teamIds, workingHours) garbled.
func TestScheduledDrainEndToEnd(t *testing.T) {
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
		Tick: -1, // only the ticks of this test
	})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	scheduledDrain(t, ctx, r, spec)
}

func scheduledDrain(t *testing.T, ctx context.Context, r *localrun.Runner, spec *apispec.Spec) {
	if every := r.TickEvery("ScheduleFunction"); every != 0 {
		t.Fatalf("ticks every %v with Tick -1", every)
	}
	c := &client{t: t, base: r.URL, spec: spec}
	key, err := localrun.LoadKey(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	acct := fmt.Sprint("sched-", time.Now().UnixNano())
	admin, err := localrun.Mint(key, acct, "ada", "admin", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var ib inbox.Inbox
	c.api(http.MethodPost, "/v1/inboxes", admin, map[string]string{"name": "Support"}).json(t, &ib)
	phone := fmt.Sprintf("+1629%07d", time.Now().UnixNano()%10000000)
	const authToken = "schedule-auth-token"
	var ch struct {
		ID         string `json:"id"`
		WebhookURL string `json:"webhookUrl"`
	}
	c.api(http.MethodPost, "/v1/channels", admin, map[string]any{"type": "sms", "inboxId": ib.ID,
		"twilio": map[string]string{"accountSid": "AC00000000000000000000000000000004", "authToken": authToken, "phoneNumber": phone}}).json(t, &ch)
	// Bob works three days from now only.
	later := time.Weekday((int(time.Now().UTC().Weekday()) + 3) % 7)
	want(t, c.api(http.MethodPost, "/v1/users", admin, map[string]any{"id": "bob", "name": "Bob", "paidSeat": true, "timeZone": "UTC",
		"workingHours": []map[string]any{{"day": int(later), "start": "09:00", "end": "17:00"}}}), http.StatusCreated)
	want(t, c.api(http.MethodPut, "/v1/channels/"+ch.ID+"/routing", admin,
		map[string]any{"autoAssign": true, "target": "users_and_teams", "userIds": []string{"bob"}, "onlyAvailable": true}), http.StatusOK)

	want(t, c.sms(ch.WebhookURL, authToken, "+14156660100", phone, "anyone there?", fmt.Sprintf("SM%032d", 7), nil), http.StatusOK)
	if err := r.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	convs := c.conversations("/v1/conversations?inboxId="+ib.ID, admin)
	if len(convs.Items) != 1 || convs.Items[0].Assignee != nil {
		t.Fatalf("conversations = %+v, want one unassigned", convs.Items)
	}
	conv := convs.Items[0].ID
	assignee := func() *string {
		return get[struct {
			Assignee *string `json:"assignee"`
		}](c, "/v1/conversations/"+conv, admin).Assignee
	}
	tick := func() {
		t.Helper()
		want(t, c.do(http.MethodPost, "/_local/tick", "", "", nil, nil), http.StatusNoContent)
	}
	waitingAccounts := func() []string {
		t.Helper()
		l, err := r.Store.ListWaitingAccounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	if got := waitingAccounts(); !slices.Contains(got, acct) {
		t.Fatalf("waiting accounts = %v, want %s among them", got, acct)
	}
	tick()
	if a := assignee(); a != nil {
		t.Fatalf("assigned to %s outside his working hours", *a)
	}

	// His working hours begin: today and tomorrow, all day (UTC), changed in the store only.
	bob, err := r.Store.GetUser(ctx, acct, "bob")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Weekday()
	bob.WorkingHours = []inbox.WorkingHours{{Day: today, Start: "00:00", End: "24:00"}, {Day: (today + 1) % 7, Start: "00:00", End: "24:00"}}
	if _, err := r.Store.UpdateUser(ctx, bob); err != nil {
		t.Fatal(err)
	}
	if a := assignee(); a != nil {
		t.Fatalf("assigned to %s before any tick", *a)
	}
	tick()
	if a := assignee(); a == nil || *a != "bob" {
		t.Fatalf("assignee after the tick = %v, want bob", a)
	}
	if got := waitingAccounts(); slices.Contains(got, acct) {
		t.Fatalf("waiting accounts after the drain = %v", got)
	}
}
