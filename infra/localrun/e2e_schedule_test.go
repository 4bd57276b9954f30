package localrun_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/shared/inbox"
)

// The scheduled drain through the runner: a conversation arrives while the only agent is
// outside his working hours and waits; a tick changes nothing; his hours begin (nothing is
// written through the API, so nothing drains by itself); the next tick gives him the
// conversation. It runs on DynamoDB Local and on the embedded store of `make run`.
func TestScheduledDrainEndToEnd(t *testing.T) {
	t.Parallel()
	for _, embedded := range []bool{false, true} {
		t.Run(map[bool]string{false: "dynamodb-local", true: "embedded"}[embedded], func(t *testing.T) {
			t.Parallel()
			e := startSession(t, embedded, func(o *localrun.Options) { o.Tick = -1 }) // only this test's ticks
			scheduledDrain(t, e)
		})
	}
}

func scheduledDrain(t *testing.T, e *session) {
	ctx, r, c := e.ctx, e.r, e.c
	if every := r.TickEvery("ScheduleFunction"); every != 0 {
		t.Fatalf("ticks every %v with Tick -1", every)
	}
	acct := fmt.Sprint("sched-", time.Now().UnixNano())
	admin := e.token(acct, "ada", "admin")
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
