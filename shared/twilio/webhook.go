package twilio

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/openinbox/inbox/shared/inbox"
)

// ParseInbound decodes the parameters of Twilio's incoming-message webhook into a message
// envelope: MessageSid (or the deprecated SmsSid / SmsMessageSid) becomes ProviderMessageID,
// From the sender's phone (kept verbatim, so a "whatsapp:" prefix survives and matches the
// address replies are sent to), ProfileName the sender's name, To the channel's number, Body the
// text, and MediaUrl{N} / MediaContentType{N} for N < NumMedia the attachments.
//
// AccountID, ChannelID, ChannelType and ReceivedAt are left for the caller, which knows which
// channel the webhook URL belongs to. Parameters must already be signature-checked
// (ValidateRequest). It returns an *inbox.Error with code EInvalid when MessageSid or From is
// missing, NumMedia is not a non-negative integer, or an announced MediaUrl{N} is absent.
func ParseInbound(params url.Values) (inbox.Envelope, error) {
	sid := messageSid(params)
	if sid == "" {
		return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "Twilio message without MessageSid")
	}
	from := params.Get("From")
	if from == "" {
		return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "Twilio message without From")
	}
	n := 0
	if s := params.Get("NumMedia"); s != "" {
		var err error
		n, err = strconv.Atoi(s)
		if err != nil || n < 0 {
			return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "invalid NumMedia %q", s)
		}
	}
	var attachments []inbox.Attachment
	for i := range n {
		idx := strconv.Itoa(i)
		u := params.Get("MediaUrl" + idx)
		if u == "" {
			// Checked per index so a forged or corrupt NumMedia fails at once instead of looping.
			return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "missing MediaUrl%d", i)
		}
		attachments = append(attachments, inbox.Attachment{URL: u, ContentType: params.Get("MediaContentType" + idx)})
	}
	return inbox.Envelope{
		V:                 inbox.EnvelopeVersion,
		Kind:              inbox.KindMessage,
		ProviderMessageID: sid,
		From:              inbox.Sender{Phone: from, Name: params.Get("ProfileName")},
		To:                params.Get("To"),
		Text:              params.Get("Body"),
		Attachments:       attachments,
	}, nil
}

// ParseStatus decodes the parameters of a Twilio status callback (sent for messages created
// with a StatusCallback URL) into a status envelope.
//
// The envelope is keyed like the conversation's inbound messages rather than like the outbound
// message it reports on: From.Phone is the callback's To parameter (the customer) and To is its
// From parameter (the channel's number), so that ContactAddress and GroupKey put the status in
// the same FIFO group as the customer's own messages. Twilio's documented minimal callback may
// omit To; From.Phone is then empty and the caller must find the conversation by
// ProviderMessageID alone.
//
// Status comes from MessageStatus (or the deprecated SmsStatus) through StatusFromTwilio;
// ErrorCode, when present, fills StatusUpdate.ErrorCode and a short ErrorMessage. It returns an
// *inbox.Error with code EInvalid when MessageSid is missing or the status is missing or unknown.
func ParseStatus(params url.Values) (inbox.Envelope, error) {
	sid := messageSid(params)
	if sid == "" {
		return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "Twilio status callback without MessageSid")
	}
	raw := params.Get("MessageStatus")
	if raw == "" {
		raw = params.Get("SmsStatus")
	}
	status, ok := StatusFromTwilio(raw)
	if !ok {
		return inbox.Envelope{}, inbox.Errorf(inbox.EInvalid, "unknown Twilio message status %q", raw)
	}
	update := &inbox.StatusUpdate{Status: status}
	if code := strings.TrimSpace(params.Get("ErrorCode")); code != "" {
		update.ErrorCode = code
		update.ErrorMessage = errorText(code)
	}
	return inbox.Envelope{
		V:                 inbox.EnvelopeVersion,
		Kind:              inbox.KindStatus,
		ProviderMessageID: sid,
		From:              inbox.Sender{Phone: params.Get("To")},
		To:                params.Get("From"),
		Status:            update,
	}, nil
}

// StatusFromTwilio maps a Twilio message status to the inbox's. Every state before the carrier
// has the message (queued, accepted, scheduled, sending) is MessageSending, because the inbox
// already counts the message as handed over; canceled is MessageFailed since it will never be
// sent. It reports false for statuses of inbound messages (receiving, received) and any unknown
// value. Case and surrounding spaces are ignored.
func StatusFromTwilio(s string) (inbox.MessageStatus, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "queued", "accepted", "scheduled", "sending":
		return inbox.MessageSending, true
	case "sent":
		return inbox.MessageSent, true
	case "delivered":
		return inbox.MessageDelivered, true
	case "read":
		return inbox.MessageRead, true
	case "failed", "canceled":
		return inbox.MessageFailed, true
	case "undelivered":
		return inbox.MessageUndelivered, true
	}
	return "", false
}

func messageSid(params url.Values) string {
	for _, k := range []string{"MessageSid", "SmsSid", "SmsMessageSid"} {
		if v := params.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// errorTexts are the delivery errors agents see most; the rest are linked by code in Twilio's
// error dictionary (https://www.twilio.com/docs/api/errors).
var errorTexts = map[string]string{
	"30003": "Unreachable destination handset",
	"30005": "Unknown destination handset",
	"30006": "Landline or unreachable carrier",
	"30007": "Message filtered",
	"30008": "Unknown error",
	"21610": "Attempt to send to unsubscribed recipient",
}

func errorText(code string) string {
	if t, ok := errorTexts[code]; ok {
		return t
	}
	return "Twilio error " + code
}
