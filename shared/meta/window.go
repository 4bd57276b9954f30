package meta

import (
	"time"

	"github.com/openinbox/inbox/shared/channels/messenger"
	"github.com/openinbox/inbox/shared/channels/whatsapp"
)

// Meta's messaging windows, counted from the customer's last message; the channel kinds own
// them (the API checks replies against them before the sender does).
const (
	// StandardWindow is Messenger's standard messaging window and WhatsApp's customer service
	// window: free-form replies are allowed for 24 hours.
	StandardWindow = messenger.StandardWindow
	// HumanAgentWindow is how long Messenger accepts a reply tagged HUMAN_AGENT.
	HumanAgentWindow = messenger.HumanAgentWindow
)

// Messenger messaging types and tags (https://developers.facebook.com/docs/messenger-platform/send-messages#messaging_types).
const (
	MessagingTypeResponse = messenger.MessagingTypeResponse
	MessagingTypeTag      = messenger.MessagingTypeTag
	TagHumanAgent         = messenger.TagHumanAgent
)

// MessengerPolicy is messenger.Policy: how a reply to a Messenger customer who last wrote at
// lastInbound must be sent now ("RESPONSE" within 24 hours, "MESSAGE_TAG"/"HUMAN_AGENT" up to 7
// days). It returns an EInvalid *inbox.Error when Messenger allows no reply.
func MessengerPolicy(lastInbound, now time.Time) (messagingType, tag string, err error) {
	return messenger.Policy(lastInbound, now)
}

// WhatsAppFreeForm is whatsapp.FreeForm: nil inside the 24-hour customer service window, else
// an EInvalid *inbox.Error saying an approved template is needed.
func WhatsAppFreeForm(lastInbound, now time.Time) error {
	return whatsapp.FreeForm(lastInbound, now)
}
