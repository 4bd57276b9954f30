package mailparse

import (
	"bytes"
	"strings"
	"testing"

	"github.com/openinbox/inbox/shared/mail"
)

// A notice keeps its subject as written and says it was sent automatically, so that the email
// intake (and any other mail system) treats it as automatic mail; a reply does neither.
func TestComposeNotice(t *testing.T) {
	t.Parallel()
	notice := mail.Reply{
		From:      mail.Address{Name: "Inbox", Address: "notifications@acme.example"},
		To:        []mail.Address{{Address: "owen@acme.example"}},
		Subject:   "New conversation from Zoë went to the team",
		MessageID: "notice-1@acme.example",
		Text:      "Hello",
		Notice:    true,
	}
	raw, err := mail.Compose(notice)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	contains(t, "message", s, "Auto-Submitted: auto-generated\r\n")
	notContains(t, "message", s, "Subject: Re:")
	m, err := Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Subject", m.Subject, "New conversation from Zoë went to the team")
	eq(t, "AutoReply", m.AutoReply, true)

	reply := notice
	reply.Notice = false
	raw, err = mail.Compose(reply)
	if err != nil {
		t.Fatal(err)
	}
	notContains(t, "reply", string(raw), "Auto-Submitted")
	if m, err = Parse(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	eq(t, "reply Subject", m.Subject, "Re: New conversation from Zoë went to the team")

	notice.Headers = map[string]string{"auto-submitted": "no"}
	if _, err := mail.Compose(notice); err == nil || !strings.Contains(err.Error(), "auto-submitted") {
		t.Errorf("a notice's Auto-Submitted overridden through Headers: err = %v", err)
	}
}
