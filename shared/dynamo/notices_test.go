package dynamo

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openinbox/inbox/shared/inbox"
)

// One claim wins per notice name, in one account, under concurrency; a released or expired
// claim can be taken again.
func TestClaimNotice(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acct, other := "acct-"+inbox.NewID(), "acct-"+inbox.NewID()
	name := "owner-away:" + inbox.NewID() + ":owen"
	ttl := time.Now().Add(time.Hour)

	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := f.store.ClaimNotice(f.ctx, acct, name, ttl)
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := wins.Load(); n != 1 {
		t.Fatalf("%d of 8 concurrent claims won, want 1", n)
	}
	if ok, err := f.store.ClaimNotice(f.ctx, acct, name, ttl); ok || err != nil {
		t.Fatalf("claim of a claimed notice = %v, %v", ok, err)
	}
	if ok, err := f.store.ClaimNotice(f.ctx, other, name, ttl); !ok || err != nil {
		t.Fatalf("the same name in another account = %v, %v; accounts must not share markers", ok, err)
	}

	if err := f.store.ReleaseNotice(f.ctx, acct, name); err != nil {
		t.Fatal(err)
	}
	if err := f.store.ReleaseNotice(f.ctx, acct, name); err != nil {
		t.Fatalf("release of an unclaimed notice: %v", err)
	}
	if ok, err := f.store.ClaimNotice(f.ctx, acct, name, ttl); !ok || err != nil {
		t.Fatalf("claim after release = %v, %v", ok, err)
	}

	// Expired but not yet deleted by DynamoDB: the marker no longer counts.
	expiring := "owner-away:" + inbox.NewID() + ":owen"
	if ok, err := f.store.ClaimNotice(f.ctx, acct, expiring, time.Now().Add(2*time.Second)); !ok || err != nil {
		t.Fatalf("claim = %v, %v", ok, err)
	}
	later := &Store{client: f.store.client, table: f.store.table, now: func() time.Time { return time.Now().Add(time.Minute) }}
	if ok, err := later.ClaimNotice(f.ctx, acct, expiring, time.Now().Add(time.Hour)); !ok || err != nil {
		t.Fatalf("claim of an expired marker = %v, %v", ok, err)
	}

	for _, c := range []struct {
		acct, name string
		ttl        time.Time
	}{
		{acct, "", ttl},
		{"", name, ttl},
		{acct, "a#b", ttl},
		{"a#b", name, ttl},
		{acct, name + "-past", time.Now().Add(-time.Second)},
	} {
		if _, err := f.store.ClaimNotice(f.ctx, c.acct, c.name, c.ttl); inbox.ErrorCodeOf(err) != inbox.EInvalid {
			t.Errorf("ClaimNotice(%q, %q, %v) = %v, want EInvalid", c.acct, c.name, c.ttl, err)
		}
	}
	if err := f.store.ReleaseNotice(f.ctx, acct, "a#b"); inbox.ErrorCodeOf(err) != inbox.EInvalid {
		t.Errorf("ReleaseNotice with '#' = %v, want EInvalid", err)
	}
}
