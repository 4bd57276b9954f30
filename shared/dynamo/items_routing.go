package dynamo

import (
	"slices"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

type workingHoursItem struct {
	Day   int    `dynamodbav:"day"`
	Start string `dynamodbav:"start"`
	End   string `dynamodbav:"end"`
}

type userItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	AccountID string `dynamodbav:"accountId"`
	ID        string `dynamodbav:"id"`
	Name      string `dynamodbav:"name"`
	Email     string `dynamodbav:"email"`
	Phone     string `dynamodbav:"phone,omitempty"`
	Role      string `dynamodbav:"role"`
	PaidSeat  bool   `dynamodbav:"paidSeat"`
	Capacity  *int   `dynamodbav:"capacity,omitempty"`
	Available bool   `dynamodbav:"available"`
	TimeZone  string `dynamodbav:"timeZone"`
	Language  string `dynamodbav:"language,omitempty"`
	// Empty lists are not stored (nil + omitempty): minidyn, the embedded store of make run,
	// garbles empty lists (they come back holding other attributes' values).
	WorkingHours []workingHoursItem `dynamodbav:"workingHours,omitempty"`
	TeamIDs      []string           `dynamodbav:"teamIds,omitempty"`
	// Load and LastAssignedAt are kept by the assignment transactions only.
	Load           int        `dynamodbav:"load"`
	LastAssignedAt *time.Time `dynamodbav:"lastAssignedAt,omitempty"`
	CreatedAt      time.Time  `dynamodbav:"createdAt"`
	Version        int64      `dynamodbav:"version"`
}

func newWorkingHoursItems(list []inbox.WorkingHours) []workingHoursItem {
	if len(list) == 0 {
		return nil // not stored (see userItem)
	}
	out := make([]workingHoursItem, 0, len(list))
	for _, w := range list {
		out = append(out, workingHoursItem{Day: int(w.Day), Start: w.Start, End: w.End})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}

func copyInt(p *int) *int {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func newUserItem(u inbox.User) userItem {
	return userItem{
		PK: accountPK(u.AccountID), SK: userSK(u.ID), AccountID: u.AccountID, ID: u.ID,
		Name: u.Name, Email: u.Email, Phone: u.Phone, Role: string(u.Role), PaidSeat: u.PaidSeat,
		Capacity: copyInt(u.Capacity), Available: u.Available, TimeZone: u.TimeZone, Language: u.Language,
		WorkingHours: newWorkingHoursItems(u.WorkingHours), TeamIDs: emptyNil(u.TeamIDs),
		CreatedAt: u.CreatedAt.UTC(), Version: u.Version,
	}
}

func (it userItem) domain() inbox.User {
	u := inbox.User{
		AccountID: it.AccountID, ID: it.ID, Name: it.Name, Email: it.Email, Phone: it.Phone, Role: inbox.Role(it.Role),
		PaidSeat: it.PaidSeat, Capacity: it.Capacity, Available: it.Available, TimeZone: it.TimeZone, Language: it.Language,
		TeamIDs: nonNil(it.TeamIDs), Load: it.Load, CreatedAt: it.CreatedAt, Version: it.Version,
	}
	for _, w := range it.WorkingHours {
		u.WorkingHours = append(u.WorkingHours, inbox.WorkingHours{Day: time.Weekday(w.Day), Start: w.Start, End: w.End})
	}
	if it.LastAssignedAt != nil {
		u.LastAssignedAt = *it.LastAssignedAt
	}
	return u
}

type teamItem struct {
	PK        string    `dynamodbav:"pk"`
	SK        string    `dynamodbav:"sk"`
	AccountID string    `dynamodbav:"accountId"`
	ID        string    `dynamodbav:"id"`
	Name      string    `dynamodbav:"name"`
	UserIDs   []string  `dynamodbav:"userIds,omitempty"` // empty: not stored (see userItem)
	CreatedAt time.Time `dynamodbav:"createdAt"`
}

func newTeamItem(t inbox.Team) teamItem {
	return teamItem{
		PK: accountPK(t.AccountID), SK: teamSK(t.ID), AccountID: t.AccountID, ID: t.ID,
		Name: t.Name, UserIDs: emptyNil(t.UserIDs), CreatedAt: t.CreatedAt.UTC(),
	}
}

func (it teamItem) domain() inbox.Team {
	return inbox.Team{AccountID: it.AccountID, ID: it.ID, Name: it.Name, UserIDs: nonNil(it.UserIDs), CreatedAt: it.CreatedAt}
}

type ticketSettingsItem struct {
	Pipeline      string `dynamodbav:"pipeline"`
	Stage         string `dynamodbav:"stage"`
	OwnerUserID   string `dynamodbav:"ownerUserId,omitempty"`
	MaxPerContact int    `dynamodbav:"maxPerContact,omitempty"`
}

// routingItem is a channel's routing rules, a map attribute of the channel item.
type routingItem struct {
	AutoAssign      bool                `dynamodbav:"autoAssign"`
	Target          string              `dynamodbav:"target"`
	UserIDs         []string            `dynamodbav:"userIds,omitempty"`
	TeamIDs         []string            `dynamodbav:"teamIds,omitempty"`
	OnlyAvailable   bool                `dynamodbav:"onlyAvailable"`
	Fallback        string              `dynamodbav:"fallback,omitempty"`
	FallbackUserIDs []string            `dynamodbav:"fallbackUserIds,omitempty"`
	FallbackTeamIDs []string            `dynamodbav:"fallbackTeamIds,omitempty"`
	Tickets         *ticketSettingsItem `dynamodbav:"tickets,omitempty"`
}

func emptyNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

func newRoutingItem(r *inbox.RoutingRules) *routingItem {
	if r == nil {
		return nil
	}
	it := &routingItem{
		AutoAssign: r.AutoAssign, Target: r.Target, UserIDs: emptyNil(r.UserIDs), TeamIDs: emptyNil(r.TeamIDs),
		OnlyAvailable: r.OnlyAvailable, Fallback: r.Fallback,
		FallbackUserIDs: emptyNil(r.FallbackUserIDs), FallbackTeamIDs: emptyNil(r.FallbackTeamIDs),
	}
	if t := r.Tickets; t != nil {
		it.Tickets = &ticketSettingsItem{Pipeline: t.Pipeline, Stage: t.Stage, OwnerUserID: t.OwnerUserID, MaxPerContact: t.MaxPerContact}
	}
	return it
}

func (it *routingItem) domain() *inbox.RoutingRules {
	if it == nil {
		return nil
	}
	r := &inbox.RoutingRules{
		AutoAssign: it.AutoAssign, Target: it.Target, UserIDs: emptyNil(it.UserIDs), TeamIDs: emptyNil(it.TeamIDs),
		OnlyAvailable: it.OnlyAvailable, Fallback: it.Fallback,
		FallbackUserIDs: emptyNil(it.FallbackUserIDs), FallbackTeamIDs: emptyNil(it.FallbackTeamIDs),
	}
	if t := it.Tickets; t != nil {
		r.Tickets = &inbox.TicketSettings{Pipeline: t.Pipeline, Stage: t.Stage, OwnerUserID: t.OwnerUserID, MaxPerContact: t.MaxPerContact}
	}
	return r
}

type waitingItem struct {
	PK             string    `dynamodbav:"pk"`
	SK             string    `dynamodbav:"sk"`
	ConversationID string    `dynamodbav:"conversationId"`
	ChannelID      string    `dynamodbav:"channelId"`
	ArrivedAt      time.Time `dynamodbav:"arrivedAt"`
}

type ticketItem struct {
	PK             string    `dynamodbav:"pk"`
	SK             string    `dynamodbav:"sk"`
	AccountID      string    `dynamodbav:"accountId"`
	ID             string    `dynamodbav:"id"`
	ConversationID string    `dynamodbav:"conversationId"`
	ContactID      string    `dynamodbav:"contactId"`
	Pipeline       string    `dynamodbav:"pipeline"`
	Stage          string    `dynamodbav:"stage"`
	OwnerUserID    string    `dynamodbav:"ownerUserId"`
	CreatedAt      time.Time `dynamodbav:"createdAt"`
	UpdatedAt      time.Time `dynamodbav:"updatedAt"`
}

func newTicketItem(t inbox.Ticket) ticketItem {
	return ticketItem{
		PK: accountPK(t.AccountID), SK: ticketSK(t.ID), AccountID: t.AccountID, ID: t.ID,
		ConversationID: t.ConversationID, ContactID: t.ContactID, Pipeline: t.Pipeline, Stage: t.Stage,
		OwnerUserID: t.OwnerUserID, CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC(),
	}
}

func (it ticketItem) domain() inbox.Ticket {
	return inbox.Ticket{
		AccountID: it.AccountID, ID: it.ID, ConversationID: it.ConversationID, ContactID: it.ContactID,
		Pipeline: it.Pipeline, Stage: it.Stage, OwnerUserID: it.OwnerUserID,
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt,
	}
}
