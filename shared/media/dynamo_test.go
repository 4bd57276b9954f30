package media_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/media"
	"github.com/openinbox/inbox/shared/secretbox"
)

// The DynamoDB store is the Fetcher's store in production.
var _ media.Store = (*dynamo.Store)(nil)

// TestHandleWithDynamoDB runs the fetcher against DynamoDB Local (the real store) and gofakes3:
// a router-shaped job for a stored WhatsApp message ends with the attachment stored, or failed
// at the last attempt, as GetMessage shows it.
func TestHandleWithDynamoDB(t *testing.T) {
	t.Parallel()
	client, table := testenv.DynamoDB(t)
	key := make([]byte, secretbox.KeySize)
	_, _ = rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	store := dynamo.New(client, table, box)
	ctx := context.Background()
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check(store.CreateInbox(ctx, inbox.Inbox{AccountID: acct, ID: "ib1", Name: "Support", CreatedAt: now}))
	ch := inbox.Channel{
		AccountID: acct, ID: "wa1", InboxID: "ib1", Type: inbox.ChannelWhatsApp, Name: "WhatsApp",
		ProviderKey: "1098765", WhatsApp: &inbox.WhatsAppConfig{PhoneNumberID: "1098765"},
		Secrets: map[string]string{inbox.SecretAccessToken: waToken}, CreatedAt: now,
	}
	check(store.CreateChannel(ctx, ch))
	conv, _, err := store.FindOrOpenConversation(ctx, inbox.Conversation{
		AccountID: acct, ID: "cv1", InboxID: "ib1", ChannelID: ch.ID, ChannelType: ch.Type,
		ContactID: "ct1", Status: inbox.StatusOpen, LastMessageAt: now, CreatedAt: now,
	})
	check(err)
	m := inbox.Message{
		ID: inbox.MessageID(now, "m0000001"), Direction: inbox.DirectionIn, Status: inbox.MessageReceived,
		CreatedAt: now, UpdatedAt: now,
		Attachments: []inbox.Attachment{
			{Type: inbox.AttachImage, MediaID: "good", ContentType: "image/jpeg", Caption: "look", MediaStatus: inbox.MediaPending},
			{Type: inbox.AttachVideo, MediaID: "broken", ContentType: "video/mp4", MediaStatus: inbox.MediaPending},
		},
	}
	ok, err := store.AppendMessage(ctx, conv, m, "wamid.1")
	if err != nil || !ok {
		t.Fatalf("AppendMessage = %v, %v", ok, err)
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/good" || r.Header.Get("Authorization") != "Bearer "+waToken {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write([]byte("\xff\xd8jpeg"))
	}))
	t.Cleanup(srv.Close)
	wa := &media.WhatsAppSource{
		Lookup: func(_ context.Context, id, _ string) (media.MediaRef, error) {
			return media.MediaRef{URL: srv.URL + "/" + id, MimeType: "image/jpeg"}, nil
		},
		Download: func(ctx context.Context, url, token string) (io.ReadCloser, string, error) {
			return media.Download(ctx, srv.Client(), url, token, maxBytes)
		},
	}
	blobs := newBlobs(t)
	f := media.New(media.Config{Store: store, Sources: map[inbox.ChannelType]media.Source{inbox.ChannelWhatsApp: wa}, Blobs: blobs, MaxAttempts: maxAttempts, MaxBytes: maxBytes})
	handle := func(index, attempt int) error {
		// The router's wire format (shared/router.MediaJob).
		body := fmt.Sprintf(`{"v":1,"accountId":%q,"conversationId":%q,"messageId":%q,"channelId":%q,"index":%d}`, acct, conv.ID, m.ID, ch.ID, index)
		return f.HandleBody(ctx, []byte(body), attempt)
	}

	check(handle(0, 1))
	if err := handle(1, 1); !inbox.IsCode(err, inbox.EUnavailable) {
		t.Fatalf("broken media at attempt 1 = %v, want a retry", err)
	}
	check(handle(1, maxAttempts))
	got, err := store.GetMessage(ctx, acct, conv.ID, m.ID)
	check(err)
	want := []inbox.Attachment{
		{Type: inbox.AttachImage, MediaID: "good", ContentType: "image/jpeg", Caption: "look", MediaStatus: inbox.MediaStored,
			StorageKey: acct + "/" + conv.ID + "/" + m.ID + "/0"},
		{Type: inbox.AttachVideo, MediaID: "broken", ContentType: "video/mp4", MediaStatus: inbox.MediaFailed,
			MediaError: "the provider did not serve the file (HTTP 502)"},
	}
	if len(got.Attachments) != len(want) {
		t.Fatalf("attachments = %+v", got.Attachments)
	}
	for i := range want {
		if got.Attachments[i] != want[i] {
			t.Errorf("attachment %d = %+v, want %+v", i, got.Attachments[i], want[i])
		}
	}
	linked := media.LinkMessage(ctx, blobs, got, 0)
	if b, ct := get(t, linked.Attachments[0].URL); string(b) != "\xff\xd8jpeg" || ct != "image/jpeg" {
		t.Errorf("stored copy = %q %q", b, ct)
	}
	if linked.Attachments[1].URL != "" {
		t.Errorf("failed media got a link: %q", linked.Attachments[1].URL)
	}

	// A second delivery of the stored attachment's job does not fetch it again.
	srv.Close()
	check(handle(0, 2))
}
