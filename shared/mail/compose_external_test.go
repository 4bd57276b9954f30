package mail_test

import (
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/mail"
)

// The from-name modes are repeated in package mail; they must stay in step with the domain.
func TestFromNameModes(t *testing.T) {
	t.Parallel()
	if got := mail.FromName(inbox.FromNameAgentAndCompany, "Ada Lovelace", "Acme"); got != "Ada Lovelace from Acme" {
		t.Errorf("FromName(FromNameAgentAndCompany) = %q", got)
	}
	if got := mail.FromName(inbox.FromNameCompany, "Ada Lovelace", "Acme"); got != "Acme" {
		t.Errorf("FromName(FromNameCompany) = %q", got)
	}
}
