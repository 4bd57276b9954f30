// Package lambdases adapts the Lambda action of an SES receipt rule to a per-receipt handler.
// The aws-lambda-go event types stay in this package: handlers see a Receipt.
//
// The rule's S3 action stores the raw message before the Lambda action runs (the event carries
// headers only), so a handler reads the body from the bucket by SESMessageID.
package lambdases

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Verdict values SES reports for its spam, virus, SPF, DKIM and DMARC checks.
const (
	VerdictPass             = "PASS"
	VerdictFail             = "FAIL"
	VerdictGray             = "GRAY"
	VerdictProcessingFailed = "PROCESSING_FAILED"
)

// DMARC policies a sending domain may publish (Receipt.DMARCPolicy).
const (
	DMARCPolicyNone       = "none"
	DMARCPolicyQuarantine = "quarantine"
	DMARCPolicyReject     = "reject"
)

// Receipt is one message SES accepted, as a handler sees it.
type Receipt struct {
	// SESMessageID is SES's id of the message: the name of its raw copy in the bucket.
	SESMessageID string
	// Recipients are the envelope recipients this receipt rule matched (not the To header).
	Recipients []string
	// Spam, Virus, SPF, DKIM and DMARC are the verdicts (VerdictPass, VerdictFail…), upper
	// case; empty when SES did not report one (the rule does not scan).
	Spam, Virus, SPF, DKIM, DMARC string
	// DMARCPolicy is the sending domain's DMARC policy, lower case ("none", "quarantine",
	// "reject"); SES reports it only when the message failed DMARC.
	DMARCPolicy string
	// Timestamp is when SES received the message.
	Timestamp time.Time
}

// Receipts returns the receipts of an SES Lambda-action event, skipping records of any other
// source.
func Receipts(ev events.SimpleEmailEvent) []Receipt {
	out := make([]Receipt, 0, len(ev.Records))
	for _, rec := range ev.Records {
		if rec.EventSource != "" && rec.EventSource != "aws:ses" {
			continue
		}
		m, r := rec.SES.Mail, rec.SES.Receipt
		ts := r.Timestamp
		if ts.IsZero() {
			ts = m.Timestamp
		}
		out = append(out, Receipt{
			SESMessageID: m.MessageID,
			Recipients:   append([]string(nil), r.Recipients...),
			Spam:         verdict(r.SpamVerdict),
			Virus:        verdict(r.VirusVerdict),
			SPF:          verdict(r.SPFVerdict),
			DKIM:         verdict(r.DKIMVerdict),
			DMARC:        verdict(r.DMARCVerdict),
			DMARCPolicy:  strings.ToLower(strings.TrimSpace(r.DMARCPolicy)),
			Timestamp:    ts.UTC(),
		})
	}
	return out
}

// SenderUnverified reports whether SES could not authenticate the sender: DMARC failed, or SPF
// or DKIM failed and neither passed (a forged From of a domain without DMARC, signed or not).
// Verdicts SES did not report, GRAY (nothing to check: no SPF record, no signature) and
// PROCESSING_FAILED alone leave the sender as it is.
func (r Receipt) SenderUnverified() bool {
	if r.DMARC == VerdictFail {
		return true
	}
	return r.SPF != VerdictPass && r.DKIM != VerdictPass && (r.SPF == VerdictFail || r.DKIM == VerdictFail)
}

// Quarantine reports whether the sender's domain asks receivers to quarantine or reject mail
// that fails DMARC, and this one did.
func (r Receipt) Quarantine() bool {
	return r.DMARC == VerdictFail && (r.DMARCPolicy == DMARCPolicyQuarantine || r.DMARCPolicy == DMARCPolicyReject)
}

func verdict(v events.SimpleEmailVerdict) string {
	return strings.ToUpper(strings.TrimSpace(v.Status))
}

// Handler returns the Lambda handler of an asynchronous (InvocationType Event) SES Lambda
// action. Every receipt is handed to h; when any fails, the joined error is returned so that
// Lambda retries the invocation and, once its retries are spent, sends the event to the
// function's dead-letter queue. h must therefore be idempotent. A receipt without a message id
// is an error too: nothing could be read for it.
func Handler(h func(context.Context, Receipt) error) func(context.Context, events.SimpleEmailEvent) error {
	return func(ctx context.Context, ev events.SimpleEmailEvent) error {
		var errs []error
		for _, r := range Receipts(ev) {
			if r.SESMessageID == "" {
				errs = append(errs, errors.New("SES receipt without a message id"))
				continue
			}
			if err := h(ctx, r); err != nil {
				errs = append(errs, fmt.Errorf("SES message %s: %w", r.SESMessageID, err))
			}
		}
		return errors.Join(errs...)
	}
}
