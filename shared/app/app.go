// Package app assembles the functions from their configuration: it builds the AWS clients and
// adapters and hands them to the services. The Lambda mains and the local runner both call it,
// so the code that runs locally is the code that runs in AWS.
package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/openinbox/inbox/shared/assign"
	"github.com/openinbox/inbox/shared/dispatch"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/emailsend"
	"github.com/openinbox/inbox/shared/httpapi"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/intake"
	"github.com/openinbox/inbox/shared/lambdases"
	"github.com/openinbox/inbox/shared/lambdasqs"
	"github.com/openinbox/inbox/shared/media"
	"github.com/openinbox/inbox/shared/meta"
	"github.com/openinbox/inbox/shared/notify"
	"github.com/openinbox/inbox/shared/router"
	"github.com/openinbox/inbox/shared/s3store"
	"github.com/openinbox/inbox/shared/secretbox"
	"github.com/openinbox/inbox/shared/sesmail"
	"github.com/openinbox/inbox/shared/sqsqueue"
	"github.com/openinbox/inbox/shared/twilio"
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
	SecretKey     string
	SecretKeyARN  string
	PublicBaseURL string // PUBLIC_BASE_URL: custom domain of the webhooks, if any
	TwilioAPIBase string // TWILIO_API_BASE: Twilio's API, or the local outbox
	// DynamoDBEndpoint and SQSEndpoint point the clients at emulators (empty in AWS).
	DynamoDBEndpoint string // DYNAMODB_ENDPOINT
	SQSEndpoint      string // SQS_ENDPOINT
	// DisableDynamoDBChecksum is for minidyn, which sends no valid X-Amz-Crc32.
	DisableDynamoDBChecksum bool
	// SendAttempts is how many times dispatch tries a temporary failure (SEND_ATTEMPTS, default 4).
	SendAttempts int
	// NotifyFrom is the From address of the emails to users (NOTIFY_FROM), an identity
	// verified in SES; empty sends none. AppURL is the agents' web app (APP_URL), whose
	// conversation links the emails carry; optional.
	NotifyFrom string
	AppURL     string
	Now        func() time.Time
	NewID      func() string
	Log        *slog.Logger
}

// FromEnv reads the configuration of a Lambda function from its environment.
func FromEnv(awsCfg aws.Config) Config {
	attempts, _ := strconv.Atoi(os.Getenv("SEND_ATTEMPTS"))
	mediaAttempts, _ := strconv.Atoi(os.Getenv("MEDIA_ATTEMPTS"))
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
		TwilioAPIBase:      os.Getenv("TWILIO_API_BASE"),
		DynamoDBEndpoint:   os.Getenv("DYNAMODB_ENDPOINT"),
		SQSEndpoint:        os.Getenv("SQS_ENDPOINT"),
		SendAttempts:       attempts,
		NotifyFrom:         os.Getenv("NOTIFY_FROM"),
		AppURL:             os.Getenv("APP_URL"),
	}
}

func (c *Config) defaults() {
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
	c.defaults()
	if c.TableName == "" {
		return nil, errors.New("TABLE_NAME is not set")
	}
	key := c.SecretKey
	if key == "" && c.SecretKeyARN != "" {
		out, err := secretsmanager.NewFromConfig(c.AWS).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(c.SecretKeyARN)})
		if err != nil {
			return nil, fmt.Errorf("read sealing key: %w", err)
		}
		key = aws.ToString(out.SecretString)
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
	})
	return dynamo.New(client, c.TableName, box), nil
}

func (c *Config) queue(url, name string) (*sqsqueue.Queue, error) {
	if url == "" {
		return nil, fmt.Errorf("%s is not set", name)
	}
	return sqsqueue.New(sqsqueue.NewClient(c.AWS, c.SQSEndpoint), url), nil
}

// API builds the api function's HTTP handler.
func API(ctx context.Context, c Config) (http.Handler, error) {
	c.defaults()
	store, err := c.Store(ctx)
	if err != nil {
		return nil, err
	}
	out, err := c.queue(c.OutboundQueueURL, "OUTBOUND_QUEUE_URL")
	if err != nil {
		return nil, err
	}
	cfg := httpapi.Config{Store: store, Outbound: out, Now: c.Now, NewID: c.NewID, Log: c.Log, PublicBaseURL: c.PublicBaseURL,
		InboundEmailDomain: c.InboundEmailDomain, People: store, Drainer: c.assigner(store)}
	if c.MediaBucket != "" {
		cfg.Blobs = s3store.New(s3store.NewClient(c.AWS, c.S3Endpoint), c.MediaBucket)
	}
	return httpapi.New(cfg), nil
}

// TwilioIntake builds the Twilio intake function's HTTP handler.
func TwilioIntake(ctx context.Context, c Config) (http.Handler, error) {
	return intakeHandler(ctx, c, func(ic intake.Config, _ intake.ProviderChannels) http.Handler { return intake.NewTwilio(ic) })
}

// MessengerIntake builds the Messenger intake function's HTTP handler.
func MessengerIntake(ctx context.Context, c Config) (http.Handler, error) {
	return intakeHandler(ctx, c, intake.NewMessenger)
}

// WhatsAppIntake builds the WhatsApp intake function's HTTP handler.
func WhatsAppIntake(ctx context.Context, c Config) (http.Handler, error) {
	return intakeHandler(ctx, c, intake.NewWhatsApp)
}

// intakeHandler gives an intake its store (channels, provider keys) and the inbound queue.
func intakeHandler(ctx context.Context, c Config, build func(intake.Config, intake.ProviderChannels) http.Handler) (http.Handler, error) {
	c.defaults()
	store, err := c.Store(ctx)
	if err != nil {
		return nil, err
	}
	in, err := c.queue(c.InboundQueueURL, "INBOUND_QUEUE_URL")
	if err != nil {
		return nil, err
	}
	return build(intake.Config{Channels: store, Queue: in, Now: c.Now, Log: c.Log, PublicBaseURL: c.PublicBaseURL}, store), nil
}

// Router builds the router function's per-message handler.
func Router(ctx context.Context, c Config) (lambdasqs.Handler, error) {
	c.defaults()
	store, err := c.Store(ctx)
	if err != nil {
		return nil, err
	}
	var media router.Publisher
	if c.MediaQueueURL != "" {
		media = sqsqueue.NewStandard(sqsqueue.NewClient(c.AWS, c.SQSEndpoint), c.MediaQueueURL)
	}
	a := c.assigner(store)
	r := router.New(store, media, c.Now, c.NewID, c.Log).WithAssigner(a).WithChannelCache(router.ChannelCacheTTL)
	return func(ctx context.Context, rec lambdasqs.Record) error {
		return r.HandleRecord(ctx, rec.Body, rec.ReceiveCount)
	}, nil
}

// Dispatch builds the dispatch function's per-message handler.
func Dispatch(ctx context.Context, c Config) (lambdasqs.Handler, error) {
	c.defaults()
	store, err := c.Store(ctx)
	if err != nil {
		return nil, err
	}
	metaSender := meta.NewSender(meta.NewClient(c.GraphAPIBase, &http.Client{Timeout: 15 * time.Second}), c.Now)
	senders := map[inbox.ChannelType]dispatch.Sender{
		inbox.ChannelSMS:       twilio.NewSender(twilio.NewClient(c.TwilioAPIBase, &http.Client{Timeout: 10 * time.Second}), c.PublicBaseURL),
		inbox.ChannelMessenger: metaSender,
		inbox.ChannelWhatsApp:  metaSender,
		inbox.ChannelEmail:     c.emailSender(store),
	}
	d := dispatch.New(store, senders, c.Now, c.SendAttempts, c.Log)
	return func(ctx context.Context, rec lambdasqs.Record) error {
		return d.HandleBody(ctx, rec.Body, rec.ReceiveCount)
	}, nil
}

// Media builds the media function's per-message handler: it copies inbound Messenger and
// WhatsApp media into MEDIA_BUCKET. The function's timeout must exceed the 2-minute download
// timeout.
func Media(ctx context.Context, c Config) (lambdasqs.Handler, error) {
	c.defaults()
	if c.MediaBucket == "" {
		return nil, errors.New("MEDIA_BUCKET is not set")
	}
	store, err := c.Store(ctx)
	if err != nil {
		return nil, err
	}
	blobs := s3store.New(s3store.NewClient(c.AWS, c.S3Endpoint), c.MediaBucket)
	// The timeout covers reading the whole body: 100 MB at a slow few MB/s.
	hc := &http.Client{Timeout: 2 * time.Minute}
	graph := meta.NewClient(c.GraphAPIBase, hc)
	sources := map[inbox.ChannelType]media.Source{
		inbox.ChannelMessenger: media.NewHTTPSource(hc, media.DefaultMaxBytes),
		inbox.ChannelWhatsApp: &media.WhatsAppSource{
			Lookup: func(ctx context.Context, id, token string) (media.MediaRef, error) {
				info, err := graph.Media(ctx, id, token)
				return media.MediaRef{URL: info.URL, MimeType: info.MimeType, Size: info.FileSize}, err
			},
			Download: graph.Download,
			Classify: meta.AsSendError,
			MaxBytes: media.DefaultMaxBytes,
		},
	}
	f := media.New(store, sources, blobs, c.MediaAttempts, media.DefaultMaxBytes, c.Now, c.Log)
	return func(ctx context.Context, rec lambdasqs.Record) error {
		return f.HandleBody(ctx, rec.Body, rec.ReceiveCount)
	}, nil
}

// Email builds the email function's per-receipt handler: it reads the raw mail SES stored in
// RAW_MAIL_BUCKET under RAW_MAIL_PREFIX (the receipt rule's ObjectKeyPrefix), writes the
// attachments to MEDIA_BUCKET and queues envelopes on the inbound queue.
func Email(ctx context.Context, c Config) (func(context.Context, lambdases.Receipt) error, error) {
	c.defaults()
	if c.RawMailBucket == "" {
		return nil, errors.New("RAW_MAIL_BUCKET is not set")
	}
	if c.MediaBucket == "" {
		return nil, errors.New("MEDIA_BUCKET is not set")
	}
	prefix := c.RawMailPrefix
	if prefix == "" {
		prefix = "inbound/"
	}
	store, err := c.Store(ctx)
	if err != nil {
		return nil, err
	}
	in, err := c.queue(c.InboundQueueURL, "INBOUND_QUEUE_URL")
	if err != nil {
		return nil, err
	}
	s3c := s3store.NewClient(c.AWS, c.S3Endpoint)
	e := intake.NewEmail(intake.Config{Channels: store, Queue: in, Now: c.Now, Log: c.Log},
		s3store.New(s3c, c.RawMailBucket), s3store.New(s3c, c.MediaBucket), store, prefix)
	return e.Handle, nil
}

// assigner applies routing rules; it emails away contact owners whose conversation goes to the
// fallback, whether that happens when a message arrives (router) or when a queue drains (API,
// schedule): the notifier sends one email per conversation whoever routes it.
func (c *Config) assigner(store *dynamo.Store) *assign.Assigner {
	return assign.New(store, c.Now, c.Log).WithNotifier(c.notifier(store))
}

// notifier emails contact owners passed over while away, from NotifyFrom through SES
// (SES_ENDPOINT for the emulator). A NotifyFrom or AppURL that is not usable is logged and
// leaves the emails off (or without links) rather than stopping the router.
func (c *Config) notifier(store *dynamo.Store) *notify.Mailer {
	nc := notify.Config{From: c.NotifyFrom, AppURL: c.AppURL, Sender: sesmail.New(sesmail.NewClient(c.AWS, c.SESEndpoint)),
		Claims: store, Now: c.Now, Log: c.Log}
	m, err := notify.New(nc)
	if errors.Is(err, notify.ErrInvalidAppURL) {
		c.Log.Error("APP_URL is not an absolute http(s) URL: notification emails carry no links", "err", err)
		nc.AppURL = ""
		m, err = notify.New(nc)
	}
	if err != nil {
		c.Log.Error("NOTIFY_FROM is not an email address: no notification emails are sent", "err", err)
		nc.From, nc.AppURL = "", ""
		m, _ = notify.New(nc)
	}
	return m
}

// emailSender sends replies of email channels through SES (SES_ENDPOINT for the emulator).
func (c *Config) emailSender(store *dynamo.Store) *emailsend.Sender {
	sender := emailsend.New(sesmail.New(sesmail.NewClient(c.AWS, c.SESEndpoint)), store, c.Now, c.NewID, c.InboundEmailDomain)
	if c.SESEndpoint == "" {
		sender.WithSESMessageIDs(c.AWS.Region)
	}
	if c.MediaBucket != "" {
		// Uploaded files are attached to the mail from the media bucket.
		sender.WithBlobs(s3store.New(s3store.NewClient(c.AWS, c.S3Endpoint), c.MediaBucket))
	}
	return sender
}
