package meta

import (
	"testing"
)

// BenchmarkWebhookCodec measures the CPU-only part of the Meta intakes: the signature check on
// the raw body and the decoding of a documented Messenger text message and WhatsApp text
// message.
func BenchmarkWebhookCodec(b *testing.B) {
	const secret = "app-secret"
	messenger := []byte(pageBody(docsTextMessage))
	whatsApp := []byte(waBody(docsWAText))
	mSig, wSig := Sign(secret, messenger), Sign(secret, whatsApp)
	b.ReportAllocs()
	for b.Loop() {
		if err := VerifySignature(secret, messenger, mSig); err != nil {
			b.Fatal(err)
		}
		if _, err := ParseMessenger(messenger); err != nil {
			b.Fatal(err)
		}
		if err := VerifySignature(secret, whatsApp, wSig); err != nil {
			b.Fatal(err)
		}
		if _, err := ParseWhatsApp(whatsApp); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseMessenger checks that no body makes ParseMessenger panic and that every envelope it
// returns is valid once the intake has named its account and channel.
func FuzzParseMessenger(f *testing.F) {
	for _, item := range []string{docsTextMessage, docsReplyMessage, docsEchoText, docsEchoFallback, docsDelivery, docsRead, docsReaction, docsPostbackValue, docsOptin} {
		f.Add([]byte(pageBody(item)))
	}
	f.Add([]byte(docsStickerEntry))
	f.Add([]byte(docsFallbackBody))
	f.Add([]byte(docsEchoStandbyBody))
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseMessenger(body)
		if err != nil {
			return
		}
		for _, ev := range events {
			env := ev.Envelope
			env.AccountID, env.ChannelID = "acct", "chan"
			if err := env.Validate(); err != nil {
				t.Fatalf("invalid envelope %+v: %v", env, err)
			}
		}
	})
}

// FuzzParseWhatsApp is FuzzParseMessenger for ParseWhatsApp.
func FuzzParseWhatsApp(f *testing.F) {
	for _, members := range []string{docsWAText, docsWAImage, docsWALocation, docsWAContacts, docsWAButtonReply, docsWAReaction, docsWAUnreaction, docsWAUnsupported, docsWAStatusFailed, docsWAChangeError} {
		f.Add([]byte(waBody(members)))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseWhatsApp(body)
		if err != nil {
			return
		}
		for _, ev := range events {
			env := ev.Envelope
			env.AccountID, env.ChannelID = "acct", "chan"
			if err := env.Validate(); err != nil {
				t.Fatalf("invalid envelope %+v: %v", env, err)
			}
		}
	})
}
