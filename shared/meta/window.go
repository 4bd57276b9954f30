package meta

import (
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// Meta's messaging windows, counted from the customer's last message.
const (
	// StandardWindow is Messenger's standard messaging window and WhatsApp's customer service
	// window: free-form replies are allowed for 24 hours.
	StandardWindow = 24 * time.Hour
	// HumanAgentWindow is how long Messenger accepts a reply tagged HUMAN_AGENT.
	HumanAgentWindow = 7 * 24 * time.Hour
)

// Messenger messaging types and tags (https://developers.facebook.com/docs/messenger-platform/send-messages#messaging_types).
const (
	MessagingTypeResponse = "RESPONSE"
	MessagingTypeTag      = "MESSAGE_TAG"
	TagHumanAgent         = "HUMAN_AGENT"
)

// MessengerPolicy says how a reply to a Messenger customer must be sent, given when the customer
// last wrote (lastInbound) and the current time: within 24 hours it is a plain response
// ("RESPONSE", ""); from 24 hours up to 7 days it needs the human agent tag ("MESSAGE_TAG",
// "HUMAN_AGENT"). Each window is open up to, but not at, its end, so that a reply computed at
// the boundary is not refused by Meta a moment later. A lastInbound in the future (clock skew)
// counts as just now.
//
// It returns an *inbox.Error with code EInvalid when the customer's last message is 7 days old
// or more, or when the customer never wrote (lastInbound is zero): Messenger then allows no
// reply at all.
func MessengerPolicy(lastInbound, now time.Time) (messagingType, tag string, err error) {
	if lastInbound.IsZero() {
		return "", "", inbox.Errorf(inbox.EInvalid, "the customer has not written to the page: Messenger allows no reply")
	}
	switch age := now.Sub(lastInbound); {
	case age < StandardWindow:
		return MessagingTypeResponse, "", nil
	case age < HumanAgentWindow:
		return MessagingTypeTag, TagHumanAgent, nil
	}
	return "", "", inbox.Errorf(inbox.EInvalid, "the customer's last message is more than 7 days old: Messenger allows no reply")
}

// WhatsAppFreeForm reports whether a free-form (non-template) WhatsApp message may be sent to a
// customer who last wrote at lastInbound: it returns nil within the 24-hour customer service
// window (open up to, but not at, 24 hours; a future lastInbound counts as just now).
//
// It returns an *inbox.Error with code EInvalid, saying an approved template is needed, when the
// window has closed or the customer never wrote (lastInbound is zero).
func WhatsAppFreeForm(lastInbound, now time.Time) error {
	if lastInbound.IsZero() || now.Sub(lastInbound) >= StandardWindow {
		return inbox.Errorf(inbox.EInvalid, "outside WhatsApp's 24-hour customer service window: send an approved template")
	}
	return nil
}
