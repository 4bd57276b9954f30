package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels/email"

	"github.com/go-chi/chi/v5"
	"github.com/openinbox/inbox/shared/httpjson"
	"github.com/openinbox/inbox/shared/i18n"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/routing"
)

type userInput struct {
	ID           *string               `json:"id"`
	Name         *string               `json:"name"`
	Email        *string               `json:"email"`
	Phone        *string               `json:"phone"`
	Role         *inbox.Role           `json:"role"`
	PaidSeat     *bool                 `json:"paidSeat"`
	Capacity     *int                  `json:"capacity"`
	NoCapacity   bool                  `json:"unlimited"`
	Available    *bool                 `json:"available"`
	TimeZone     *string               `json:"timeZone"`
	Language     *string               `json:"language"`
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
		if !email.IsAddress(strings.TrimSpace(*in.Email)) {
			return inbox.Errorf(inbox.EInvalid, "email must be an email address")
		}
		u.Email = strings.ToLower(strings.TrimSpace(*in.Email))
	}
	if in.Phone != nil {
		p := strings.TrimSpace(*in.Phone)
		if p != "" && !channel.IsE164(p) {
			return inbox.Errorf(inbox.EInvalid, "phone must be in E.164 form, like +14155550100 (empty removes it)")
		}
		u.Phone = p
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
	if in.Language != nil {
		l := strings.TrimSpace(*in.Language)
		if l != "" && !i18n.Supported(l) {
			return inbox.Errorf(inbox.EInvalid, "language must be one of %s (empty: the browser's)", strings.Join(i18n.Languages(), ", "))
		}
		u.Language = l
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

// checkTeams checks that ids are teams of account acct: EInvalid for an id that cannot be one
// (before any store call), ENotFound for one that is not a team of the account.
func (a *api) checkTeams(ctx context.Context, acct string, ids []string) error {
	if err := bodyIDs("team id", ids...); err != nil {
		return err
	}
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
	if in.ID == nil || strings.ContainsRune(*in.ID, '/') || inbox.CheckID("id", strings.TrimSpace(*in.ID)) != nil {
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
