package chatsend_test

import (
	"context"
	"errors"
	"testing"

	"github.com/openinbox/inbox/shared/chatsend"
	"github.com/openinbox/inbox/shared/inbox"
)

type mailer struct {
	sent int
	err  error
}

func (m *mailer) Send(context.Context, inbox.Channel, inbox.Conversation, inbox.Contact, inbox.Message) (string, error) {
	m.sent++
	return "mail-1", m.err
}

type presence bool

func (p presence) VisitorOnline(context.Context, string, string) (bool, error) { return bool(p), nil }

// TestSend: a reply stays in the widget, except for a gone visitor who left an address, who gets
// it by email; an inbox without a team email channel keeps it in the widget.
func TestSend(t *testing.T) {
	t.Parallel()
	noTeamMail := &inbox.SendError{Code: "no_email_channel", Message: "none"}
	boom := errors.New("ses down")
	for _, tc := range []struct {
		name     string
		email    string
		presence chatsend.Presence
		err      error
		want     string
		mails    int
		wantErr  error
	}{
		{"no address", "", presence(false), nil, "chat:m1", 0, nil},
		{"address, visitor online", "zoe@x.example", presence(true), nil, "chat:m1", 0, nil},
		{"address, visitor gone", "zoe@x.example", presence(false), nil, "mail-1", 1, nil},
		{"address, no presence known", "zoe@x.example", nil, nil, "mail-1", 1, nil},
		{"no team email channel", "zoe@x.example", presence(false), noTeamMail, "chat:m1", 1, nil},
		{"mail fails: retried by dispatch", "zoe@x.example", presence(false), boom, "mail-1", 1, boom},
	} {
		m := &mailer{err: tc.err}
		s := chatsend.Sender{Mail: m, Presence: tc.presence}
		id, err := s.Send(context.Background(), inbox.Channel{}, inbox.Conversation{}, inbox.Contact{Email: tc.email}, inbox.Message{ID: "m1"})
		if !errors.Is(err, tc.wantErr) || m.sent != tc.mails || (err == nil && id != tc.want) {
			t.Errorf("%s: %q %v, %d mails; want %q %v, %d", tc.name, id, err, m.sent, tc.want, tc.wantErr, tc.mails)
		}
	}
}
