package meta

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// Event is one envelope decoded from a Meta webhook, with the business account it was addressed
// to: the Facebook Page id (Messenger) or the WhatsApp business phone number id, by which the
// intake finds the channel. The envelope's AccountID, ChannelID and ChannelType are left for the
// intake to fill.
type Event struct {
	Business string
	Envelope inbox.Envelope
}

// flexInt is an integer that Meta sends as a JSON number or as a string of digits (Messenger
// sends millisecond numbers, WhatsApp second strings, and some documented examples mix them).
// Anything else (null, "", a placeholder) decodes as 0 rather than failing the whole batch.
type flexInt int64

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(bytes.TrimSpace(b), `"`))
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*f = flexInt(n)
		return nil
	}
	if x, err := strconv.ParseFloat(s, 64); err == nil {
		*f = flexInt(int64(x))
		return nil
	}
	*f = 0
	return nil
}

// secondsCutoff separates second timestamps from millisecond ones: 1e11 seconds is in the year
// 5138, 1e11 milliseconds in 1973, so no real timestamp of either kind is on the wrong side.
const secondsCutoff = 100_000_000_000

// msTime converts a Messenger timestamp (milliseconds; seconds accepted, since the documented
// postback example uses them) to a UTC time; 0 gives the zero time.
func msTime(n flexInt) time.Time {
	switch {
	case n <= 0:
		return time.Time{}
	case n < secondsCutoff:
		return time.Unix(int64(n), 0).UTC()
	}
	return time.UnixMilli(int64(n)).UTC()
}

// secTime converts a WhatsApp timestamp (Unix seconds) to a UTC time; 0 gives the zero time.
func secTime(n flexInt) time.Time {
	if n <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(n), 0).UTC()
}

// isObject reports whether raw is a JSON object (not null, a string or an array).
func isObject(raw json.RawMessage) bool {
	b := bytes.TrimSpace(raw)
	return len(b) > 0 && b[0] == '{'
}
