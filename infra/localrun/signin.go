package localrun

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// SignInPath is make run's demo sign-in for the web app (the stand-in for the user pool's
// hosted UI): GET lists the demo users, POST {"userId"} returns {"token"} for that user in the
// demo account, creating the user on first use.
const SignInPath = "/_local/signin"

// SignInUser is a user the local sign-in offers.
type SignInUser struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// SignInUsers are the users of the local sign-in: an admin and two agents.
var SignInUsers = []SignInUser{{"ada", "Ada Admin", "admin"}, {"sam", "Sam Agent", "agent"}, {"kim", "Kim Agent", "agent"}}

func (r *Runner) signIn(key []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if req.Method == http.MethodGet {
			_ = json.NewEncoder(w).Encode(SignInUsers)
			return
		}
		var in struct {
			UserID string `json:"userId"`
		}
		_ = json.NewDecoder(http.MaxBytesReader(w, req.Body, 4<<10)).Decode(&in)
		var u *SignInUser
		for i := range SignInUsers {
			if SignInUsers[i].ID == in.UserID {
				u = &SignInUsers[i]
			}
		}
		if u == nil {
			http.Error(w, `{"error":{"code":"not_found","message":"no such demo user"}}`, http.StatusNotFound)
			return
		}
		ctx := req.Context()
		if _, err := r.Store.GetUser(ctx, r.Demo.AccountID, u.ID); inbox.ErrorCodeOf(err) == inbox.ENotFound {
			err = r.Store.CreateUser(ctx, inbox.User{AccountID: r.Demo.AccountID, ID: u.ID, Name: u.Name, Role: inbox.Role(u.Role),
				PaidSeat: true, Available: true, TimeZone: "UTC", CreatedAt: time.Now()})
			if err != nil && inbox.ErrorCodeOf(err) != inbox.EConflict {
				http.Error(w, `{"error":{"code":"unavailable","message":"cannot create the demo user"}}`, http.StatusServiceUnavailable)
				return
			}
		}
		tok, err := MintNamed(key, r.Demo.AccountID, u.ID, u.Role, u.Name, 12*time.Hour, time.Now())
		if err != nil {
			http.Error(w, `{"error":{"code":"internal","message":"cannot mint"}}`, http.StatusInternalServerError)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"token": tok})
	})
}
