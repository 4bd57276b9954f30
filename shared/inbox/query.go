package inbox

// ConversationFilter selects conversations for a list. Empty fields do not filter, except
// Status, which defaults to open.
type ConversationFilter struct {
	InboxID string
	Status  ConversationStatus
	// AssigneeID filters on the assignee; Unassigned selects conversations without one.
	AssigneeID string
	Unassigned bool
	// Limit is the page size (1–100, default 25); Cursor is the opaque "next" of the previous page.
	Limit  int
	Cursor string
}

// DeliveryUpdate is a change of an outbound message's delivery state.
type DeliveryUpdate struct {
	Status MessageStatus
	// ProviderID is the provider's id of the message, recorded so that its status callbacks
	// find it; ChannelID is the channel the message went out through (the scope of that id).
	// A ProviderID without ChannelID costs the store a read of the message to learn it.
	ProviderID string
	ChannelID  string
	// ReportedID is the provider id a status callback reports on. A callback about a send the
	// agent has retried since (the message went back to pending and out again under a new id)
	// is not applied: its late or redelivered status belongs to the failed first send.
	ReportedID string
	Error      *ProviderError
}
