package chatavail

import (
	"time"

	"github.com/openinbox/inbox/shared/channels/chat"
)

// View is what the widget shows for a state: the launcher or not, a line of text, whether it
// asks for an email address, and the next opening (the widget writes it in the visitor's own
// time zone).
type View struct {
	State        State      `json:"state"`
	HideLauncher bool       `json:"hideLauncher"`
	Text         string     `json:"text,omitempty"`
	EmailCapture bool       `json:"emailCapture"`
	NextOpening  *time.Time `json:"nextOpening,omitempty"`
	// ReplyTime is the typical reply time (available): minutes, hours, day.
	ReplyTime string `json:"replyTime,omitempty"`
}

// replyTimes are the sentences of the typical reply times.
var replyTimes = map[string]string{
	chat.ReplyMinutes: "Typically replies in a few minutes",
	chat.ReplyHours:   "Typically replies in a few hours",
	chat.ReplyDay:     "Typically replies within a day",
}

// Show turns a status into what the visitor sees, by the channel's display settings.
func Show(s chat.Settings, st Status) View {
	d := s.Display
	v := View{State: st.State}
	switch st.State {
	case Available:
		v.ReplyTime, v.Text = d.Available.ReplyTime, replyTimes[d.Available.ReplyTime]
	case Away:
		v.Text, v.EmailCapture = d.Away.Message, d.Away.EmailCapture
	case Offline:
		switch d.Offline.Show {
		case chat.OfflineHideLauncher:
			v.HideLauncher = true
		case chat.OfflineNextOpening:
			if st.Next != nil {
				v.NextOpening, v.EmailCapture = st.Next, d.Away.EmailCapture
				v.Text = "We are closed. We open again"
				break
			}
			fallthrough
		default:
			v.Text, v.EmailCapture = d.Away.Message, d.Away.EmailCapture
		}
	case AtCapacity:
		switch d.AtCapacity.Show {
		case chat.CapacityHideLauncher:
			v.HideLauncher = true
		case chat.CapacityWaitingMessage:
			v.Text = d.AtCapacity.Message
		}
	}
	return v
}
