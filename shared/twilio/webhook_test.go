package twilio

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/openinbox/inbox/shared/inbox"
)

// docsMediaURL is the MediaUrl{N} example of Twilio's "Twilio's request to your incoming message
// Webhook URL" (https://www.twilio.com/docs/messaging/guides/webhook-request).
const docsMediaURL = "https://api.twilio.com/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages/MMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Media/MEXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"

// docsInbound returns the request parameters of that page with their documented example values
// (request, geographic and, for MMS, media parameters), changed by edit.
func docsInbound(edit func(url.Values)) url.Values {
	p := url.Values{
		"MessageSid":          {"SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"},
		"SmsSid":              {"SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"},
		"SmsMessageSid":       {"SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"},
		"AccountSid":          {"ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"},
		"MessagingServiceSid": {"MGXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"},
		"From":                {"+14017122661"},
		"To":                  {"+15558675310"},
		"Body":                {"Ahoy! Let's build something amazing."},
		"NumMedia":            {"0"},
		"NumSegments":         {"1"},
		"FromCity":            {"SAN FRANCISCO"},
		"FromState":           {"CA"},
		"FromZip":             {"94103"},
		"FromCountry":         {"US"},
		"ToCity":              {"SAUSALITO"},
		"ToState":             {"CA"},
		"ToZip":               {"94965"},
		"ToCountry":           {"US"},
	}
	if edit != nil {
		edit(p)
	}
	return p
}

func TestParseInbound(t *testing.T) {
	t.Parallel()
	sms := inbox.Envelope{
		V:                 inbox.EnvelopeVersion,
		Kind:              inbox.KindMessage,
		ProviderMessageID: "SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
		From:              inbox.Sender{Phone: "+14017122661"},
		To:                "+15558675310",
		Text:              "Ahoy! Let's build something amazing.",
	}
	with := func(edit func(*inbox.Envelope)) inbox.Envelope {
		e := sms
		edit(&e)
		return e
	}

	tests := []struct {
		name   string
		params url.Values
		want   inbox.Envelope
		err    inbox.ErrorCode
	}{
		{name: "documented SMS", params: docsInbound(nil), want: sms},
		{
			name: "documented MMS with two media",
			params: docsInbound(func(p url.Values) {
				p.Set("NumMedia", "2")
				p.Set("MediaContentType0", "image/jpeg")
				p.Set("MediaUrl0", docsMediaURL)
				p.Set("MediaContentType1", "image/png")
				p.Set("MediaUrl1", docsMediaURL+"2")
			}),
			want: with(func(e *inbox.Envelope) {
				e.Attachments = []inbox.Attachment{
					{URL: docsMediaURL, ContentType: "image/jpeg"},
					{URL: docsMediaURL + "2", ContentType: "image/png"},
				}
			}),
		},
		{
			name:   "media only",
			params: docsInbound(func(p url.Values) { p.Del("Body"); p.Set("NumMedia", "1"); p.Set("MediaUrl0", docsMediaURL) }),
			want: with(func(e *inbox.Envelope) {
				e.Text = ""
				e.Attachments = []inbox.Attachment{{URL: docsMediaURL}}
			}),
		},
		{
			// Documented WhatsApp parameters: ProfileName and the channel-prefixed address.
			name: "whatsapp profile name",
			params: docsInbound(func(p url.Values) {
				p.Set("From", "whatsapp:+14017122661")
				p.Set("ProfileName", "Perspective Coffee")
				p.Set("WaId", "14017122661")
			}),
			want: with(func(e *inbox.Envelope) {
				e.From = inbox.Sender{Phone: "whatsapp:+14017122661", Name: "Perspective Coffee"}
			}),
		},
		{name: "SmsSid fallback", params: docsInbound(func(p url.Values) { p.Del("MessageSid"); p.Set("SmsSid", "SMold") }),
			want: with(func(e *inbox.Envelope) { e.ProviderMessageID = "SMold" })},
		{name: "no NumMedia", params: docsInbound(func(p url.Values) { p.Del("NumMedia") }), want: sms},

		{name: "missing MessageSid", params: docsInbound(func(p url.Values) { p.Del("MessageSid"); p.Del("SmsSid"); p.Del("SmsMessageSid") }), err: inbox.EInvalid},
		{name: "missing From", params: docsInbound(func(p url.Values) { p.Del("From") }), err: inbox.EInvalid},
		{name: "bad NumMedia", params: docsInbound(func(p url.Values) { p.Set("NumMedia", "two") }), err: inbox.EInvalid},
		{name: "negative NumMedia", params: docsInbound(func(p url.Values) { p.Set("NumMedia", "-1") }), err: inbox.EInvalid},
		{name: "announced media missing", params: docsInbound(func(p url.Values) { p.Set("NumMedia", "1000000000") }), err: inbox.EInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseInbound(tt.params)
			if code := inbox.ErrorCodeOf(err); code != tt.err {
				t.Fatalf("ParseInbound error = %v, want code %q", err, tt.err)
			}
			if tt.err != "" {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseInbound =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// docsStatus is the status callback example of Twilio's "Track the Message Status of Outbound
// Messages" (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status), which
// shows no To, with edit applied.
func docsStatus(edit func(url.Values)) url.Values {
	p := url.Values{
		"AccountSid":    {"ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
		"From":          {"+15017250604"},
		"MessageSid":    {"SM1342fe1b2c904d1ab04f0fc7a58abca9"},
		"MessageStatus": {"sent"},
		"SmsSid":        {"SM1342fe1b2c904d1ab04f0fc7a58abca9"},
		"SmsStatus":     {"sent"},
	}
	if edit != nil {
		edit(p)
	}
	return p
}

func TestParseStatus(t *testing.T) {
	t.Parallel()
	const sid = "SM1342fe1b2c904d1ab04f0fc7a58abca9"
	envelope := func(phone string, s inbox.StatusUpdate) inbox.Envelope {
		return inbox.Envelope{
			V: inbox.EnvelopeVersion, Kind: inbox.KindStatus, ProviderMessageID: sid,
			From: inbox.Sender{Phone: phone}, To: "+15017250604", Status: &s,
		}
	}
	setStatus := func(s string) func(url.Values) {
		return func(p url.Values) { p.Set("MessageStatus", s); p.Set("SmsStatus", s); p.Set("To", "+15558675310") }
	}

	tests := []struct {
		name   string
		params url.Values
		want   inbox.Envelope
		err    inbox.ErrorCode
	}{
		{name: "documented sent callback", params: docsStatus(nil), want: envelope("", inbox.StatusUpdate{Status: inbox.MessageSent})},
		{
			// RawDlrDoneDate is documented for delivered and undelivered SMS callbacks.
			name: "delivered with To",
			params: docsStatus(func(p url.Values) {
				setStatus("delivered")(p)
				p.Set("RawDlrDoneDate", "2508242137")
			}),
			want: envelope("+15558675310", inbox.StatusUpdate{Status: inbox.MessageDelivered}),
		},
		{
			name: "undelivered 30003",
			params: docsStatus(func(p url.Values) {
				setStatus("undelivered")(p)
				p.Set("ErrorCode", "30003")
			}),
			want: envelope("+15558675310", inbox.StatusUpdate{Status: inbox.MessageUndelivered, ErrorCode: "30003", ErrorMessage: "Unreachable destination handset"}),
		},
		{
			name: "failed 21610",
			params: docsStatus(func(p url.Values) {
				setStatus("failed")(p)
				p.Set("ErrorCode", "21610")
			}),
			want: envelope("+15558675310", inbox.StatusUpdate{Status: inbox.MessageFailed, ErrorCode: "21610", ErrorMessage: "Attempt to send to unsubscribed recipient"}),
		},
		{
			name: "undelivered unknown code",
			params: docsStatus(func(p url.Values) {
				setStatus("undelivered")(p)
				p.Set("ErrorCode", "63016")
			}),
			want: envelope("+15558675310", inbox.StatusUpdate{Status: inbox.MessageUndelivered, ErrorCode: "63016", ErrorMessage: "Twilio error 63016"}),
		},
		{name: "read", params: docsStatus(setStatus("read")), want: envelope("+15558675310", inbox.StatusUpdate{Status: inbox.MessageRead})},
		{name: "SmsStatus fallback", params: docsStatus(func(p url.Values) { p.Del("MessageStatus"); p.Set("SmsStatus", "delivered") }),
			want: envelope("", inbox.StatusUpdate{Status: inbox.MessageDelivered})},

		{name: "missing MessageSid", params: docsStatus(func(p url.Values) { p.Del("MessageSid"); p.Del("SmsSid") }), err: inbox.EInvalid},
		{name: "missing status", params: docsStatus(func(p url.Values) { p.Del("MessageStatus"); p.Del("SmsStatus") }), err: inbox.EInvalid},
		{name: "unknown status", params: docsStatus(setStatus("exploded")), err: inbox.EInvalid},
		{name: "inbound status", params: docsStatus(setStatus("received")), err: inbox.EInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseStatus(tt.params)
			if code := inbox.ErrorCodeOf(err); code != tt.err {
				t.Fatalf("ParseStatus error = %v, want code %q", err, tt.err)
			}
			if tt.err != "" {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseStatus =\n%+v %+v\nwant\n%+v %+v", got, got.Status, tt.want, tt.want.Status)
			}
		})
	}
}

// TestParseStatusGroupsWithInbound checks the point of swapping From and To: a status and the
// customer's reply in the same conversation share a FIFO group.
func TestParseStatusGroupsWithInbound(t *testing.T) {
	t.Parallel()
	in, err := ParseInbound(docsInbound(nil)) // From +14017122661 (customer) To +15558675310
	if err != nil {
		t.Fatal(err)
	}
	st, err := ParseStatus(url.Values{
		"MessageSid": {"SMout"}, "MessageStatus": {"delivered"},
		"From": {"+15558675310"}, "To": {"+14017122661"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []*inbox.Envelope{&in, &st} {
		e.AccountID, e.ChannelID, e.ChannelType = "acc", "chan", inbox.ChannelSMS
		if err := e.Validate(); err != nil {
			t.Fatalf("Validate(%s) = %v", e.Kind, err)
		}
	}
	if in.GroupKey() != st.GroupKey() {
		t.Errorf("GroupKey inbound %q != status %q", in.GroupKey(), st.GroupKey())
	}
}

func TestStatusFromTwilio(t *testing.T) {
	t.Parallel()
	// Values of the Message resource's status (https://www.twilio.com/docs/messaging/api/message-resource#message-status-values).
	tests := []struct {
		in   string
		want inbox.MessageStatus
		ok   bool
	}{
		{"queued", inbox.MessageSending, true},
		{"accepted", inbox.MessageSending, true},
		{"scheduled", inbox.MessageSending, true},
		{"sending", inbox.MessageSending, true},
		{"sent", inbox.MessageSent, true},
		{"delivered", inbox.MessageDelivered, true},
		{"read", inbox.MessageRead, true},
		{"failed", inbox.MessageFailed, true},
		{"undelivered", inbox.MessageUndelivered, true},
		{"canceled", inbox.MessageFailed, true},
		{"DELIVERED", inbox.MessageDelivered, true},
		{"receiving", "", false},
		{"received", "", false},
		{"", "", false},
		{"partially_delivered", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, ok := StatusFromTwilio(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("StatusFromTwilio(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}
