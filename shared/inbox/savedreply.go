package inbox

import (
	"strings"
	"time"
	"unicode/utf8"
)

// SavedReply is a reply text the team shares (a "canned response"): agents insert it into the
// composer by its shortcut ("/" followed by the shortcut) or from the picker. Admins manage
// them, every agent of the account uses them.
type SavedReply struct {
	AccountID string `json:"-"`
	ID        string `json:"id"`
	// Name is what people see in the picker and settings.
	Name string `json:"name"`
	// Shortcut is unique in the account, lower case letters, digits, '-' and '_'.
	Shortcut string `json:"shortcut"`
	// Text is inserted into the composer; {contact.name}, {contact.firstName} and {agent.name}
	// are filled in by the app when it is inserted.
	Text string `json:"text"`
	// InboxID, when set, offers the reply only in that inbox's conversations.
	InboxID   string    `json:"inboxId,omitempty"`
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	// Version counts the writes of the reply (optimistic locking of updates).
	Version int64 `json:"version"`
}

// Limits of a saved reply's fields, and of the replies of one account.
const (
	MaxSavedReplyName     = 80
	MaxSavedReplyShortcut = 32
	MaxSavedReplyText     = 4000
	MaxSavedReplies       = 500
)

// NormalizeShortcut is s as stored: trimmed, without a leading '/', in lower case.
func NormalizeShortcut(s string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "/"))
}

// Validate checks r's name, shortcut and text (after NormalizeShortcut and trimming the name).
//
// Errors: EInvalid naming the field and the rule it breaks.
func (r SavedReply) Validate() error {
	switch n := utf8.RuneCountInString(r.Name); {
	case strings.TrimSpace(r.Name) == "":
		return Errorf(EInvalid, "name is required")
	case n > MaxSavedReplyName:
		return Errorf(EInvalid, "name must be at most %d characters", MaxSavedReplyName)
	}
	switch n := len(r.Shortcut); {
	case n == 0:
		return Errorf(EInvalid, "shortcut is required")
	case n > MaxSavedReplyShortcut:
		return Errorf(EInvalid, "shortcut must be at most %d characters", MaxSavedReplyShortcut)
	}
	for _, c := range r.Shortcut {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return Errorf(EInvalid, "shortcut may hold only letters a-z, digits, '-' and '_'")
		}
	}
	switch n := utf8.RuneCountInString(r.Text); {
	case strings.TrimSpace(r.Text) == "":
		return Errorf(EInvalid, "text is required")
	case n > MaxSavedReplyText:
		return Errorf(EInvalid, "text must be at most %d characters", MaxSavedReplyText)
	}
	return nil
}
