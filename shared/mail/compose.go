package mail

import (
	"errors"
	"net/mail"
)

// FromName is the display name of an outbound message for an email channel's from-name mode
// (inbox.FromNameAgentAndCompany or inbox.FromNameCompany).
func FromName(mode, agentName, company string) string {
	return company
}

// FormatAddress formats a as for a header, encoding a non-ASCII name with RFC 2047.
func FormatAddress(a Address) string {
	return (&mail.Address{Name: a.Name, Address: a.Address}).String()
}

// Compose builds the RFC 5322 bytes of a reply.
func Compose(r Reply) ([]byte, error) {
	return nil, errors.New("mail: Compose not implemented yet")
}
