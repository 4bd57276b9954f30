package localrun

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// MaxDroppedEmail is the largest .eml the local drop accepts (SES takes 40 MB).
const MaxDroppedEmail = 40 << 20

// dropEmail serves POST /_local/email: the raw .eml body is handled as if SES had received it —
// stored in the raw mail bucket under the receipt rule's prefix, then the email function is
// invoked with SES's receipt-rule Lambda event. ?to= lists the recipients (default: the mail's
// To and Cc); ?spam=, ?virus=, ?spf=, ?dkim= and ?dmarc= set SES's verdicts (PASS when absent;
// FAIL, GRAY or PROCESSING_FAILED), and ?dmarcPolicy= the sending domain's DMARC policy that SES
// reports with a DMARC FAIL (none when absent; quarantine, reject).
func (r *Runner) dropEmail(w http.ResponseWriter, req *http.Request) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, req.Body, MaxDroppedEmail))
	if err != nil {
		http.Error(w, `{"error":{"code":"too_large","message":"the message is larger than 40 MB"}}`, http.StatusRequestEntityTooLarge)
		return
	}
	q := req.URL.Query()
	var to []string
	if v := q.Get("to"); v != "" {
		to = strings.Split(v, ",")
	} else if m, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		for _, h := range []string{"To", "Cc"} {
			if list, err := m.Header.AddressList(h); err == nil {
				for _, a := range list {
					to = append(to, a.Address)
				}
			}
		}
	}
	verdict := func(name string) string {
		if v := q.Get(name); v != "" {
			return strings.ToUpper(v)
		}
		return "PASS"
	}
	// SES names the domain's DMARC policy only when the message failed DMARC.
	var dmarcPolicy string
	if verdict("dmarc") == "FAIL" {
		dmarcPolicy = strings.ToLower(q.Get("dmarcPolicy"))
		if dmarcPolicy == "" {
			dmarcPolicy = "none"
		}
	}
	id := randomHex(16)
	if err := r.rawMail.Put(req.Context(), "inbound/"+id, "message/rfc822", bytes.NewReader(raw), int64(len(raw))); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	ev := events.SimpleEmailEvent{Records: []events.SimpleEmailRecord{{
		EventVersion: "1.0", EventSource: "aws:ses",
		SES: events.SimpleEmailService{
			Mail: events.SimpleEmailMessage{Timestamp: time.Now().UTC(), MessageID: id, Destination: to, Source: q.Get("from")},
			Receipt: events.SimpleEmailReceipt{
				Timestamp: time.Now().UTC(), Recipients: to,
				SpamVerdict: events.SimpleEmailVerdict{Status: verdict("spam")}, VirusVerdict: events.SimpleEmailVerdict{Status: verdict("virus")},
				SPFVerdict: events.SimpleEmailVerdict{Status: verdict("spf")}, DKIMVerdict: events.SimpleEmailVerdict{Status: verdict("dkim")},
				DMARCVerdict: events.SimpleEmailVerdict{Status: verdict("dmarc")}, DMARCPolicy: dmarcPolicy,
				Action: events.SimpleEmailReceiptAction{Type: "Lambda", InvocationType: "Event", FunctionARN: "arn:aws:lambda:us-east-1:000000000000:function:EmailFunction"},
			},
		},
	}}}
	if err := r.email(req.Context(), ev); err != nil {
		http.Error(w, `{"error":{"code":"unavailable","message":"the email function failed; SES would retry"}}`, http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"sesMessageId": id, "recipients": to})
}
