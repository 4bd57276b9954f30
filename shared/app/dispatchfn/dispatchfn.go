// Package dispatchfn builds the dispatch function: it sends the outbound queue's replies
// through each channel's provider.
package dispatchfn

import (
	"context"
	"net/http"
	"time"

	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels"
	"github.com/openinbox/inbox/shared/channels/voice"
	"github.com/openinbox/inbox/shared/chatsend"
	"github.com/openinbox/inbox/shared/customhook"
	"github.com/openinbox/inbox/shared/dispatch"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/emailsend"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/lambdasqs"
	"github.com/openinbox/inbox/shared/meta"
	"github.com/openinbox/inbox/shared/s3store"
	"github.com/openinbox/inbox/shared/sesmail"
	"github.com/openinbox/inbox/shared/twilio"
)

// Build builds the dispatch function's per-message handler. It returns an error when the store
// is not configured (app.Config.Store).
func Build(ctx context.Context, c app.Config) (lambdasqs.Handler, error) {
	c.Defaults()
	store, err := c.Store(ctx)
	if err != nil {
		return nil, err
	}
	bySender := channels.ByKind(senders(&c, store), func(k channel.Kind) string { return k.Sender })
	d := dispatch.New(dispatch.Config{Store: store, Senders: bySender, MaxAttempts: c.SendAttempts, Now: c.Now, Log: c.Log})
	return func(ctx context.Context, rec lambdasqs.Record) error {
		return d.HandleBody(ctx, rec.Body, rec.ReceiveCount)
	}, nil
}

// senders builds one sender per provider (channel.Kind.Sender); each channel finds its own
// through its kind.
func senders(c *app.Config, store *dynamo.Store) map[string]dispatch.Sender {
	email := emailSender(c, store)
	viaInbox := emailsend.ViaInbox{Email: email, Channels: store}
	twilioClient := twilio.NewClient(c.TwilioAPIBase, &http.Client{Timeout: 10 * time.Second})
	return map[string]dispatch.Sender{
		channel.SenderTwilio: twilio.NewSender(twilioClient, c.PublicBaseURL),
		// Calls ring the agent's phone first, as long as the channel lets a call ring.
		channel.SenderTwilioCalls: twilio.NewVoiceSender(twilioClient, c.PublicBaseURL, func(ch inbox.Channel) int { return voice.Read(ch).RingTimeout }),
		channel.SenderGraph:       meta.NewSender(meta.NewClient(c.GraphAPIBase, &http.Client{Timeout: 15 * time.Second}), c.Now),
		channel.SenderSES:         email,
		// Web forms are answered by email, from the inbox's team email channel.
		channel.SenderInboxEmail: viaInbox,
		// Chat replies are read from the store by the widget; visitors who left an address and
		// are gone (no live connection for dynamo.VisitorGrace) get them by email too.
		channel.SenderChat:    chatsend.Sender{Mail: viaInbox, Presence: store},
		channel.SenderWebhook: customhook.NewSender(&http.Client{Timeout: 15 * time.Second}, c.Now),
	}
}

// emailSender sends replies of email channels through SES (SES_ENDPOINT for the emulator).
func emailSender(c *app.Config, store *dynamo.Store) *emailsend.Sender {
	ec := emailsend.Config{Raw: sesmail.New(sesmail.NewClient(c.AWS, c.SESEndpoint)), History: store,
		Domain: c.InboundEmailDomain, Now: c.Now, NewID: c.NewID}
	if c.SESEndpoint == "" {
		ec.SESRegion = c.AWS.Region
	}
	if c.MediaBucket != "" {
		// Uploaded files are attached to the mail from the media bucket.
		// Built on the first reply with a file.
		ec.Blobs = s3store.Open(c.AWS, c.S3Endpoint, c.MediaBucket)
	}
	return emailsend.New(ec)
}
