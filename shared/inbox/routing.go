package inbox

import (
	"strings"
	"time"
)

// User is a member of an account's team: who can be assigned conversations.
type User struct {
	AccountID string `json:"-"`
	ID        string `json:"id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	// Phone is the E.164 number the user takes calls on: voice channels ring it ("" for none).
	Phone string `json:"phone,omitempty"`
	Role  Role   `json:"role"`
	// PaidSeat: only users with a paid seat can be named in rules or get automatic assignments.
	PaidSeat bool `json:"paidSeat"`
	// Capacity is the most open conversations the user may be assigned (nil: unlimited).
	Capacity *int `json:"capacity"`
	// Available is the user's own switch (available / away).
	Available bool `json:"available"`
	// Language is the catalogue tag ("da", "en") the product speaks to the user in: emails to
	// them and the agent app; "" for the default (the app then follows the browser).
	Language string `json:"language,omitempty"`
	// TimeZone is an IANA zone name ("Europe/Copenhagen"); WorkingHours are in it.
	TimeZone string `json:"timeZone"`
	// WorkingHours, when set, make the user away outside them, whatever Available says.
	WorkingHours []WorkingHours `json:"workingHours,omitempty"`
	TeamIDs      []string       `json:"teamIds"`
	// Load is how many open conversations are assigned to the user (kept by the store);
	// LastAssignedAt breaks ties in turn.
	Load           int       `json:"load"`
	LastAssignedAt time.Time `json:"lastAssignedAt,omitzero"`
	CreatedAt      time.Time `json:"createdAt"`
	Version        int64     `json:"version"`
}

// WorkingHours is one range of a weekday, in the user's time zone: "09:00" to "12:30".
type WorkingHours struct {
	Day   time.Weekday `json:"day"`
	Start string       `json:"start"`
	End   string       `json:"end"`
}

// Team is a named group of users.
type Team struct {
	AccountID string    `json:"-"`
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	UserIDs   []string  `json:"userIds"`
	CreatedAt time.Time `json:"createdAt"`
}

// Assignment targets of a channel's rules.
const (
	TargetUsersAndTeams = "users_and_teams"
	TargetContactOwner  = "contact_owner"
	FallbackUnassigned  = "unassigned"
)

// RoutingRules are a channel's automation settings.
type RoutingRules struct {
	AutoAssign bool `json:"autoAssign"`
	// Target is TargetUsersAndTeams or TargetContactOwner.
	Target  string   `json:"target"`
	UserIDs []string `json:"userIds,omitempty"`
	TeamIDs []string `json:"teamIds,omitempty"`
	// OnlyAvailable assigns only to available users (default on): with nobody available the
	// conversation waits unassigned. Off: availability is ignored.
	OnlyAvailable bool `json:"onlyAvailable"`
	// Fallback applies to TargetContactOwner when the contact has no owner, or the owner is away
	// and OnlyAvailable is on: FallbackUnassigned or TargetUsersAndTeams (with FallbackUserIDs /
	// FallbackTeamIDs).
	Fallback        string   `json:"fallback,omitempty"`
	FallbackUserIDs []string `json:"fallbackUserIds,omitempty"`
	FallbackTeamIDs []string `json:"fallbackTeamIds,omitempty"`
	// Tickets turns incoming conversations into tickets.
	Tickets *TicketSettings `json:"tickets,omitempty"`
}

// TicketSettings say how a channel's conversations become tickets.
type TicketSettings struct {
	Pipeline string `json:"pipeline"`
	Stage    string `json:"stage"`
	// OwnerUserID is the ticket owner; "" means the conversation's assignee.
	OwnerUserID string `json:"ownerUserId,omitempty"`
	// MaxPerContact is the contact's ticket-association limit (0: the account default, 100).
	MaxPerContact int `json:"maxPerContact,omitempty"`
}

// Check checks a ticket rule as far as it can without the account's users: a pipeline and a
// stage, an owner that can be a user id, a limit of 0 or more. It returns an EInvalid error
// naming field (the rule's place in the request).
func (t TicketSettings) Check(field string) error {
	if strings.TrimSpace(t.Pipeline) == "" || strings.TrimSpace(t.Stage) == "" || len(t.Pipeline) > 200 || len(t.Stage) > 200 {
		return Errorf(EInvalid, "%s need a pipeline and a stage (at most 200 bytes each)", field)
	}
	if t.OwnerUserID != "" && CheckID(field+".ownerUserId", t.OwnerUserID) != nil {
		return Errorf(EInvalid, "%s.ownerUserId is not a user id", field)
	}
	if t.MaxPerContact < 0 {
		return Errorf(EInvalid, "%s.maxPerContact must be 0 or more", field)
	}
	return nil
}

// Ticket is a conversation tracked through a pipeline.
type Ticket struct {
	AccountID      string    `json:"-"`
	ID             string    `json:"id"`
	ConversationID string    `json:"conversationId"`
	ContactID      string    `json:"contactId"`
	Pipeline       string    `json:"pipeline"`
	Stage          string    `json:"stage"`
	OwnerUserID    string    `json:"ownerUserId"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
}

// Waiting is a conversation that found nobody to assign it to, waiting in arrival order.
type Waiting struct {
	ConversationID string    `json:"conversationId"`
	ChannelID      string    `json:"channelId"`
	ArrivedAt      time.Time `json:"arrivedAt"`
}

// TicketFilter selects tickets for a list.
type TicketFilter struct {
	Pipeline string
	Stage    string
}
