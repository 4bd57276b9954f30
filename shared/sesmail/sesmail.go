// Package sesmail sends email through Amazon SES (the v1 SendRawEmail action): the outbound edge
// of the team email channel. The message is built elsewhere (package mail); this package only
// hands its bytes to SES and turns SES's refusals into *inbox.SendError.
//
// SES replaces the Message-ID header of a message it sends with its own
// (<MessageId@region.amazonses.com>) and the Date header with the time it accepted the message;
// every other header is kept.
package sesmail

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/smithy-go"

	"github.com/openinbox/inbox/shared/inbox"
)

// NewClient returns an SES client for cfg; a non-empty endpoint replaces AWS's (an emulator's
// URL, such as SES_ENDPOINT in tests).
func NewClient(cfg aws.Config, endpoint string) *ses.Client {
	return ses.NewFromConfig(cfg, func(o *ses.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
}

// Sender sends raw MIME messages with SES.
type Sender struct {
	client *ses.Client
}

// New returns a Sender using client.
func New(client *ses.Client) *Sender {
	return &Sender{client: client}
}

// SendRaw sends raw, a complete RFC 5322 message, from the envelope sender from (a bare address;
// "" lets SES take the From header) to the envelope recipients to, and returns SES's message id.
//
// A refusal is an *inbox.SendError whose Code is SES's error code ("MessageRejected",
// "MailFromDomainNotVerifiedException", "ConfigurationSetDoesNotExist",
// "AccountSendingPausedException"…), Temporary for throttling (other than the exhausted daily
// quota), SES's 5xx answers and network failures ("network"), which the outbound queue retries.
func (s *Sender) SendRaw(ctx context.Context, from string, to []string, raw []byte) (string, error) {
	in := &ses.SendRawEmailInput{
		Destinations: to,
		RawMessage:   &sestypes.RawMessage{Data: raw},
	}
	if from != "" {
		in.Source = aws.String(from)
	}
	out, err := s.client.SendRawEmail(ctx, in)
	if err != nil {
		return "", SendError(err)
	}
	id := aws.ToString(out.MessageId)
	if id == "" {
		return "", &inbox.SendError{Code: "no_message_id", Message: "SES accepted the message without a message id", Temporary: false}
	}
	return id, nil
}

// temporaryCodes are SES error codes worth retrying later.
var temporaryCodes = map[string]bool{
	"Throttling":               true,
	"ThrottlingException":      true,
	"MaxSendingRateExceeded":   true,
	"TooManyRequestsException": true,
	"ServiceUnavailable":       true,
	"InternalFailure":          true,
	"InternalError":            true,
	"RequestTimeout":           true,
	"RequestTimeoutException":  true,
}

// SendError converts an error of the SES client into an *inbox.SendError; see Sender.SendRaw.
func SendError(err error) *inbox.SendError {
	if err == nil {
		return nil
	}
	var se *inbox.SendError
	if errors.As(err, &se) {
		return se
	}
	status := 0
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() != "" {
		code, msg := api.ErrorCode(), api.ErrorMessage()
		if msg == "" {
			msg = err.Error()
		}
		temporary := temporaryCodes[code] || status >= 500
		if code == "Throttling" && strings.Contains(strings.ToLower(msg), "daily message quota") {
			// The 24-hour quota is spent: retrying within minutes cannot succeed.
			temporary = false
		}
		return &inbox.SendError{Code: code, Message: msg, Temporary: temporary}
	}
	if status != 0 {
		return &inbox.SendError{Code: "http_" + strconv.Itoa(status), Message: err.Error(), Temporary: status >= 500 || status == 429}
	}
	// No answer from SES: connection refused or reset, DNS, timeout, cancelled context.
	return &inbox.SendError{Code: "network", Message: err.Error(), Temporary: true}
}
