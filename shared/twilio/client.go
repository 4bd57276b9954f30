package twilio

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultBaseURL is the Twilio REST API used when NewClient is given no base URL.
const DefaultBaseURL = "https://api.twilio.com"

// maxResponseBytes bounds how much of a response is read; Twilio's bodies are a few KB.
const maxResponseBytes = 1 << 20

// Credentials authenticate to the REST API as one Twilio account (HTTP basic auth).
type Credentials struct {
	AccountSID string
	AuthToken  string
}

// OutboundSMS is one SMS or MMS to send. Body or at least one MediaURLs entry is required by
// Twilio; StatusCallback, when set, is where Twilio posts the message's status changes.
type OutboundSMS struct {
	From           string
	To             string
	Body           string
	MediaURLs      []string
	StatusCallback string
}

// Sent is Twilio's acknowledgement of a created message: its SID ("SM…") and initial status
// (usually "queued"; map it with StatusFromTwilio).
type Sent struct {
	SID    string
	Status string
}

// SendError is a failed Send. For an API error it carries Twilio's HTTP status and its error
// body (code, message, more_info); for a transport failure HTTPStatus and Code are 0.
//
// Temporary reports whether retrying may succeed: true for 429, 5xx and transport failures
// (including context cancellation), false otherwise. A transport failure after the request was
// written may still have created the message, so a retry can send a duplicate; the Messages API
// has no idempotency key to prevent it.
type SendError struct {
	HTTPStatus int
	Code       int
	Message    string
	MoreInfo   string
	Temporary  bool

	err error
}

// Error implements error.
func (e *SendError) Error() string {
	if e.HTTPStatus == 0 {
		return "twilio: request failed: " + e.Message
	}
	s := fmt.Sprintf("twilio: HTTP %d", e.HTTPStatus)
	if e.Code != 0 {
		s += fmt.Sprintf(": error %d", e.Code)
	}
	s += ": " + e.Message
	if e.MoreInfo != "" {
		s += " (" + e.MoreInfo + ")"
	}
	return s
}

// Unwrap returns the transport error, if any, so that errors.Is(err, context.Canceled) works.
func (e *SendError) Unwrap() error { return e.err }

// Client sends messages through Twilio's Messages API. It is safe for concurrent use. The
// credentials are passed per call because each channel may belong to a different Twilio account.
type Client struct {
	baseURL string
	hc      *http.Client
}

// NewClient returns a Client for baseURL (DefaultBaseURL when empty; tests and local outboxes
// pass their own) using hc, or an http.Client with a 30-second timeout when hc is nil, since
// http.DefaultClient would wait for ever on a stuck connection.
func NewClient(baseURL string, hc *http.Client) *Client {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{baseURL: strings.TrimRight(baseURL, "/"), hc: hc}
}

// Send creates a message: POST {base}/2010-04-01/Accounts/{AccountSID}/Messages.json with the
// form fields To, From, Body, MediaUrl (repeated) and StatusCallback, authenticated as
// AccountSID:AuthToken, and returns the SID and status of Twilio's 201 response.
//
// Every error is a *SendError (see SendError.Temporary): Twilio's refusals, transport failures,
// a success response without a message SID, and empty credentials, which are refused before any
// request with Temporary false because retrying cannot fix a channel's configuration.
func (c *Client) Send(ctx context.Context, cred Credentials, m OutboundSMS) (Sent, error) {
	if cred.AccountSID == "" || cred.AuthToken == "" {
		return Sent{}, &SendError{Message: "Twilio credentials are incomplete"}
	}
	form := url.Values{}
	form.Set("To", m.To)
	form.Set("From", m.From)
	if m.Body != "" {
		form.Set("Body", m.Body)
	}
	for _, u := range m.MediaURLs {
		form.Add("MediaUrl", u)
	}
	if m.StatusCallback != "" {
		form.Set("StatusCallback", m.StatusCallback)
	}
	return c.create(ctx, cred, "Messages.json", form)
}

// OutboundCall is a call to place: Twilio calls To from From and, once answered, runs the
// TwiML at URL; StatusCallback receives StatusCallbackEvents (initiated, ringing, answered,
// completed) of the call.
type OutboundCall struct {
	From                string
	To                  string
	URL                 string
	StatusCallback      string
	StatusCallbackEvent []string
	Timeout             int
}

// PlaceCall creates a call: POST {base}/2010-04-01/Accounts/{AccountSID}/Calls.json with the
// form fields To, From, Url, StatusCallback, StatusCallbackEvent (repeated) and Timeout, and
// returns the SID ("CA…") and status of Twilio's 201 response. Its errors are Send's.
func (c *Client) PlaceCall(ctx context.Context, cred Credentials, call OutboundCall) (Sent, error) {
	if cred.AccountSID == "" || cred.AuthToken == "" {
		return Sent{}, &SendError{Message: "Twilio credentials are incomplete"}
	}
	form := url.Values{"To": {call.To}, "From": {call.From}, "Url": {call.URL}}
	if call.StatusCallback != "" {
		form.Set("StatusCallback", call.StatusCallback)
		for _, e := range call.StatusCallbackEvent {
			form.Add("StatusCallbackEvent", e)
		}
	}
	if call.Timeout > 0 {
		form.Set("Timeout", strconv.Itoa(call.Timeout))
	}
	return c.create(ctx, cred, "Calls.json", form)
}

// create POSTs form to the account's resource and returns the created SID and status.
func (c *Client) create(ctx context.Context, cred Credentials, resource string, form url.Values) (Sent, error) {
	endpoint := c.baseURL + "/2010-04-01/Accounts/" + url.PathEscape(cred.AccountSID) + "/" + resource
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return Sent{}, &SendError{Message: err.Error(), err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(cred.AccountSID, cred.AuthToken)

	resp, err := c.hc.Do(req)
	if err != nil {
		return Sent{}, &SendError{Message: err.Error(), Temporary: true, err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		// Whether the resource exists is unknown here, like any transport failure.
		return Sent{}, &SendError{HTTPStatus: resp.StatusCode, Message: err.Error(), Temporary: true, err: err}
	}

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Sent{}, apiError(resp.StatusCode, body)
	}
	var created struct {
		SID    string `json:"sid"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(body, &created); err != nil || created.SID == "" {
		// Not temporary: the message or call was most likely created, and a retry would repeat it.
		return Sent{}, &SendError{HTTPStatus: resp.StatusCode, Message: "unreadable Twilio response", err: err}
	}
	return Sent{SID: created.SID, Status: created.Status}, nil
}

// apiError decodes Twilio's error body; a non-JSON body (a proxy's HTML page) keeps the HTTP
// status text as message.
func apiError(status int, body []byte) *SendError {
	var e struct {
		Code     int    `json:"code"`
		Message  string `json:"message"`
		MoreInfo string `json:"more_info"`
	}
	_ = json.Unmarshal(body, &e)
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return &SendError{
		HTTPStatus: status,
		Code:       e.Code,
		Message:    e.Message,
		MoreInfo:   e.MoreInfo,
		Temporary:  status == http.StatusTooManyRequests || status >= 500,
	}
}
