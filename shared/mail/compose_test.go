package mail

import (
	"testing"
)

func TestFromName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode, agent, company, want string
	}{
		{fromNameAgentAndCompany, "Ada Lovelace", "Acme", "Ada Lovelace from Acme"},
		{fromNameAgentAndCompany, "Ada Lovelace", "", "Ada Lovelace"},
		{fromNameAgentAndCompany, "", "Acme", "Acme"},
		{fromNameAgentAndCompany, "  Ada   Lovelace ", " Acme ", "Ada Lovelace from Acme"},
		{fromNameAgentAndCompany, "", "", ""},
		{fromNameCompany, "Ada Lovelace", "Acme", "Acme"},
		{fromNameCompany, "Ada Lovelace", "", ""},
		{"", "Ada", "Acme", "Ada from Acme"},
	}
	for _, tt := range tests {
		if got := FromName(tt.mode, tt.agent, tt.company); got != tt.want {
			t.Errorf("FromName(%q, %q, %q) = %q, want %q", tt.mode, tt.agent, tt.company, got, tt.want)
		}
	}
}

func TestFormatAddress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   Address
		want string
	}{
		{Address{Address: "ann@example.com"}, "<ann@example.com>"},
		{Address{Name: "Ann", Address: "ann@example.com"}, `"Ann" <ann@example.com>`},
		{Address{Name: "Smith, Ann", Address: "ann@example.com"}, `"Smith, Ann" <ann@example.com>`},
		{Address{Name: "Søren Ærø", Address: "soren@example.dk"}, "=?utf-8?q?S=C3=B8ren_=C3=86r=C3=B8?= <soren@example.dk>"},
		{Address{Name: "Evil\r\nBcc: x@y", Address: "e@example.com"}, `"Evil  Bcc: x@y" <e@example.com>`},
	}
	for _, tt := range tests {
		if got := FormatAddress(tt.in); got != tt.want {
			t.Errorf("FormatAddress(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReplySubject(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Order 4411":          "Re: Order 4411",
		"Re: Order 4411":      "Re: Order 4411",
		"RE: Order 4411":      "RE: Order 4411",
		"re: x":               "re: x",
		"Aw: Anfrage":         "Aw: Anfrage",
		"AW: Anfrage":         "AW: Anfrage",
		"SV: Din henvendelse": "SV: Din henvendelse",
		"Fwd: x":              "Re: Fwd: x",
		"Re: Re: Order 4411":  "Re: Order 4411",
		"Re: SV: Tilbud":      "Re: Tilbud",
		"SV: Re: Tilbud":      "SV: Tilbud",
		"Re[2]: Tilbud":       "Re[2]: Tilbud",
		"Antw: Vraag":         "Antw: Vraag",
		"Regarding: x":        "Re: Regarding: x",
		"Re:":                 "Re:",
		"":                    "Re:",
		"Line\r\nbreak":       "Re: Line  break",
	} {
		if got := replySubject(in); got != want {
			t.Errorf("replySubject(%q) = %q, want %q", in, got, want)
		}
	}
}
