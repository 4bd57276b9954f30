package localrun_test

import (
	"fmt"
	"mime"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/infra/localrun"
	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/inbox"
)

// Contact-owner routing through the runner: the contact's owner is away, so with "only
// available users" on the conversation goes to the fallback user, and the owner receives
// exactly one email in the SES emulator, however often the conversation is routed again.
func TestAwayContactOwnerIsEmailedOnce(t *testing.T) {
	t.Parallel()
	e := startSession(t, false, nil)
	c, idle := e.c, e.idle
	acct := "owner-" + fmt.Sprint(time.Now().UnixNano())
	admin := e.token(acct, "ada", "admin")
	var ib inbox.Inbox
	c.api(http.MethodPost, "/v1/inboxes", admin, map[string]string{"name": "Sales"}).json(t, &ib)
	phone := fmt.Sprintf("+1629%07d", time.Now().UnixNano()%10000000)
	const authToken = "owner-auth-token"
	var ch struct {
		ID         string `json:"id"`
		WebhookURL string `json:"webhookUrl"`
	}
	c.api(http.MethodPost, "/v1/channels", admin, map[string]any{"type": "sms", "inboxId": ib.ID,
		"twilio": map[string]string{"accountSid": "AC00000000000000000000000000000004", "authToken": authToken, "phoneNumber": phone}}).json(t, &ch)

	// Owen owns contacts and is away; Fay is the fallback, full for now (capacity 0), so that
	// the conversation waits and every new message routes it again.
	owenEmail := testenv.Unique("owen") + "@sales.example"
	want(t, c.api(http.MethodPost, "/v1/users", admin, map[string]any{"id": "owen", "name": "Owen Owner", "email": owenEmail,
		"paidSeat": true, "available": false}), http.StatusCreated)
	want(t, c.api(http.MethodPost, "/v1/users", admin, map[string]any{"id": "fay", "name": "Fay", "paidSeat": true, "capacity": 0}), http.StatusCreated)
	want(t, c.api(http.MethodPut, "/v1/channels/"+ch.ID+"/routing", admin, map[string]any{"autoAssign": true, "target": "contact_owner",
		"onlyAvailable": true, "fallback": "users_and_teams", "fallbackUserIds": []string{"fay"}}), http.StatusOK)

	customer := fmt.Sprintf("+1415777%04d", time.Now().UnixNano()%10000)
	sid := 0
	write := func(text string) {
		t.Helper()
		sid++
		want(t, c.sms(ch.WebhookURL, authToken, customer, phone, text, fmt.Sprintf("SM%032d", sid), nil), http.StatusOK)
		idle()
	}
	// open returns the inbox's one open conversation (DynamoDB Local's indexes are up to date
	// once the queues are idle).
	open := func() (id, contactID string, assignee *string) {
		t.Helper()
		list := c.conversations("/v1/conversations?status=open&inboxId="+ib.ID, admin)
		if len(list.Items) != 1 {
			t.Fatalf("open conversations = %+v, want one", list.Items)
		}
		it := list.Items[0]
		return it.ID, it.Contact.ID, it.Assignee
	}

	// The contact has no owner yet: the fallback applies (Fay is full: it waits) and nobody is
	// emailed.
	write("first question")
	convID, contactID, assignee := open()
	if assignee != nil {
		t.Fatalf("assigned to %s while the fallback is full", *assignee)
	}
	if n := len(testenv.SentMailTo(t, owenEmail)); n != 0 {
		t.Fatalf("%d emails before anybody owned the contact", n)
	}
	// Now Owen owns the contact but is away: the next message routes the waiting conversation
	// again, to the fallback, and Owen is told; more messages route it again without a second
	// email.
	want(t, c.api(http.MethodPatch, "/v1/contacts/"+contactID, admin, map[string]any{"ownerId": "owen"}), http.StatusOK)
	write("second question")
	write("anyone there?")
	write("hello?")
	if id, _, assignee := open(); id != convID || assignee != nil {
		t.Fatalf("open conversation %s (assignee %v), want %s still waiting", id, assignee, convID)
	}
	// Fay has room: the waiting conversation is hers, not the away owner's.
	want(t, c.api(http.MethodPatch, "/v1/users/fay", admin, map[string]any{"unlimited": true}), http.StatusOK)
	idle()
	if got := get[struct {
		Assignee *string `json:"assignee"`
	}](c, "/v1/conversations/"+convID, admin); got.Assignee == nil || *got.Assignee != "fay" {
		t.Fatalf("conversation of the away owner's contact assigned to %v, want fay", got.Assignee)
	}

	sent := testenv.SentMailTo(t, owenEmail)
	if len(sent) != 1 {
		t.Fatalf("%d emails to the away owner, want exactly 1", len(sent))
	}
	mailed := sent[0]
	msg := mailed.Parse(t)
	if from, err := mail.ParseAddress(msg.Header.Get("From")); err != nil || from.Address != localrun.NotifyFrom {
		t.Errorf("From = %q, want %s", msg.Header.Get("From"), localrun.NotifyFrom)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "New conversation from "+customer+" went to the team while you were away" {
		t.Errorf("Subject = %q (%v)", subject, err)
	}
	for _, w := range []string{"Hello Owen,", customer, "SMS", "Conversation: " + convID} {
		if !strings.Contains(mailed.Body.Text, w) {
			t.Errorf("the email lacks %q:\n%s", w, mailed.Body.Text)
		}
	}

	// When a queue drains (here: the API, after a user's change) the owner is told too. Olga
	// owns the next customer and is merely full when they write: the conversation waits and she
	// is not told. She then sets herself away: the drain applies the fallback (Fay is full
	// again), and Olga gets her one email from the API's drain.
	want(t, c.api(http.MethodPatch, "/v1/users/fay", admin, map[string]any{"capacity": 1}), http.StatusOK)
	olgaEmail := testenv.Unique("olga") + "@sales.example"
	want(t, c.api(http.MethodPost, "/v1/users", admin, map[string]any{"id": "olga", "name": "Olga", "email": olgaEmail,
		"paidSeat": true, "capacity": 0}), http.StatusCreated)
	customer, sid = fmt.Sprintf("+1415888%04d", time.Now().UnixNano()%10000), 100
	want(t, c.api(http.MethodPatch, "/v1/conversations/"+convID, admin, map[string]any{"status": "closed"}), http.StatusOK)
	want(t, c.api(http.MethodPatch, "/v1/users/fay", admin, map[string]any{"capacity": 0}), http.StatusOK)
	write("a question for Olga")
	olgaConv, olgaContact, _ := open()
	want(t, c.api(http.MethodPatch, "/v1/contacts/"+olgaContact, admin, map[string]any{"ownerId": "olga"}), http.StatusOK)
	write("still there?")
	if _, _, assignee := open(); assignee != nil || len(testenv.SentMailTo(t, olgaEmail)) != 0 {
		t.Fatalf("with Olga full (not away): assignee %v, %d emails; want it waiting, no email", assignee, len(testenv.SentMailTo(t, olgaEmail)))
	}
	olga := e.token(acct, "olga", "agent")
	// Olga reads Danish: her notice comes in Danish. A language without a catalogue is refused.
	want(t, c.api(http.MethodPatch, "/v1/users/me", olga, map[string]any{"language": "tlh"}), http.StatusBadRequest)
	want(t, c.api(http.MethodPatch, "/v1/users/me", olga, map[string]any{"language": "da"}), http.StatusOK)
	want(t, c.api(http.MethodPatch, "/v1/users/me", olga, map[string]any{"available": false}), http.StatusOK)
	olgaMail := testenv.SentMailTo(t, olgaEmail)
	if n := len(olgaMail); n != 1 {
		t.Fatalf("%d emails to Olga after the drain passed her over, want 1", n)
	}
	if s, err := new(mime.WordDecoder).DecodeHeader(olgaMail[0].Parse(t).Header.Get("Subject")); err != nil ||
		s != "Ny samtale fra "+customer+" gik til teamet, mens du var væk" || !strings.Contains(olgaMail[0].Body.Text, "Hej Olga") {
		t.Errorf("Olga's notice: %q (%v)\n%s", s, err, olgaMail[0].Body.Text)
	}
	want(t, c.api(http.MethodPatch, "/v1/users/fay", admin, map[string]any{"unlimited": true}), http.StatusOK)
	if got := get[struct {
		Assignee *string `json:"assignee"`
	}](c, "/v1/conversations/"+olgaConv, admin); got.Assignee == nil || *got.Assignee != "fay" {
		t.Fatalf("Olga's contact's conversation assigned to %v, want fay", got.Assignee)
	}
	if n := len(testenv.SentMailTo(t, olgaEmail)); n != 1 {
		t.Fatalf("%d emails to Olga in all, want 1", n)
	}
}
