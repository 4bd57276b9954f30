package twilio

import (
	"context"
	"net/url"
	"strings"

	"github.com/openinbox/inbox/shared/inbox"
)

// VoiceSender places the calls agents start from a conversation (click to call); it is the
// dispatch function's sender for inbox.ChannelVoice. Twilio calls the agent's phone first;
// when the agent answers, Twilio fetches the voice channel's connect TwiML, which dials the
// customer from the channel's number.
type VoiceSender struct {
	client        *Client
	publicBaseURL string
	ringTimeout   func(inbox.Channel) int
}

// NewVoiceSender returns a VoiceSender using client. publicBaseURL is where Twilio reaches
// this deployment's webhooks (required: the call's TwiML is served there); ringTimeout gives a
// channel's ring timeout in seconds (how long the agent's phone rings).
func NewVoiceSender(client *Client, publicBaseURL string, ringTimeout func(inbox.Channel) int) *VoiceSender {
	return &VoiceSender{client: client, publicBaseURL: strings.TrimRight(publicBaseURL, "/"), ringTimeout: ringTimeout}
}

// Send places call message m and returns Twilio's CallSid. Errors are *inbox.SendError:
// misconfigured (no Twilio settings, no public URL, a message without a call), or Twilio's
// refusal with its code, Temporary for rate limits, outages and network failures.
func (s *VoiceSender) Send(ctx context.Context, ch inbox.Channel, conv inbox.Conversation, contact inbox.Contact, m inbox.Message) (string, error) {
	if ch.Twilio == nil || m.Call == nil || m.Call.AgentPhone == "" || s.publicBaseURL == "" {
		return "", &inbox.SendError{Code: "misconfigured", Message: "the call cannot be placed: no Twilio settings, agent phone or public URL"}
	}
	customer := m.Call.To
	if customer == "" {
		customer = contact.Phone
	}
	q := "?" + url.Values{"customer": {customer}}.Encode()
	base := s.publicBaseURL + "/webhooks/voice/" + url.PathEscape(ch.ID)
	call := OutboundCall{
		From: ch.Twilio.PhoneNumber, To: m.Call.AgentPhone, URL: base + "/" + VoiceConnect + q,
		StatusCallback:      base + "/" + VoiceStatus + q,
		StatusCallbackEvent: []string{"initiated", "ringing", "answered", "completed"},
	}
	if s.ringTimeout != nil {
		call.Timeout = s.ringTimeout(ch)
	}
	placed, err := s.client.PlaceCall(ctx, Credentials{AccountSID: ch.Twilio.AccountSID, AuthToken: ch.Secrets[inbox.SecretTwilioAuthToken]}, call)
	if err != nil {
		return "", asSendError(err)
	}
	return placed.SID, nil
}
