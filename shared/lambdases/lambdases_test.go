package lambdases_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/openinbox/inbox/shared/lambdases"
)

// fixtures holds AWS's documented SES Lambda-action events (see its README.md).
const fixtures = "testdata"

func load(t *testing.T, name string) events.SimpleEmailEvent {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.SimpleEmailEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestReceipts(t *testing.T) {
	t.Parallel()
	ts := time.Date(1970, 1, 1, 0, 0, 0, 123000000, time.UTC)
	cases := []struct {
		file string
		want lambdases.Receipt
	}{
		{"lambda_action_event.json", lambdases.Receipt{
			SESMessageID: "6n4thuhcbhpfiuf25gshf70rss364fuejrvmqko1", Recipients: []string{"lambda@amazon.com"},
			Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS", DMARCPolicy: "reject", Timestamp: ts,
		}},
		{"lambda_action_event_failing_verdicts.json", lambdases.Receipt{
			SESMessageID: "6n4thuhcbhpfiuf25gshf70rss364fuejrvmqko1", Recipients: []string{"lambda@amazon.com"},
			Spam: "FAIL", Virus: "FAIL", SPF: "FAIL", DKIM: "GRAY", DMARC: "FAIL", DMARCPolicy: "reject", Timestamp: ts,
		}},
		{"lambda_action_event_dmarc_fail.json", lambdases.Receipt{
			SESMessageID: "6n4thuhcbhpfiuf25gshf70rss364fuejrvmqko1", Recipients: []string{"lambda@amazon.com"},
			Spam: "PASS", Virus: "PASS", SPF: "FAIL", DKIM: "GRAY", DMARC: "FAIL", DMARCPolicy: "none", Timestamp: ts,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			got := lambdases.Receipts(load(t, tc.file))
			if len(got) != 1 || !reflect.DeepEqual(got[0], tc.want) {
				t.Errorf("Receipts = %+v, want [%+v]", got, tc.want)
			}
		})
	}
}

// The senders SES could not authenticate, from the documented receipt shapes: DMARC failed, or
// SPF or DKIM failed and neither passed; a failed DMARC of a domain whose policy is quarantine
// or reject is to be quarantined.
func TestSenderUnverified(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file                   string
		edit                   func(*lambdases.Receipt)
		unverified, quarantine bool
	}{
		{file: "lambda_action_event.json"}, // dmarcPolicy reject with a DMARC PASS: nothing to do
		{file: "lambda_action_event_failing_verdicts.json", unverified: true, quarantine: true},
		{file: "lambda_action_event_dmarc_fail.json", unverified: true},
		{file: "lambda_action_event_dmarc_reject.json", unverified: true, quarantine: true},
		{file: "lambda_action_event_spf_dkim_fail.json", unverified: true},
		{file: "lambda_action_event.json", edit: func(r *lambdases.Receipt) { r.SPF, r.DMARC = "FAIL", "GRAY" }},  // DKIM passed
		{file: "lambda_action_event.json", edit: func(r *lambdases.Receipt) { r.DKIM, r.DMARC = "FAIL", "GRAY" }}, // SPF passed
		{file: "lambda_action_event.json", edit: func(r *lambdases.Receipt) { r.SPF, r.DKIM, r.DMARC = "FAIL", "GRAY", "GRAY" }, unverified: true},
		{file: "lambda_action_event.json", edit: func(r *lambdases.Receipt) { r.SPF, r.DKIM, r.DMARC = "GRAY", "GRAY", "GRAY" }}, // nothing to check
		{file: "lambda_action_event.json", edit: func(r *lambdases.Receipt) {
			r.SPF, r.DKIM, r.DMARC = "PROCESSING_FAILED", "PROCESSING_FAILED", "PROCESSING_FAILED"
		}},
		{file: "lambda_action_event.json", edit: func(r *lambdases.Receipt) { r.SPF, r.DKIM, r.DMARC = "", "", "" }}, // not reported
		{file: "lambda_action_event.json", edit: func(r *lambdases.Receipt) { r.DMARC, r.DMARCPolicy = "FAIL", "quarantine" }, unverified: true, quarantine: true},
	}
	for i, tc := range cases {
		r := lambdases.Receipts(load(t, tc.file))[0]
		if tc.edit != nil {
			tc.edit(&r)
		}
		if got := r.SenderUnverified(); got != tc.unverified {
			t.Errorf("%d %s (SPF %s, DKIM %s, DMARC %s): SenderUnverified = %v", i, tc.file, r.SPF, r.DKIM, r.DMARC, got)
		}
		if got := r.Quarantine(); got != tc.quarantine {
			t.Errorf("%d %s (DMARC %s, policy %s): Quarantine = %v", i, tc.file, r.DMARC, r.DMARCPolicy, got)
		}
	}
}

func TestReceiptsSkipsOtherSources(t *testing.T) {
	t.Parallel()
	ev := load(t, "lambda_action_event.json")
	other := ev.Records[0]
	other.EventSource = "aws:sns"
	ev.Records = append(ev.Records, other)
	if got := lambdases.Receipts(ev); len(got) != 1 {
		t.Errorf("Receipts = %d, want 1", len(got))
	}
}

func TestHandler(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ev := load(t, "lambda_action_event.json")

	var seen []string
	ok := lambdases.Handler(func(_ context.Context, r lambdases.Receipt) error {
		seen = append(seen, r.SESMessageID)
		return nil
	})
	if err := ok(ctx, ev); err != nil {
		t.Fatalf("handler: %v", err)
	}
	if len(seen) != 1 || seen[0] != "6n4thuhcbhpfiuf25gshf70rss364fuejrvmqko1" {
		t.Errorf("handled %v", seen)
	}

	// Two receipts, the first failing: the second is still handled and the invocation fails.
	second := ev.Records[0]
	second.SES.Mail.MessageID = "second"
	ev.Records = append(ev.Records, second)
	boom := errors.New("boom")
	seen = nil
	failing := lambdases.Handler(func(_ context.Context, r lambdases.Receipt) error {
		seen = append(seen, r.SESMessageID)
		if r.SESMessageID != "second" {
			return boom
		}
		return nil
	})
	err := failing(ctx, ev)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "6n4thuhcbhpfiuf25gshf70rss364fuejrvmqko1") {
		t.Errorf("err = %v, want boom naming the message", err)
	}
	if len(seen) != 2 {
		t.Errorf("handled %v, want both receipts", seen)
	}

	// A record without a message id cannot be read: the invocation fails.
	noID := load(t, "lambda_action_event.json")
	noID.Records[0].SES.Mail.MessageID = ""
	if err := ok(ctx, noID); err == nil {
		t.Error("a receipt without a message id was accepted")
	}
}
