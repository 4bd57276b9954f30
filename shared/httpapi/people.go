package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/routing"
)

// People is what the users, teams, rules, contacts and tickets endpoints need from the store.
type People interface {
	CreateUser(ctx context.Context, u inbox.User) error
	GetUser(ctx context.Context, acct, id string) (inbox.User, error)
	ListUsers(ctx context.Context, acct string) ([]inbox.User, error)
	UpdateUser(ctx context.Context, u inbox.User) (inbox.User, error)
	CreateTeam(ctx context.Context, t inbox.Team) error
	GetTeam(ctx context.Context, acct, id string) (inbox.Team, error)
	ListTeams(ctx context.Context, acct string) ([]inbox.Team, error)
	UpdateTeam(ctx context.Context, t inbox.Team) error
	SetRoutingRules(ctx context.Context, acct, channelID string, r *inbox.RoutingRules) error
	GetContact(ctx context.Context, acct, id string) (inbox.Contact, error)
	SetContactOwner(ctx context.Context, acct, contactID, ownerID string) (inbox.Contact, error)
	GetTicket(ctx context.Context, acct, id string) (inbox.Ticket, error)
	ListTickets(ctx context.Context, acct string, f inbox.TicketFilter) ([]inbox.Ticket, error)
	MoveTicket(ctx context.Context, acct, id, stage string, now time.Time) (inbox.Ticket, error)
	ListWaiting(ctx context.Context, acct, channelID string, limit int) ([]inbox.Waiting, error)
}

// Drainer assigns waiting conversations after someone became available, freed capacity, or the
// rules changed.
type Drainer interface {
	DrainAccount(ctx context.Context, acct string) error
}

func (a *api) routes(r chi.Router) {
	// Without People the endpoints exist (the API's shape does not depend on wiring) and
	// answer 503.
	people := func(e endpoint) endpoint {
		return func(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
			if a.People == nil {
				return 0, nil, inbox.Errorf(inbox.EUnavailable, "users and routing are not configured")
			}
			return e(r, w, p)
		}
	}
	a.peopleRoutes(r, people)
}

func (a *api) peopleRoutes(r chi.Router, people func(endpoint) endpoint) {
	r.Get("/users", a.handle(people(a.listUsers)))
	r.Post("/users", a.admin(people(a.createUser)))
	r.Get("/users/{id}", a.handle(people(a.getUser)))
	r.Patch("/users/{id}", a.handle(people(a.patchUser)))
	r.Get("/teams", a.handle(people(a.listTeams)))
	r.Post("/teams", a.admin(people(a.createTeam)))
	r.Patch("/teams/{id}", a.admin(people(a.patchTeam)))
	r.Put("/channels/{id}/routing", a.admin(people(a.putRouting)))
	r.Get("/contacts/{id}", a.handle(people(a.getContact)))
	r.Patch("/contacts/{id}", a.handle(people(a.patchContact)))
	r.Get("/tickets", a.handle(people(a.listTickets)))
	r.Get("/tickets/{id}", a.handle(people(a.getTicket)))
	r.Patch("/tickets/{id}", a.handle(people(a.patchTicket)))
	r.Get("/queue", a.handle(people(a.myQueue)))
}

// drain runs after changes that can free an assignment; a failure is logged, not returned:
// the change itself succeeded, and the next change or message drains again.
func (a *api) drain(ctx context.Context, acct string) {
	if a.Drainer == nil {
		return
	}
	if err := a.Drainer.DrainAccount(ctx, acct); err != nil {
		a.Log.ErrorContext(ctx, "waiting queue not drained", "account", acct, "err", err)
	}
}

type userInput struct {
	ID           *string               `json:"id"`
	Name         *string               `json:"name"`
	Email        *string               `json:"email"`
	Role         *inbox.Role           `json:"role"`
	PaidSeat     *bool                 `json:"paidSeat"`
	Capacity     *int                  `json:"capacity"`
	NoCapacity   bool                  `json:"unlimited"`
	Available    *bool                 `json:"available"`
	TimeZone     *string               `json:"timeZone"`
	WorkingHours *[]inbox.WorkingHours `json:"workingHours"`
	TeamIDs      *[]string             `json:"teamIds"`
}

// apply fills u from in; admin says whether the caller may change role, seat, capacity, teams.
func (in userInput) apply(u *inbox.User, admin bool) error {
	if !admin && (in.Role != nil || in.PaidSeat != nil || in.Capacity != nil || in.NoCapacity || in.TeamIDs != nil || in.Email != nil) {
		return inbox.Errorf(inbox.EForbidden, "only admins can change roles, seats, capacity, teams and email addresses")
	}
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		if n == "" || utf8.RuneCountInString(n) > 100 {
			return inbox.Errorf(inbox.EInvalid, "name is required (at most 100 characters)")
		}
		u.Name = n
	}
	if in.Email != nil {
		if !emailAddress.MatchString(strings.TrimSpace(*in.Email)) {
			return inbox.Errorf(inbox.EInvalid, "email must be an email address")
		}
		u.Email = strings.ToLower(strings.TrimSpace(*in.Email))
	}
	if in.Role != nil {
		if *in.Role != inbox.RoleAdmin && *in.Role != inbox.RoleAgent {
			return inbox.Errorf(inbox.EInvalid, "role must be admin or agent")
		}
		u.Role = *in.Role
	}
	if in.PaidSeat != nil {
		u.PaidSeat = *in.PaidSeat
	}
	if in.Capacity != nil {
		if *in.Capacity < 0 {
			return inbox.Errorf(inbox.EInvalid, "capacity must be 0 or more (leave it out, or set unlimited, for no limit)")
		}
		c := *in.Capacity
		u.Capacity = &c
	}
	if in.NoCapacity {
		u.Capacity = nil
	}
	if in.Available != nil {
		u.Available = *in.Available
	}
	if in.TimeZone != nil {
		u.TimeZone = *in.TimeZone
	}
	if in.WorkingHours != nil {
		u.WorkingHours = *in.WorkingHours
	}
	if in.TimeZone != nil || in.WorkingHours != nil {
		if err := routing.ValidateWorkingHours(u.WorkingHours, u.TimeZone); err != nil {
			return err
		}
	}
	if in.TeamIDs != nil {
		u.TeamIDs = slices.Clone(*in.TeamIDs)
	}
	return nil
}

func (a *api) checkTeams(ctx context.Context, acct string, ids []string) error {
	for _, id := range ids {
		if _, err := a.People.GetTeam(ctx, acct, id); err != nil {
			if inbox.IsCode(err, inbox.EInvalid) {
				return inbox.Errorf(inbox.ENotFound, "team %s not found", id)
			}
			return err
		}
	}
	return nil
}

func (a *api) createUser(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in userInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	u := inbox.User{AccountID: p.AccountID, Role: inbox.RoleAgent, Available: true, CreatedAt: a.Now().UTC()}
	// The user id is the token's subject ("sub") of that person.
	if in.ID == nil || strings.TrimSpace(*in.ID) == "" || strings.ContainsAny(*in.ID, "#/") || len(*in.ID) > 128 {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "id (the user's token subject) is required")
	}
	u.ID = strings.TrimSpace(*in.ID)
	if in.Name == nil {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "name is required")
	}
	if err := in.apply(&u, true); err != nil {
		return 0, nil, err
	}
	if err := a.checkTeams(r.Context(), p.AccountID, u.TeamIDs); err != nil {
		return 0, nil, err
	}
	if err := a.People.CreateUser(r.Context(), u); err != nil {
		return 0, nil, err
	}
	u.Version = 1
	if u.TeamIDs == nil {
		u.TeamIDs = []string{}
	}
	return http.StatusCreated, u, nil
}

func (a *api) listUsers(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	us, err := a.People.ListUsers(r.Context(), p.AccountID)
	if us == nil {
		us = []inbox.User{}
	}
	return http.StatusOK, list[inbox.User]{Items: us}, err
}

func (a *api) userID(r *http.Request, p inbox.Principal) string {
	if id := chi.URLParam(r, "id"); id != "me" {
		return id
	}
	return p.UserID
}

func (a *api) getUser(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	u, err := a.People.GetUser(r.Context(), p.AccountID, a.userID(r, p))
	return http.StatusOK, u, err
}

// patchUser edits a user: admins anything; users their own availability, name, time zone and
// working hours. Becoming available, or a bigger capacity, drains the waiting queue.
func (a *api) patchUser(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in userInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	if in.ID != nil {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "id cannot change")
	}
	id := a.userID(r, p)
	if id != p.UserID && p.Role != inbox.RoleAdmin {
		return 0, nil, inbox.Errorf(inbox.EForbidden, "only admins can change other users")
	}
	ctx := r.Context()
	u, err := a.People.GetUser(ctx, p.AccountID, id)
	if err != nil {
		return 0, nil, err
	}
	if err := in.apply(&u, p.Role == inbox.RoleAdmin); err != nil {
		return 0, nil, err
	}
	if in.TeamIDs != nil {
		if err := a.checkTeams(ctx, p.AccountID, u.TeamIDs); err != nil {
			return 0, nil, err
		}
	}
	if u, err = a.People.UpdateUser(ctx, u); err != nil {
		return 0, nil, err
	}
	a.drain(ctx, p.AccountID)
	return http.StatusOK, u, nil
}

type teamInput struct {
	Name    *string   `json:"name"`
	UserIDs *[]string `json:"userIds"`
}

func (a *api) checkUsers(ctx context.Context, acct string, ids []string) error {
	for _, id := range ids {
		if _, err := a.People.GetUser(ctx, acct, id); err != nil {
			if inbox.IsCode(err, inbox.EInvalid) {
				return inbox.Errorf(inbox.ENotFound, "user %s not found", id)
			}
			return err
		}
	}
	return nil
}

func (a *api) createTeam(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in teamInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "name is required")
	}
	t := inbox.Team{AccountID: p.AccountID, ID: a.NewID(), Name: strings.TrimSpace(*in.Name), UserIDs: []string{}, CreatedAt: a.Now().UTC()}
	if in.UserIDs != nil {
		if err := a.checkUsers(r.Context(), p.AccountID, *in.UserIDs); err != nil {
			return 0, nil, err
		}
		t.UserIDs = slices.Clone(*in.UserIDs)
	}
	if err := a.People.CreateTeam(r.Context(), t); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, t, nil
}

func (a *api) listTeams(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	ts, err := a.People.ListTeams(r.Context(), p.AccountID)
	if ts == nil {
		ts = []inbox.Team{}
	}
	return http.StatusOK, list[inbox.Team]{Items: ts}, err
}

func (a *api) patchTeam(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in teamInput
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	ctx := r.Context()
	t, err := a.People.GetTeam(ctx, p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	if in.Name != nil && strings.TrimSpace(*in.Name) != "" {
		t.Name = strings.TrimSpace(*in.Name)
	}
	if in.UserIDs != nil {
		if err := a.checkUsers(ctx, p.AccountID, *in.UserIDs); err != nil {
			return 0, nil, err
		}
		t.UserIDs = slices.Clone(*in.UserIDs)
	}
	if err := a.People.UpdateTeam(ctx, t); err != nil {
		return 0, nil, err
	}
	a.drain(ctx, p.AccountID)
	return http.StatusOK, t, nil
}

// putRouting sets a channel's automation settings: users and teams of this account only (404
// otherwise), users with a paid seat only (400 otherwise); then drains the waiting queue.
func (a *api) putRouting(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in inbox.RoutingRules
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	ctx := r.Context()
	ch, err := a.Store.GetChannel(ctx, p.AccountID, chi.URLParam(r, "id"))
	if err != nil {
		return 0, nil, err
	}
	users, err := a.People.ListUsers(ctx, p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	teams, err := a.People.ListTeams(ctx, p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	um := map[string]inbox.User{}
	for _, u := range users {
		um[u.ID] = u
	}
	tm := map[string]inbox.Team{}
	for _, t := range teams {
		tm[t.ID] = t
	}
	if err := routing.ValidateRules(in, um, tm); err != nil {
		return 0, nil, err
	}
	if in.Tickets != nil {
		if strings.TrimSpace(in.Tickets.Pipeline) == "" || strings.TrimSpace(in.Tickets.Stage) == "" {
			return 0, nil, inbox.Errorf(inbox.EInvalid, "tickets need a pipeline and a stage")
		}
		if in.Tickets.OwnerUserID != "" {
			if err := a.checkUsers(ctx, p.AccountID, []string{in.Tickets.OwnerUserID}); err != nil {
				return 0, nil, err
			}
		}
		if in.Tickets.MaxPerContact < 0 {
			return 0, nil, inbox.Errorf(inbox.EInvalid, "tickets.maxPerContact must be 0 or more")
		}
	}
	if err := a.People.SetRoutingRules(ctx, p.AccountID, ch.ID, &in); err != nil {
		return 0, nil, err
	}
	a.drain(ctx, p.AccountID)
	ch.Routing = &in
	return http.StatusOK, a.view(r, ch), nil
}

func (a *api) getContact(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	c, err := a.People.GetContact(r.Context(), p.AccountID, chi.URLParam(r, "id"))
	return http.StatusOK, c, err
}

func (a *api) patchContact(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in struct {
		OwnerID *string `json:"ownerId"`
	}
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	ctx := r.Context()
	if _, err := a.People.GetContact(ctx, p.AccountID, chi.URLParam(r, "id")); err != nil {
		return 0, nil, err
	}
	owner := ""
	if in.OwnerID != nil {
		owner = strings.TrimSpace(*in.OwnerID)
		if owner != "" {
			if err := a.checkUsers(ctx, p.AccountID, []string{owner}); err != nil {
				return 0, nil, err
			}
		}
	}
	c, err := a.People.SetContactOwner(ctx, p.AccountID, chi.URLParam(r, "id"), owner)
	return http.StatusOK, c, err
}

func (a *api) listTickets(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	q := r.URL.Query()
	ts, err := a.People.ListTickets(r.Context(), p.AccountID, inbox.TicketFilter{Pipeline: q.Get("pipeline"), Stage: q.Get("stage")})
	if ts == nil {
		ts = []inbox.Ticket{}
	}
	return http.StatusOK, list[inbox.Ticket]{Items: ts}, err
}

func (a *api) getTicket(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	t, err := a.People.GetTicket(r.Context(), p.AccountID, chi.URLParam(r, "id"))
	return http.StatusOK, t, err
}

func (a *api) patchTicket(r *http.Request, w http.ResponseWriter, p inbox.Principal) (int, any, error) {
	var in struct {
		Stage string `json:"stage"`
	}
	if err := httpjson.Decode(w, r, MaxBody, &in); err != nil {
		return 0, nil, err
	}
	if strings.TrimSpace(in.Stage) == "" {
		return 0, nil, inbox.Errorf(inbox.EInvalid, "stage is required")
	}
	t, err := a.People.MoveTicket(r.Context(), p.AccountID, chi.URLParam(r, "id"), strings.TrimSpace(in.Stage), a.Now().UTC())
	return http.StatusOK, t, err
}

// myQueue is the caller's work: open conversations assigned to them, and the conversations
// waiting in the channels whose rules can give them work.
func (a *api) myQueue(r *http.Request, _ http.ResponseWriter, p inbox.Principal) (int, any, error) {
	ctx := r.Context()
	mine, _, err := a.Store.ListConversations(ctx, p.AccountID, inbox.ConversationFilter{AssigneeID: p.UserID, Limit: 100})
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		Assigned []conversationView `json:"assigned"`
		Waiting  []conversationView `json:"waiting"`
	}{Assigned: []conversationView{}, Waiting: []conversationView{}}
	for _, c := range mine {
		out.Assigned = append(out.Assigned, conversation(c))
	}
	chs, err := a.Store.ListChannels(ctx, p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	teams, err := a.People.ListTeams(ctx, p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	for _, ch := range chs {
		if ch.Routing == nil || !names(*ch.Routing, teams, p.UserID) {
			continue
		}
		ws, err := a.People.ListWaiting(ctx, p.AccountID, ch.ID, 100)
		if err != nil {
			return 0, nil, err
		}
		for _, wt := range ws {
			c, err := a.Store.GetConversation(ctx, p.AccountID, wt.ConversationID)
			if err != nil || c.AssigneeID != "" || c.Status != inbox.StatusOpen {
				continue
			}
			out.Waiting = append(out.Waiting, conversation(c))
		}
	}
	return http.StatusOK, out, nil
}

// names reports whether rules can give user work: named directly or through a team, or any
// contact-owner rule (owners are anyone).
func names(r inbox.RoutingRules, teams []inbox.Team, user string) bool {
	if r.Target == inbox.TargetContactOwner {
		return true
	}
	ids := append(append([]string{}, r.UserIDs...), r.FallbackUserIDs...)
	if slices.Contains(ids, user) {
		return true
	}
	tids := append(append([]string{}, r.TeamIDs...), r.FallbackTeamIDs...)
	for _, t := range teams {
		if slices.Contains(tids, t.ID) && slices.Contains(t.UserIDs, user) {
			return true
		}
	}
	return false
}
