// Package sesmail sends email through Amazon SES (the v1 SendRawEmail action): the outbound edge
// of the team email channel. The message is built elsewhere (package mail); this package only
// hands its bytes to SES and turns SES's refusals into *inbox.SendError.
//
// SES replaces the Message-ID header of a message it sends with its own
// (<MessageId@region.amazonses.com>) and the Date header with the time it accepted the message;
// every other header is kept.
package sesmail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/openinbox/inbox/shared/inbox"
)

// Client calls SES's v1 API in one region with signed requests of its query protocol (POST of
// a form, XML answers). It replaces the SDK's ses client on purpose: the functions make one
// call of it (SendRawEmail), and the SDK client's operation schemas and endpoint tables (about
// 370 KB and 2,400 allocations at package init) were a fifth of the router's and the
// schedule's cold start beyond an empty handler's, paid whether or not a notice is sent.
type Client struct {
	cfg      aws.Config
	endpoint string
	http     *http.Client
	// attempts and backoff bound the retries of temporary refusals and network failures,
	// as the SDK's standard retryer: three attempts in all.
	attempts int
	backoff  time.Duration
}

// NewClient returns an SES client for cfg; a non-empty endpoint replaces AWS's
// (https://email.<region>.amazonaws.com; an emulator's URL, such as SES_ENDPOINT in tests).
func NewClient(cfg aws.Config, endpoint string) *Client {
	if endpoint == "" {
		domain := "amazonaws.com"
		if strings.HasPrefix(cfg.Region, "cn-") {
			domain = "amazonaws.com.cn"
		}
		endpoint = "https://email." + cfg.Region + "." + domain
	}
	return &Client{cfg: cfg, endpoint: strings.TrimSuffix(endpoint, "/"), http: &http.Client{Timeout: 30 * time.Second},
		attempts: 3, backoff: 100 * time.Millisecond}
}

// Sender sends raw MIME messages with SES.
type Sender struct {
	client *Client
}

// New returns a Sender using client.
func New(client *Client) *Sender {
	return &Sender{client: client}
}

// Error is SES's refusal: its error code (MessageRejected, Throttling…; http_<status> when
// the answer has none), message and HTTP status.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("SES %s (HTTP %d): %s", e.Code, e.Status, e.Message)
}

// SendRaw sends raw, a complete RFC 5322 message, from the envelope sender from (a bare address;
// "" lets SES take the From header) to the envelope recipients to, and returns SES's message id.
//
// A refusal is an *inbox.SendError whose Code is SES's error code ("MessageRejected",
// "MailFromDomainNotVerifiedException", "ConfigurationSetDoesNotExist",
// "AccountSendingPausedException"…), Temporary for throttling (other than the exhausted daily
// quota), SES's 5xx answers and network failures ("network"), which the outbound queue retries;
// temporary failures are tried three times before.
func (s *Sender) SendRaw(ctx context.Context, from string, to []string, raw []byte) (string, error) {
	form := url.Values{"Action": {"SendRawEmail"}, "Version": {"2010-12-01"}, "RawMessage.Data": {base64.StdEncoding.EncodeToString(raw)}}
	for i, a := range to {
		form.Set("Destinations.member."+strconv.Itoa(i+1), a)
	}
	if from != "" {
		form.Set("Source", from)
	}
	body := []byte(form.Encode())
	var se *inbox.SendError
	for i := range s.client.attempts {
		if i > 0 {
			wait := s.client.backoff << (i - 1)
			wait += time.Duration(rand.Int64N(int64(wait) + 1))
			select {
			case <-ctx.Done():
				return "", SendError(ctx.Err())
			case <-time.After(wait):
			}
		}
		id, err := s.client.sendRaw(ctx, body)
		if err == nil {
			if id == "" {
				return "", &inbox.SendError{Code: "no_message_id", Message: "SES accepted the message without a message id", Temporary: false}
			}
			return id, nil
		}
		if se = SendError(err); !se.Temporary || ctx.Err() != nil {
			return "", se
		}
	}
	return "", se
}

// sendRaw makes one SendRawEmail request of the form body and returns the message id.
func (c *Client) sendRaw(ctx context.Context, body []byte) (string, error) {
	if c.cfg.Credentials == nil {
		return "", &Error{Code: "no_credentials", Message: "no AWS credentials"}
	}
	creds, err := c.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("credentials: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return "", &Error{Code: "bad_request", Message: err.Error()}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ses", c.cfg.Region, time.Now()); err != nil {
		return "", &Error{Code: "sign_failed", Message: err.Error()}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		e := &Error{Status: resp.StatusCode}
		var doc struct {
			Error struct {
				Code    string `xml:"Code"`
				Message string `xml:"Message"`
			} `xml:"Error"`
		}
		if xml.Unmarshal(raw, &doc) == nil {
			e.Code, e.Message = doc.Error.Code, doc.Error.Message
		}
		if e.Code == "" {
			e.Code = "http_" + strconv.Itoa(resp.StatusCode)
		}
		if e.Message == "" {
			e.Message = strings.TrimSpace(string(raw))
		}
		return "", e
	}
	var out struct {
		MessageID string `xml:"SendRawEmailResult>MessageId"`
	}
	if err := xml.Unmarshal(raw, &out); err != nil {
		return "", &Error{Status: resp.StatusCode, Code: "malformed_answer", Message: err.Error()}
	}
	return strings.TrimSpace(out.MessageID), nil
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

// SendError converts an error of SendRaw's requests into an *inbox.SendError; see
// Sender.SendRaw.
func SendError(err error) *inbox.SendError {
	if err == nil {
		return nil
	}
	var se *inbox.SendError
	if errors.As(err, &se) {
		return se
	}
	var e *Error
	if !errors.As(err, &e) {
		// No answer from SES: connection refused or reset, DNS, timeout, cancelled context.
		return &inbox.SendError{Code: "network", Message: err.Error(), Temporary: true}
	}
	msg := e.Message
	if msg == "" {
		msg = e.Error()
	}
	temporary := temporaryCodes[e.Code] || e.Status >= 500 || e.Status == 429
	if e.Code == "Throttling" && strings.Contains(strings.ToLower(msg), "daily message quota") {
		// The 24-hour quota is spent: retrying within minutes cannot succeed.
		temporary = false
	}
	return &inbox.SendError{Code: e.Code, Message: msg, Temporary: temporary}
}
