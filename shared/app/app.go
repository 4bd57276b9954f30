// Package app is the composition root of the functions: it reads their configuration
// (Config, FromEnv), builds what every function needs (the DynamoDB store with its sealing key,
// the SQS queues) and serves a built handler under the Lambda runtime (ServeHTTP, ServeQueue,
// ServeEmail, ServeSchedule). The Lambda mains and the local runner both use it, so the code that
// runs locally is the code that runs in AWS.
//
// Each function's own wiring is a small package beside it (apifn, intakefn, routerfn,
// dispatchfn, mediafn, emailfn, schedulefn; assignment for the routing the API, the router and
// the schedule share), so that a function's binary links only what that function uses: Go links
// every package imported and runs all their init()s at cold start, and one package building
// every function made the Twilio intake link and initialise the HTML sanitizer, the MIME
// parser and the SES client. This package itself must stay light: it imports the store, the
// queues and the Lambda event adapters, never a service. A main is one line:
//
//	func main() { app.ServeHTTP(intakefn.Twilio) }
//
// and the local runner composes the same builders (infra/localrun).
package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/awssecret"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/secretbox"
	"github.com/openinbox/inbox/shared/sqsqueue"
)

// Config is every setting a function reads. FromEnv fills it from the environment that
// template.yaml sets; the local runner fills it directly.
type Config struct {
	AWS              aws.Config
	TableName        string // TABLE_NAME
	InboundQueueURL  string // INBOUND_QUEUE_URL
	OutboundQueueURL string // OUTBOUND_QUEUE_URL
	MediaQueueURL    string // MEDIA_QUEUE_URL: copies of inbound media (router)
	MediaBucket      string // MEDIA_BUCKET: media copies and uploads (media, api, dispatch)
	S3Endpoint       string // S3_ENDPOINT: an S3 emulator (empty in AWS)
	GraphAPIBase     string // GRAPH_API_BASE: the Graph API, or the local stand-in
	// InboundEmailDomain is the SES receiving domain of forwarding addresses (INBOUND_EMAIL_DOMAIN).
	InboundEmailDomain string
	// RawMailBucket holds the raw inbound mail SES stores (RAW_MAIL_BUCKET), under RawMailPrefix
	// (RAW_MAIL_PREFIX, default "inbound/"): the email function reads it there.
	RawMailBucket string
	RawMailPrefix string
	// SESEndpoint points the SES client at an emulator (SES_ENDPOINT); empty in AWS, where SES
	// replaces the Message-ID of what it sends.
	SESEndpoint string
	// MediaAttempts is how often a media copy is tried (MEDIA_ATTEMPTS, default 4); keep it
	// below the media queue's maxReceiveCount.
	MediaAttempts int
	// SecretKey seals channel secrets at rest: INBOX_SECRET_KEY locally, or the Secrets Manager
	// secret named by SECRET_KEY_ARN in AWS.
	SecretKey    string
	SecretKeyARN string
	// PublicBaseURL is where webhooks, the chat widget and forms are served (PUBLIC_BASE_URL):
	// the webhooks' API or its custom domain; empty means the request's own host.
	PublicBaseURL string
	// AgentAppOrigins are the origins of the agents' web app (AGENT_APP_ORIGINS,
	// comma-separated), which may frame the chat widget to preview a chat's settings; the
	// widget's own origin always may.
	AgentAppOrigins []string
	TwilioAPIBase   string // TWILIO_API_BASE: Twilio's API, or the local outbox
	// DynamoDBEndpoint and SQSEndpoint point the clients at emulators (empty in AWS).
	DynamoDBEndpoint string // DYNAMODB_ENDPOINT
	SQSEndpoint      string // SQS_ENDPOINT
	// DisableDynamoDBChecksum is for minidyn, which sends no valid X-Amz-Crc32; the store
	// then also avoids what minidyn's indexes get wrong (dynamo.Store.NoIndexEntryByUpdate).
	DisableDynamoDBChecksum bool
	// SendAttempts is how many times dispatch tries a temporary failure (SEND_ATTEMPTS, default 4).
	SendAttempts int
	// NotifyFrom is the From address of the emails to users (NOTIFY_FROM), an identity
	// verified in SES; empty sends none. AppURL is the agents' web app (APP_URL), whose
	// conversation links the emails carry; optional.
	NotifyFrom string
	AppURL     string
	// WebSocketEndpoint is the WebSocket API stage connections are pushed to (WS_ENDPOINT,
	// https://{api-id}.execute-api.{region}.amazonaws.com/{stage}); browsers connect to its
	// LiveURL.
	WebSocketEndpoint string
	// JWTIssuer and JWTAudience are the agents' token issuer and audience (JWT_ISSUER,
	// JWT_AUDIENCE: one client id or several, comma-separated), which the ws function checks as
	// the HTTP API's authorizer does.
	JWTIssuer   string
	JWTAudience string
	// AppLocalSignIn is the local runner's demo sign-in the web app offers (make run only).
	AppLocalSignIn string
	// AuthAuthorizeURL, AuthTokenURL and AuthClientID are the web app's sign-in: the OAuth 2.0
	// authorization and token endpoints of the user pool's hosted UI or of the external issuer
	// (AUTH_AUTHORIZE_URL, AUTH_TOKEN_URL), and the public client it signs in as
	// (AUTH_CLIENT_ID). Empty endpoints: the app offers no sign-in but the local one.
	AuthAuthorizeURL string
	AuthTokenURL     string
	AuthClientID     string
	// OnCommit, when set, hears the key of every item the store's writes change (the local
	// runner's stand-in for the table's stream, see dynamo.CommitHook).
	OnCommit func(pk, sk, op string)
	Now      func() time.Time
	NewID    func() string
	Log      *slog.Logger
}

// FromEnv reads the configuration of a Lambda function from its environment. Numeric settings
// (SEND_ATTEMPTS, MEDIA_ATTEMPTS) are optional; when set they must be positive integers: a
// malformed value is an error, so that the function fails its init instead of silently running
// with the default.
func FromEnv(awsCfg aws.Config) (Config, error) {
	attempts, err := positiveInt("SEND_ATTEMPTS", os.Getenv("SEND_ATTEMPTS"))
	if err != nil {
		return Config{}, err
	}
	mediaAttempts, err := positiveInt("MEDIA_ATTEMPTS", os.Getenv("MEDIA_ATTEMPTS"))
	if err != nil {
		return Config{}, err
	}
	return Config{
		AWS:                awsCfg,
		TableName:          os.Getenv("TABLE_NAME"),
		InboundQueueURL:    os.Getenv("INBOUND_QUEUE_URL"),
		OutboundQueueURL:   os.Getenv("OUTBOUND_QUEUE_URL"),
		MediaQueueURL:      os.Getenv("MEDIA_QUEUE_URL"),
		MediaBucket:        os.Getenv("MEDIA_BUCKET"),
		S3Endpoint:         os.Getenv("S3_ENDPOINT"),
		GraphAPIBase:       os.Getenv("GRAPH_API_BASE"),
		InboundEmailDomain: os.Getenv("INBOUND_EMAIL_DOMAIN"),
		RawMailBucket:      os.Getenv("RAW_MAIL_BUCKET"),
		RawMailPrefix:      os.Getenv("RAW_MAIL_PREFIX"),
		SESEndpoint:        os.Getenv("SES_ENDPOINT"),
		MediaAttempts:      mediaAttempts,
		SecretKey:          os.Getenv("INBOX_SECRET_KEY"),
		SecretKeyARN:       os.Getenv("SECRET_KEY_ARN"),
		PublicBaseURL:      os.Getenv("PUBLIC_BASE_URL"),
		AgentAppOrigins:    origins(os.Getenv("AGENT_APP_ORIGINS")),
		TwilioAPIBase:      os.Getenv("TWILIO_API_BASE"),
		DynamoDBEndpoint:   os.Getenv("DYNAMODB_ENDPOINT"),
		SQSEndpoint:        os.Getenv("SQS_ENDPOINT"),
		SendAttempts:       attempts,
		NotifyFrom:         os.Getenv("NOTIFY_FROM"),
		AppURL:             os.Getenv("APP_URL"),
		WebSocketEndpoint:  os.Getenv("WS_ENDPOINT"),
		JWTIssuer:          os.Getenv("JWT_ISSUER"),
		JWTAudience:        os.Getenv("JWT_AUDIENCE"),
		AuthAuthorizeURL:   os.Getenv("AUTH_AUTHORIZE_URL"),
		AuthTokenURL:       os.Getenv("AUTH_TOKEN_URL"),
		AuthClientID:       os.Getenv("AUTH_CLIENT_ID"),
	}, nil
}

// origins splits a comma-separated list of origins, dropping empty items and a trailing slash.
func origins(s string) []string {
	var out []string
	for _, o := range strings.Split(s, ",") {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			out = append(out, o)
		}
	}
	return out
}

// positiveInt parses s, the value of the environment variable name: 0 when it is empty, else
// a positive decimal integer. The caller reads the variable with os.Getenv itself so that the
// template's environment check (infra/samtemplate) sees the read at the call site.
func positiveInt(name, s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s=%q is not a positive integer", name, s)
	}
	return n, nil
}

// Defaults fills what the caller left out: the clock, the id generator, the JSON logger on
// stderr and SendAttempts (4). Every builder calls it first.
func (c *Config) Defaults() {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.NewID == nil {
		c.NewID = inbox.NewID
	}
	if c.Log == nil {
		c.Log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	if c.SendAttempts <= 0 {
		c.SendAttempts = 4
	}
}

// Store builds the DynamoDB store, fetching the sealing key when it comes from Secrets Manager.
// It returns an error when the table or the key is not configured or cannot be read.
func (c *Config) Store(ctx context.Context) (*dynamo.Store, error) {
	c.Defaults()
	if c.TableName == "" {
		return nil, errors.New("TABLE_NAME is not set")
	}
	key := c.SecretKey
	if key == "" && c.SecretKeyARN != "" {
		// One signed request rather than the SDK's client: see package awssecret.
		s, err := awssecret.New(c.AWS, "").SecretString(ctx, c.SecretKeyARN)
		if err != nil {
			return nil, fmt.Errorf("read sealing key: %w", err)
		}
		key = s
	}
	if key == "" {
		return nil, errors.New("neither INBOX_SECRET_KEY nor SECRET_KEY_ARN is set")
	}
	// Any length of secret text becomes a 256-bit AES key.
	sum := sha256.Sum256([]byte(key))
	box, err := secretbox.New(sum[:])
	if err != nil {
		return nil, err
	}
	client := dynamodb.NewFromConfig(c.AWS, func(o *dynamodb.Options) {
		if c.DynamoDBEndpoint != "" {
			o.BaseEndpoint = aws.String(c.DynamoDBEndpoint)
		}
		if c.DisableDynamoDBChecksum {
			o.DisableValidateResponseChecksum = true
		}
		if c.OnCommit != nil {
			dynamo.CommitHook(c.OnCommit)(o)
		}
	})
	store := dynamo.New(client, c.TableName, box)
	if c.DisableDynamoDBChecksum {
		// minidyn (see the field), whose indexes go wrong when an update gives an item its
		// first key in one.
		store.NoIndexEntryByUpdate()
	}
	return store, nil
}

// Queue returns the FIFO queue at url; name is its environment variable, for the error when
// url is empty.
func (c *Config) Queue(url, name string) (*sqsqueue.Queue, error) {
	if url == "" {
		return nil, fmt.Errorf("%s is not set", name)
	}
	return sqsqueue.New(sqsqueue.NewClient(c.AWS, c.SQSEndpoint), url), nil
}

// StandardQueue returns the standard (not FIFO) queue at url.
func (c *Config) StandardQueue(url string) *sqsqueue.Queue {
	return sqsqueue.NewStandard(sqsqueue.NewClient(c.AWS, c.SQSEndpoint), url)
}

// LiveURL is the WebSocket URL browsers (the agent app, the chat widget) connect to: wss:// of
// an https:// WebSocketEndpoint, ws:// of an http:// one (a local runner's own port). Empty when
// there is none: clients then use /ws on the page's own host, as make run serves it.
func (c *Config) LiveURL() string {
	if rest, ok := strings.CutPrefix(c.WebSocketEndpoint, "https://"); ok {
		return "wss://" + rest
	}
	if rest, ok := strings.CutPrefix(c.WebSocketEndpoint, "http://"); ok {
		return "ws://" + rest
	}
	return ""
}
