package inbox

// InboundState is what one read tells the router about an inbound message before it writes
// anything: whether it is a duplicate, who sent it, and a hint of the sender's open
// conversation (see the store's InboundState).
type InboundState struct {
	// Checked is true when the state comes from a read (not the zero value).
	Checked bool
	// Duplicate is true when the provider's message is already stored, as message MessageID of
	// conversation ConversationID.
	Duplicate                 bool
	ConversationID, MessageID string
	// ContactID is the contact with the sender's address, "" when there is none yet.
	ContactID string
	// OpenConversationID and OpenChannelID name the contact's open conversation in the inbox
	// asked about, as last recorded; "" when unknown. The hint may be stale: a message joins
	// it only on the condition that it is still open.
	OpenConversationID, OpenChannelID string
	// Named is true when the contact had a name when the hint was recorded.
	Named bool
	// Language is the contact's language when the hint was recorded ("" when none), so that a
	// sender writing in the same language again costs no write.
	Language string
}

// OpenHint names the conversation a new contact's first message is about to open: conversation
// ConversationID of channel ChannelID in inbox InboxID. The store records it with the contact's
// lookup item when it creates the contact (CreateContact), where InboundState reads it back, so
// that the contact's next message joins the conversation without a write of the hint of its
// own. The zero value records none.
type OpenHint struct {
	InboxID, ConversationID, ChannelID string
}
