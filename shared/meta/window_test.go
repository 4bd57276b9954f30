package meta

import (
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

func TestMessengerPolicy(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		name     string
		last     time.Time
		wantType string
		wantTag  string
		refused  bool
	}{
		{name: "just now", last: now, wantType: "RESPONSE"},
		{name: "future (clock skew)", last: now.Add(time.Minute), wantType: "RESPONSE"},
		{name: "23h59m", last: now.Add(-(23*time.Hour + 59*time.Minute)), wantType: "RESPONSE"},
		{name: "24h-1ns", last: now.Add(-(day - 1)), wantType: "RESPONSE"},
		{name: "24h", last: now.Add(-day), wantType: "MESSAGE_TAG", wantTag: "HUMAN_AGENT"},
		{name: "24h+1s", last: now.Add(-(day + time.Second)), wantType: "MESSAGE_TAG", wantTag: "HUMAN_AGENT"},
		{name: "3 days", last: now.Add(-3 * day), wantType: "MESSAGE_TAG", wantTag: "HUMAN_AGENT"},
		{name: "7d-1s", last: now.Add(-(7*day - time.Second)), wantType: "MESSAGE_TAG", wantTag: "HUMAN_AGENT"},
		{name: "7d", last: now.Add(-7 * day), refused: true},
		{name: "7d+1s", last: now.Add(-(7*day + time.Second)), refused: true},
		{name: "a year", last: now.AddDate(-1, 0, 0), refused: true},
		{name: "never wrote", last: time.Time{}, refused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			typ, tag, err := MessengerPolicy(tt.last, now)
			if tt.refused {
				if !inbox.IsCode(err, inbox.EInvalid) || typ != "" || tag != "" {
					t.Fatalf("MessengerPolicy = %q, %q, %v; want EInvalid refusal", typ, tag, err)
				}
				if msg := inbox.ErrorMessage(err); !strings.Contains(msg, "Messenger allows no reply") {
					t.Errorf("message %q does not say no reply is allowed", msg)
				}
				return
			}
			if err != nil || typ != tt.wantType || tag != tt.wantTag {
				t.Fatalf("MessengerPolicy = %q, %q, %v; want %q, %q", typ, tag, err, tt.wantType, tt.wantTag)
			}
		})
	}
	_, _, err := MessengerPolicy(now.Add(-8*day), now)
	if msg := inbox.ErrorMessage(err); msg != "the customer's last message is more than 7 days old: Messenger allows no reply" {
		t.Errorf("message = %q", msg)
	}
}

func TestWhatsAppFreeForm(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		name string
		last time.Time
		open bool
	}{
		{name: "just now", last: now, open: true},
		{name: "future (clock skew)", last: now.Add(time.Minute), open: true},
		{name: "23h59m", last: now.Add(-(23*time.Hour + 59*time.Minute)), open: true},
		{name: "24h-1ns", last: now.Add(-(day - 1)), open: true},
		{name: "24h", last: now.Add(-day)},
		{name: "24h+1s", last: now.Add(-(day + time.Second))},
		{name: "7d", last: now.Add(-7 * day)},
		{name: "never wrote", last: time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := WhatsAppFreeForm(tt.last, now)
			if tt.open {
				if err != nil {
					t.Fatalf("WhatsAppFreeForm = %v, want nil", err)
				}
				return
			}
			if !inbox.IsCode(err, inbox.EInvalid) {
				t.Fatalf("WhatsAppFreeForm = %v, want EInvalid", err)
			}
			if msg := inbox.ErrorMessage(err); msg != "outside WhatsApp's 24-hour customer service window: send an approved template" {
				t.Errorf("message = %q", msg)
			}
		})
	}
}
