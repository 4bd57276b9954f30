package chatapi

import (
	"context"
	"strings"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/realtime"
)

// Subscriber is what a visitor token lets a WebSocket connection hear: the notifications of the
// visitor's conversation (ConversationID; "" until their first message is stored, after which
// the widget connects again).
type Subscriber struct {
	Account, ChannelID, VisitorID, ConversationID string
}

// IsToken tells, without I/O, whether token is a visitor token (agents' JWTs are not).
func IsToken(token string) bool { return strings.HasPrefix(token, TokenPrefix) }

// Authorise checks a visitor token for the realtime backbone's $connect (its visitor
// authoriser): the chat channel it names, its signature and expiry, and the visitor's
// conversation. Errors: EUnauthorized (malformed, forged, expired, no such chat), the store's.
func Authorise(ctx context.Context, store Store, token string, now time.Time) (Subscriber, error) {
	id, err := ChannelOf(token)
	if err != nil {
		return Subscriber{}, err
	}
	if inbox.CheckID("channel id", id) != nil {
		return Subscriber{}, inbox.Errorf(inbox.EUnauthorized, "the visitor token is not valid")
	}
	ch, err := store.ChannelByID(ctx, id)
	if inbox.IsCode(err, inbox.ENotFound) || (err == nil && ch.Type != inbox.ChannelChat) {
		return Subscriber{}, inbox.Errorf(inbox.EUnauthorized, "the visitor token is not valid")
	}
	if err != nil {
		return Subscriber{}, err
	}
	v, err := Verify(ch, token, now)
	if err != nil {
		return Subscriber{}, err
	}
	conv, err := conversationOf(ctx, store, ch, v)
	if err != nil {
		return Subscriber{}, err
	}
	return Subscriber{Account: ch.AccountID, ChannelID: ch.ID, VisitorID: v.Key, ConversationID: conv.ID}, nil
}

// Visitors is the realtime backbone's authoriser of chat visitors' tokens (realtime.VisitorAuth):
// a visitor's connection hears only their own conversation.
type Visitors struct {
	Store Store
	Now   func() time.Time
}

// Accepts reports whether token is a visitor token, without I/O.
func (v Visitors) Accepts(token string) bool { return IsToken(token) }

// Authorise returns the principal of a visitor token. Errors: those of Authorise.
func (v Visitors) Authorise(ctx context.Context, token string) (realtime.Principal, error) {
	s, err := Authorise(ctx, v.Store, token, v.Now())
	if err != nil {
		return realtime.Principal{}, err
	}
	return realtime.Principal{Account: s.Account, Visitor: true, VisitorID: s.VisitorID, ConversationID: s.ConversationID}, nil
}
