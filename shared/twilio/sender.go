package twilio

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/openinbox/inbox/shared/inbox"
)

// Sender sends the replies of SMS channels through the Messages API; it is the dispatch
// function's sender for inbox.ChannelSMS.
type Sender struct {
	client        *Client
	publicBaseURL string
}

// NewSender returns a Sender using client. publicBaseURL is where Twilio reaches this
// deployment's webhooks; when set, each message asks for status callbacks there.
func NewSender(client *Client, publicBaseURL string) *Sender {
	return &Sender{client: client, publicBaseURL: strings.TrimRight(publicBaseURL, "/")}
}

// Send sends m from the channel's number to the conversation's contact and returns Twilio's
// message SID. A refusal is an *inbox.SendError carrying Twilio's error code and message, marked
// Temporary for rate limits, outages and network failures.
func (s *Sender) Send(ctx context.Context, ch inbox.Channel, conv inbox.Conversation, contact inbox.Contact, m inbox.Message) (string, error) {
	if ch.Twilio == nil {
		return "", &inbox.SendError{Code: "misconfigured", Message: "the channel has no Twilio settings"}
	}
	to := contact.Phone
	if to == "" {
		to = conv.ContactPhone
	}
	out := OutboundSMS{From: ch.Twilio.PhoneNumber, To: to, Body: m.Text}
	for _, a := range m.Attachments {
		out.MediaURLs = append(out.MediaURLs, a.URL)
	}
	if s.publicBaseURL != "" {
		out.StatusCallback = s.publicBaseURL + "/webhooks/twilio/" + ch.ID + "/status"
	}
	sent, err := s.client.Send(ctx, Credentials{AccountSID: ch.Twilio.AccountSID, AuthToken: ch.Secrets[inbox.SecretTwilioAuthToken]}, out)
	if err != nil {
		return "", asSendError(err)
	}
	return sent.SID, nil
}

// asSendError is err, a Client call's error, as the dispatcher's *inbox.SendError: Twilio's
// code when it gave one, else its HTTP status, "misconfigured" for a request never made, and
// "network" (temporary) for transport failures.
func asSendError(err error) error {
	var te *SendError
	if errors.As(err, &te) {
		code := "network"
		switch {
		case te.Code != 0:
			code = strconv.Itoa(te.Code)
		case te.HTTPStatus != 0:
			code = "http_" + strconv.Itoa(te.HTTPStatus)
		case !te.Temporary:
			// Refused before any request was made (missing credentials).
			code = "misconfigured"
		}
		return &inbox.SendError{Code: code, Message: te.Message, Temporary: te.Temporary}
	}
	return &inbox.SendError{Code: "network", Message: err.Error(), Temporary: true}
}
