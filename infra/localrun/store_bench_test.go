package localrun_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/router"
)

// BenchmarkRouterAtSize is the router's cost per inbound message (an SMS in one of 50 open
// conversations) once the table already holds that many messages, on make run's store
// (data-dir: DynamoDB Local on a data folder) and on the in-memory minidyn (embedded), whose
// every Query walks the whole table. make load runs it (LOAD=1; LOAD_SIZES, e.g. "100,10000").
// Profile with -cpuprofile.
func BenchmarkRouterAtSize(b *testing.B) {
	skipUnlessLoad(b)
	sizes := strings.Split(envStr("LOAD_SIZES", "100,2000"), ",")
	for _, store := range strings.Split(envStr("LOAD_STORES", "data-dir,embedded"), ",") {
		for _, size := range sizes {
			// The testing package calls a benchmark with b.N = 1 before the real run: seed once.
			var (
				handle func(i int) error
				n      = envIntOf(size)
				next   int
			)
			parent := b
			b.Run(fmt.Sprintf("%s/messages=%s", store, size), func(b *testing.B) {
				if handle == nil {
					s := loadSession(parent, store)
					a := s.smsAccount("size", 200)
					rt := router.New(router.Config{Store: s.r.Store})
					ctx := context.Background()
					handle = func(i int) error {
						env := inbox.Envelope{V: inbox.EnvelopeVersion, Kind: inbox.KindMessage, AccountID: a.id, ChannelID: a.channelID,
							ChannelType: inbox.ChannelSMS, ProviderMessageID: fmt.Sprintf("SM%032d", i),
							From: inbox.Sender{Phone: fmt.Sprintf("+1555010%04d", i%50)}, To: a.phone, Text: fmt.Sprintf("message %d", i),
							ReceivedAt: time.Now()}
						return rt.Handle(ctx, env)
					}
					for ; next < n; next++ {
						if err := handle(next); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := handle(next); err != nil {
						b.Fatal(err)
					}
					next++
				}
			})
		}
	}
}

func skipUnlessLoad(b *testing.B) {
	if envStr("LOAD", "") == "" {
		b.Skip("make load runs it (LOAD=1)")
	}
}

func envIntOf(s string) int {
	var n int
	_, _ = fmt.Sscan(s, &n)
	return n
}
