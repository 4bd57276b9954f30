package meta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// DefaultBaseURL is the Graph API root (with its version) used when NewClient is given none.
const DefaultBaseURL = "https://graph.facebook.com/v21.0"

// maxResponseBytes bounds how much of a JSON response or error body is read.
const maxResponseBytes = 1 << 20

// Client calls the Graph API: Messenger's Send API, WhatsApp's /messages and media endpoints.
// It is safe for concurrent use. Tokens are passed per call, since every page and WhatsApp
// number has its own, and are sent as "Authorization: Bearer", which the Graph API accepts in
// place of the access_token parameter and which keeps them out of URLs and their logs.
type Client struct {
	baseURL string
	hc      *http.Client
}

// NewClient returns a Client for baseURL (DefaultBaseURL when empty; tests and local outboxes
// pass their own, including any version path) using hc, or an http.Client with a 30-second
// timeout when hc is nil, since http.DefaultClient would wait for ever on a stuck connection.
func NewClient(baseURL string, hc *http.Client) *Client {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{baseURL: strings.TrimRight(baseURL, "/"), hc: hc}
}

// OutboundAttachment is a file sent by link: Meta fetches URL itself, so it must be publicly
// reachable (a presigned URL will do). Type is image, audio, video or file (sent to WhatsApp as
// a document, named Name when set).
type OutboundAttachment struct {
	Type inbox.AttachmentType
	URL  string
	Name string
}

// MessengerMessage is one Send API message to a Messenger user. It carries either Text or one
// Attachment. MessagingType and Tag come from MessengerPolicy; an empty MessagingType is sent as
// "RESPONSE".
type MessengerMessage struct {
	PSID          string
	MessagingType string
	Tag           string
	Text          string
	Attachment    *OutboundAttachment
	// Metadata is echoed back on the page's message_echoes event (at most 1,000 characters):
	// the inbox marks its own sends with it, so that their echoes are not stored twice.
	Metadata string
}

// WhatsAppMessage is one Cloud API message to a WhatsApp user. To is the user's number, with or
// without "+". Template, when set, makes it a template message (Text and Media are then
// ignored, since an approved template's content is fixed); otherwise Media sends a file with
// Text as its caption (images, videos and documents only), and a message without Media is the
// text Text. ReplyTo, when set, quotes the message with that wamid.
type WhatsAppMessage struct {
	To       string
	Text     string
	Media    *OutboundAttachment
	Template *inbox.Template
	ReplyTo  string
}

// MediaInfo is the Graph API's description of a WhatsApp media file. URL is valid for five
// minutes and must be fetched with Download and the same token.
type MediaInfo struct {
	ID       string
	URL      string
	MimeType string
	SHA256   string
	FileSize int64
}

// GraphError is a failed Graph API call. For an API error it carries the HTTP status and the
// fields of Graph's error body ({"error":{"message","type","code","error_subcode",
// "error_data":{"details"},"fbtrace_id"}}); for a transport failure HTTPStatus and Code are 0.
//
// Temporary reports whether retrying may succeed: true for HTTP 429 and 5xx, transport failures
// (including context cancellation), errors Graph marks is_transient, and the throttling and
// outage codes 1, 2, 4, 17, 32, 341, 613, 80007, 130429, 131000, 131016, 131048 and 131056;
// false for everything else (190 invalid token, 10 and 200–299 permissions, 100 invalid
// parameter, 551 person unavailable, 131047 re-engagement, 131026 undeliverable, 131051
// unsupported type, 132000 and 132001 template errors…). A transport failure after the request
// was written may still have sent the message, so a retry can send a duplicate.
type GraphError struct {
	HTTPStatus int
	Code       int
	Subcode    int
	Type       string
	Message    string
	// Details is error_data.details, WhatsApp's longer explanation, when given.
	Details   string
	TraceID   string
	Temporary bool

	err error
}

// Error implements error.
func (e *GraphError) Error() string {
	if e.HTTPStatus == 0 && e.Code == 0 {
		return "meta: request failed: " + e.Message
	}
	s := fmt.Sprintf("meta: HTTP %d", e.HTTPStatus)
	if e.Code != 0 {
		s += fmt.Sprintf(": error %d", e.Code)
		if e.Subcode != 0 {
			s += fmt.Sprintf("/%d", e.Subcode)
		}
	}
	s += ": " + e.Message
	if e.Details != "" && e.Details != e.Message {
		s += " (" + e.Details + ")"
	}
	if e.TraceID != "" {
		s += " [fbtrace_id " + e.TraceID + "]"
	}
	return s
}

// Unwrap returns the transport error, if any, so that errors.Is(err, context.Canceled) works.
func (e *GraphError) Unwrap() error { return e.err }

// temporaryCodes are the Graph and WhatsApp error codes that mean "throttled or down, try later".
var temporaryCodes = map[int]bool{
	1: true, 2: true, 4: true, 17: true, 32: true, 341: true, 613: true, 80007: true,
	130429: true, 131000: true, 131016: true, 131048: true, 131056: true,
}

// AsSendError converts an error of this package into the inbox's provider refusal: Code is the
// Graph error code, or "http_<status>" for an error without one, "network" for a transport
// failure and "misconfigured" for a call refused before any request (missing token or id,
// invalid message); Message is Graph's message, followed by error_data.details when given;
// Temporary is GraphError.Temporary. An *inbox.SendError is returned as is, any other non-nil
// error becomes a temporary "network" refusal, and nil gives nil.
func AsSendError(err error) *inbox.SendError {
	if err == nil {
		return nil
	}
	var se *inbox.SendError
	if errors.As(err, &se) {
		return se
	}
	var ge *GraphError
	if !errors.As(err, &ge) {
		return &inbox.SendError{Code: "network", Message: err.Error(), Temporary: true}
	}
	code := "misconfigured"
	switch {
	case ge.Code != 0:
		code = strconv.Itoa(ge.Code)
	case ge.HTTPStatus != 0:
		code = "http_" + strconv.Itoa(ge.HTTPStatus)
	case ge.Temporary:
		code = "network"
	}
	msg := ge.Message
	if ge.Details != "" && ge.Details != ge.Message {
		msg += ": " + ge.Details
	}
	return &inbox.SendError{Code: code, Message: msg, Temporary: ge.Temporary}
}

// misconfigured is a refusal made before any request: retrying cannot fix it.
func misconfigured(format string, args ...any) *GraphError {
	return &GraphError{Message: fmt.Sprintf(format, args...)}
}

// SendMessenger sends m from the page pageID with its page access token: POST
// {base}/{pageID}/messages with the JSON body {"recipient":{"id":PSID},"messaging_type":…,
// "tag":… (when set),"message":{"text":…} or {"attachment":{"type":"image|audio|video|file",
// "payload":{"url":…,"is_reusable":true}}}}. It returns the Send API's message_id (the mid that
// the message's echo and receipts will carry).
//
// Every error is a *GraphError (see GraphError.Temporary): Graph's refusals, transport failures,
// a success response without a message_id (not temporary: the message was most likely sent), and
// calls refused before any request because pageID, pageToken or PSID is empty, the message has
// both or neither of Text and Attachment, or the attachment type is not one Messenger sends.
func (c *Client) SendMessenger(ctx context.Context, pageID, pageToken string, m MessengerMessage) (string, error) {
	if pageID == "" || pageToken == "" {
		return "", misconfigured("the Messenger page id or access token is not configured")
	}
	if m.PSID == "" {
		return "", misconfigured("the Messenger recipient has no page-scoped id")
	}
	type payload struct {
		URL        string `json:"url"`
		IsReusable bool   `json:"is_reusable"`
	}
	type attachment struct {
		Type    string  `json:"type"`
		Payload payload `json:"payload"`
	}
	type message struct {
		Text       string      `json:"text,omitempty"`
		Attachment *attachment `json:"attachment,omitempty"`
		Metadata   string      `json:"metadata,omitempty"`
	}
	var req struct {
		Recipient struct {
			ID string `json:"id"`
		} `json:"recipient"`
		MessagingType string  `json:"messaging_type"`
		Tag           string  `json:"tag,omitempty"`
		Message       message `json:"message"`
	}
	req.Recipient.ID = m.PSID
	req.MessagingType = m.MessagingType
	if req.MessagingType == "" {
		req.MessagingType = MessagingTypeResponse
	}
	req.Tag = m.Tag
	req.Message.Metadata = m.Metadata
	switch {
	case m.Attachment != nil && m.Text != "":
		return "", misconfigured("a Messenger message carries either text or one attachment, not both")
	case m.Attachment != nil:
		switch m.Attachment.Type {
		case inbox.AttachImage, inbox.AttachAudio, inbox.AttachVideo, inbox.AttachFile:
		default:
			return "", misconfigured("Messenger cannot send a %q attachment", m.Attachment.Type)
		}
		if m.Attachment.URL == "" {
			return "", misconfigured("the attachment has no URL")
		}
		req.Message.Attachment = &attachment{
			Type:    string(m.Attachment.Type),
			Payload: payload{URL: m.Attachment.URL, IsReusable: true},
		}
	case m.Text != "":
		req.Message.Text = m.Text
	default:
		return "", misconfigured("the Messenger message is empty")
	}
	var resp struct {
		RecipientID string `json:"recipient_id"`
		MessageID   string `json:"message_id"`
	}
	if err := c.postJSON(ctx, "/"+url.PathEscape(pageID)+"/messages", pageToken, req, &resp); err != nil {
		return "", err
	}
	if resp.MessageID == "" {
		return "", &GraphError{HTTPStatus: http.StatusOK, Message: "Send API response without message_id"}
	}
	return resp.MessageID, nil
}

// SendWhatsApp sends m from the business number phoneNumberID with token: POST
// {base}/{phoneNumberID}/messages with {"messaging_product":"whatsapp","recipient_type":
// "individual","to":<digits without "+">} and either "type":"template" with
// {"name","language":{"code"},"components":[{"type":"body","parameters":[{"type":"text",
// "text"}…]}]} (components omitted without parameters), a media type (image, audio, video,
// document) with {"link","caption","filename"}, or "type":"text" with {"preview_url":false,
// "body"}; plus "context":{"message_id":ReplyTo} when replying. It returns messages[0].id, the
// wamid that statuses will carry.
//
// Every error is a *GraphError (see GraphError.Temporary): Graph's refusals, transport failures,
// a success response without a message id (not temporary), and calls refused before any request
// because phoneNumberID, token or To is empty, the template has no name or language, the media
// type or URL is unusable, audio is given a caption, or there is nothing to send.
func (c *Client) SendWhatsApp(ctx context.Context, phoneNumberID, token string, m WhatsAppMessage) (string, error) {
	if phoneNumberID == "" || token == "" {
		return "", misconfigured("the WhatsApp phone number id or access token is not configured")
	}
	to := strings.TrimPrefix(strings.TrimSpace(m.To), "+")
	if to == "" {
		return "", misconfigured("the WhatsApp recipient has no number")
	}
	req := map[string]any{
		"messaging_product": "whatsapp",
		"recipient_type":    "individual",
		"to":                to,
	}
	switch {
	case m.Template != nil:
		t := m.Template
		if t.Name == "" || t.Language == "" {
			return "", misconfigured("the WhatsApp template has no name or language")
		}
		tpl := map[string]any{"name": t.Name, "language": map[string]string{"code": t.Language}}
		if len(t.Parameters) > 0 {
			params := make([]map[string]string, 0, len(t.Parameters))
			for _, p := range t.Parameters {
				params = append(params, map[string]string{"type": "text", "text": p})
			}
			tpl["components"] = []map[string]any{{"type": "body", "parameters": params}}
		}
		req["type"] = "template"
		req["template"] = tpl
	case m.Media != nil:
		var typ string
		switch m.Media.Type {
		case inbox.AttachImage, inbox.AttachAudio, inbox.AttachVideo:
			typ = string(m.Media.Type)
		case inbox.AttachFile:
			typ = "document"
		default:
			return "", misconfigured("WhatsApp cannot send a %q attachment", m.Media.Type)
		}
		if m.Media.URL == "" {
			return "", misconfigured("the attachment has no URL")
		}
		media := map[string]string{"link": m.Media.URL}
		if m.Text != "" {
			if typ == "audio" {
				return "", misconfigured("WhatsApp audio messages carry no caption")
			}
			media["caption"] = m.Text
		}
		if typ == "document" && m.Media.Name != "" {
			media["filename"] = m.Media.Name
		}
		req["type"] = typ
		req[typ] = media
	case m.Text != "":
		req["type"] = "text"
		req["text"] = map[string]any{"preview_url": false, "body": m.Text}
	default:
		return "", misconfigured("the WhatsApp message is empty")
	}
	if m.ReplyTo != "" {
		req["context"] = map[string]string{"message_id": m.ReplyTo}
	}
	var resp struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if err := c.postJSON(ctx, "/"+url.PathEscape(phoneNumberID)+"/messages", token, req, &resp); err != nil {
		return "", err
	}
	if len(resp.Messages) == 0 || resp.Messages[0].ID == "" {
		return "", &GraphError{HTTPStatus: http.StatusOK, Message: "WhatsApp response without message id"}
	}
	return resp.Messages[0].ID, nil
}

// Media looks up a WhatsApp media file by id: GET {base}/{mediaID} with token. The returned URL
// expires after five minutes; media ids from webhooks expire after seven days.
//
// Every error is a *GraphError: Graph's refusals (an unknown or expired id is a 4xx, not
// temporary), transport failures, an unreadable response or one without a URL, and empty
// mediaID or token, refused before any request.
func (c *Client) Media(ctx context.Context, mediaID, token string) (MediaInfo, error) {
	if mediaID == "" || token == "" {
		return MediaInfo{}, misconfigured("media id or access token is missing")
	}
	var resp struct {
		ID       string  `json:"id"`
		URL      string  `json:"url"`
		MimeType string  `json:"mime_type"`
		SHA256   string  `json:"sha256"`
		FileSize flexInt `json:"file_size"`
	}
	req, err := c.newRequest(ctx, http.MethodGet, c.baseURL+"/"+url.PathEscape(mediaID), token, nil)
	if err != nil {
		return MediaInfo{}, err
	}
	if err := c.doJSON(req, &resp); err != nil {
		return MediaInfo{}, err
	}
	if resp.URL == "" {
		return MediaInfo{}, &GraphError{HTTPStatus: http.StatusOK, Message: "media response without url"}
	}
	return MediaInfo{ID: resp.ID, URL: resp.URL, MimeType: resp.MimeType, SHA256: resp.SHA256, FileSize: int64(resp.FileSize)}, nil
}

// Download fetches a media file from a URL given by Media (or a webhook's media url): GET mediaURL
// with the token as Bearer, which Meta requires. It returns the body, which the caller must
// close, and the response's Content-Type. The token is sent to mediaURL, so it must come from the
// Graph API; Go's client does not forward it on a redirect to another host.
//
// Every error is a *GraphError: a non-2xx answer (404 when the URL has expired: look the media
// up again; not temporary), transport failures, and an empty url or token, refused before any
// request.
func (c *Client) Download(ctx context.Context, mediaURL, token string) (io.ReadCloser, string, error) {
	if mediaURL == "" || token == "" {
		return nil, "", misconfigured("media url or access token is missing")
	}
	req, err := c.newRequest(ctx, http.MethodGet, mediaURL, token, nil)
	if err != nil {
		return nil, "", err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, "", &GraphError{Message: err.Error(), Temporary: true, err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
		return nil, "", apiError(resp.StatusCode, body)
	}
	return resp.Body, resp.Header.Get("Content-Type"), nil
}

func (c *Client) newRequest(ctx context.Context, method, endpoint, token string, body []byte) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, endpoint, r)
	if err != nil {
		return nil, &GraphError{Message: err.Error(), err: err}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

func (c *Client) postJSON(ctx context.Context, path, token string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return &GraphError{Message: err.Error(), err: err}
	}
	req, err := c.newRequest(ctx, http.MethodPost, c.baseURL+path, token, body)
	if err != nil {
		return err
	}
	return c.doJSON(req, out)
}

// doJSON sends req and decodes a 2xx JSON answer into out, or returns the *GraphError.
func (c *Client) doJSON(req *http.Request, out any) error {
	resp, err := c.hc.Do(req)
	if err != nil {
		return &GraphError{Message: err.Error(), Temporary: true, err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		// Whether a message was sent is unknown here, like any transport failure.
		return &GraphError{HTTPStatus: resp.StatusCode, Message: err.Error(), Temporary: true, err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return apiError(resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		// Not temporary: a send most likely went through, and a retry would repeat it.
		return &GraphError{HTTPStatus: resp.StatusCode, Message: "unreadable Graph API response", err: err}
	}
	return nil
}

// apiError decodes Graph's error body; a body that is not one (a proxy's HTML page, an expired
// media URL) keeps the HTTP status text as message.
func apiError(status int, body []byte) *GraphError {
	var e struct {
		Error struct {
			Message     string          `json:"message"`
			Type        string          `json:"type"`
			Code        int             `json:"code"`
			Subcode     int             `json:"error_subcode"`
			IsTransient bool            `json:"is_transient"`
			ErrorData   json.RawMessage `json:"error_data"`
			TraceID     string          `json:"fbtrace_id"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	ge := &GraphError{
		HTTPStatus: status,
		Code:       e.Error.Code,
		Subcode:    e.Error.Subcode,
		Type:       e.Error.Type,
		Message:    e.Error.Message,
		TraceID:    e.Error.TraceID,
	}
	if isObject(e.Error.ErrorData) {
		var d struct {
			Details string `json:"details"`
		}
		if json.Unmarshal(e.Error.ErrorData, &d) == nil {
			ge.Details = d.Details
		}
	}
	if ge.Message == "" {
		ge.Message = http.StatusText(status)
	}
	ge.Temporary = status == http.StatusTooManyRequests || status >= 500 || e.Error.IsTransient || temporaryCodes[ge.Code]
	return ge
}
