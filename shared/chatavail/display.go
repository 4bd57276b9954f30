package chatavail

import (
	"time"

	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/i18n"
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

// Show turns a status into what the visitor sees, by the channel's display settings, in lang
// (a catalogue's tag: the product's words from the catalogue, the team's texts by
// chat.Settings.In). For Offline with a next opening, Text is only "closed": the widget writes
// the "back at" sentence itself, in the visitor's time zone.
func Show(s chat.Settings, st Status, lang string) View {
	d, texts := s.Display, s.In(lang)
	v := View{State: st.State}
	switch st.State {
	case Available:
		v.ReplyTime, v.Text = d.Available.ReplyTime, i18n.T(lang, "widget.reply."+d.Available.ReplyTime)
	case Away:
		v.Text, v.EmailCapture = texts.AwayMessage, d.Away.EmailCapture
	case Offline:
		switch d.Offline.Show {
		case chat.OfflineHideLauncher:
			v.HideLauncher = true
		case chat.OfflineNextOpening:
			if st.Next != nil {
				v.NextOpening, v.EmailCapture = st.Next, d.Away.EmailCapture
				v.Text = i18n.T(lang, "widget.offline.closed")
				break
			}
			fallthrough
		default:
			v.Text, v.EmailCapture = texts.AwayMessage, d.Away.EmailCapture
		}
	case AtCapacity:
		switch d.AtCapacity.Show {
		case chat.CapacityHideLauncher:
			v.HideLauncher = true
		case chat.CapacityWaitingMessage:
			v.Text = texts.WaitingMessage
		}
	}
	return v
}
