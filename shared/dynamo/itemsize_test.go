package dynamo

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// The ids of the item size tests have production's lengths: 32 hex characters (inbox.NewID) for
// inboxes, channels, contacts and conversations, Cognito subs (36 characters) for users.
const (
	sizeInbox   = "5d41402abc4b2a76b9719d911017c592"
	sizeChannel = "7b8b965ad4bca0e41ab51de7b31363a1"
	sizeContact = "9e107d9d372bb6826bd81d3542a419d6"
	sizeConv    = "e4d909c290d0fb1ca068ffaddf22cbd0"
	sizeUser    = "9b2e4f6a-8c3f-4c9a-9e8b-2d4e6fa7c1%02d"
)

// sizeAt is a time with nanoseconds, as time.Now gives them.
var sizeAt = time.Date(2026, 12, 4, 21, 7, 2, 589793123, time.UTC)

// largeConversation is a named, assigned WhatsApp conversation of a known contact (listed in
// gsi5) whose last message's first line is longer than a preview, read by readers agents, as
// SetRead leaves the markers.
func largeConversation(acct string, readers int) map[string]types.AttributeValue {
	c := inbox.Conversation{AccountID: acct, ID: sizeConv, InboxID: sizeInbox, ChannelID: sizeChannel,
		ChannelType: inbox.ChannelWhatsApp, ContactID: sizeContact, ContactName: "Maria Fernanda Oliveira Santos",
		ContactPhone: "+5511987654321", Status: inbox.StatusOpen, AssigneeID: fmt.Sprintf(sizeUser, 0),
		LastMessageAt: sizeAt, LastInboundAt: sizeAt, CreatedAt: sizeAt.Add(-time.Hour), Version: 1234,
		Preview: inbox.Message{Text: strings.Repeat("Could you check my order? ", 10)}.Preview()}
	av, err := marshal(newConversationItem(c))
	if err != nil {
		panic(err)
	}
	marks := map[string]types.AttributeValue{}
	for i := range readers {
		marks[inbox.ReadKey(fmt.Sprintf(sizeUser, i))] = av["lis"]
	}
	if readers > 0 {
		av["readBy"] = &types.AttributeValueMemberM{Value: marks}
	}
	return av
}

// sizes lists an item's attributes with the bytes each takes, largest first, for the log.
func sizes(av map[string]types.AttributeValue) string {
	names := make([]string, 0, len(av))
	for n := range av {
		names = append(names, n)
	}
	size := func(n string) int { return len(n) + valueSize(av[n]) }
	sort.Slice(names, func(i, j int) bool { return size(names[i]) > size(names[j]) })
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s %d, ", n, size(n))
	}
	return b.String()
}

// TestConversationItemSize checks issue #10's item sizes: DynamoDB bills a write per started KB
// of the item (the larger of its old and new image), so every write of a conversation (each
// message, reply, read marker, status change) costs 1 WCU only while the item is under 1 KB. The
// size is computed from the marshalled item by DynamoDB's rules (itemSize: attribute names plus
// values). The large conversation — named, assigned, of a known contact (listed in gsi5), a
// preview as long as it gets, read by three agents — must stay 100 bytes under 1 KB for an
// account id of up to 16 characters (custom:account_id is the name the administrator gives, the
// README's example "acme"; each further reader adds 22 bytes), and under 1 KB with a
// 36-character one. Before, it was 1,258 bytes with a 4-character account id and 1,418 with a
// 36-character one.
func TestConversationItemSize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		acct    string
		readers int
		max     int
	}{
		{"acme", 0, 770},
		{"acme", 3, 1024 - 100},
		{"acme-corporation", 3, 1024 - 100},
		{"3f1c9a5e-8b2d-4e6f-a7c1-9d0b2e4f6a8c", 3, 1000},
	} {
		av := largeConversation(tc.acct, tc.readers)
		got := itemSize(av)
		t.Logf("account id of %d characters, %d readers: %d bytes (%s)", len(tc.acct), tc.readers, got, sizes(av))
		if got > tc.max {
			t.Errorf("account id of %d characters, %d readers: %d bytes, want at most %d", len(tc.acct), tc.readers, got, tc.max)
		}
	}
}

// TestConversationOfTheOldShape checks that a conversation item written before the items were
// made small (accountId, id, channelId, channelType, contactName, contactPhone, contactEmail,
// lastMessageAt, lastInboundAt, preview, createdAt, as the store wrote them until issue #10's
// item sizes) reads as it did, and that the next message's write gives it the new form: the old
// attributes of what changed removed, the times exact to the nanosecond.
func TestConversationOfTheOldShape(t *testing.T) {
	t.Parallel()
	eachStore(t, oldShape)
}

func oldShape(t *testing.T, f *fixture) {
	acct, convID := "acctOld", inbox.NewID()
	at := time.Date(2026, 12, 1, 10, 0, 0, 123456789, time.UTC)
	created := at.Add(-time.Hour)
	want := inbox.Conversation{AccountID: acct, ID: convID, InboxID: "ib1", ChannelID: "ch1", ChannelType: inbox.ChannelSMS,
		ContactID: "ct1", ContactName: "Ada Lovelace", ContactPhone: "+15550000001", ContactEmail: "ada@example.com",
		Status: inbox.StatusOpen, AssigneeID: "sam", LastMessageAt: at, LastInboundAt: at, Preview: "where is my parcel?",
		CreatedAt: created, Version: 7, ReadBy: inbox.NewReadMarkers(map[string]string{"sam": inbox.SortableTime(at)})}
	old := map[string]types.AttributeValue{
		"pk": str(convPK(acct, convID)), "sk": str(skConv),
		"gsi2pk": str(convAssigneePK(acct, "sam", inbox.StatusOpen)), "gsi3pk": str(convStatusPK(acct, inbox.StatusOpen)),
		"gsi4pk": str(convInboxPK(acct, "ib1", inbox.StatusOpen)), "lsk": str(listSK(at, convID)),
		"gsi5pk": str(contactConvsPK(acct, "ct1")), "gsi5sk": str(inbox.SortableTime(created) + "#" + convID),
		"lastSort": str(inbox.SortableTime(at)), "accountId": str(acct), "id": str(convID), "inboxId": str("ib1"),
		"channelId": str("ch1"), "channelType": str("sms"), "contactId": str("ct1"), "contactName": str("Ada Lovelace"),
		"contactPhone": str("+15550000001"), "contactEmail": str("ada@example.com"), "status": str("open"),
		"assigneeId": str("sam"), "lastMessageAt": str(at.Format(time.RFC3339Nano)),
		"lastInboundAt": str(at.Format(time.RFC3339Nano)), "lastInboundSort": str(inbox.SortableTime(at)),
		"preview": str("where is my parcel?"), "createdAt": str(created.Format(time.RFC3339Nano)),
		"version": &types.AttributeValueMemberN{Value: "7"},
		"readBy":  &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"sam": str(inbox.SortableTime(at))}},
	}
	if _, err := f.client.PutItem(f.ctx, &dynamodb.PutItemInput{TableName: aws.String(f.table), Item: old}); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.GetConversation(f.ctx, acct, convID)
	must(t, err)
	if got != want {
		t.Fatalf("old item read as\n%+v\nwant\n%+v", got, want)
	}
	if got.UnreadFor("sam") || !got.UnreadFor("kim") {
		t.Errorf("unread: sam %v, kim %v; want false, true", got.UnreadFor("sam"), got.UnreadFor("kim"))
	}

	next := at.Add(time.Minute + 7)
	m := newMessage(inbox.DirectionIn, "any news?", next, inbox.MessageReceived)
	m.AccountID, m.ConversationID = acct, convID
	if _, _, err := f.store.AppendToOpen(f.ctx, acct, convID, "ch1", m, "SMnext"); err != nil {
		t.Fatal(err)
	}
	got, err = f.store.GetConversation(f.ctx, acct, convID)
	must(t, err)
	want.LastMessageAt, want.LastInboundAt, want.Preview, want.Version = next, next, "any news?", 8
	if got != want {
		t.Fatalf("after the next message\n%+v\nwant\n%+v", got, want)
	}
	if !got.UnreadFor("sam") {
		t.Error("sam has not read the next message, yet it reads as read")
	}
	raw := f.raw(convPK(acct, convID), skConv)
	for _, gone := range []string{"lastMessageAt", "lastInboundAt", "lastInboundSort", "preview"} {
		if _, ok := raw[gone]; ok {
			t.Errorf("%s is still stored after the message: %s", gone, dump(raw))
		}
	}

	// sam reads it: the marker moves to sam's short key, the one under the user id goes.
	got, err = f.store.SetRead(f.ctx, acct, convID, "sam", true)
	must(t, err)
	if got.UnreadFor("sam") || !got.UnreadFor("kim") {
		t.Errorf("after sam read it: unread for sam %v, kim %v; want false, true", got.UnreadFor("sam"), got.UnreadFor("kim"))
	}
	marks, _ := f.raw(convPK(acct, convID), skConv)["readBy"].(*types.AttributeValueMemberM)
	if _, old := marks.Value["sam"]; old || len(marks.Value) != 1 || marks.Value[inbox.ReadKey("sam")] == nil {
		t.Errorf("readBy after sam read it: %s, want only %s", dump(marks.Value), inbox.ReadKey("sam"))
	}
}

// TestMessageAndLookupItemSizes checks the sizes of a message and of a contact's lookup item with
// production's ids: an agent's WhatsApp reply of 160 characters, delivered (each status step
// rewrites it: billed per started KB), and the lookup item of a named contact with the hint of its
// open conversation. The message leaves out the ids its key holds; it was 641 bytes with them.
func TestMessageAndLookupItemSizes(t *testing.T) {
	t.Parallel()
	acct := "acme-corporation"
	m := inbox.Message{AccountID: acct, ConversationID: sizeConv, ID: inbox.MessageID(sizeAt, inbox.NewID()),
		Direction: inbox.DirectionOut, Text: strings.Repeat("Your order left our warehouse. ", 6)[:160], CreatedAt: sizeAt,
		UpdatedAt: sizeAt, Status: inbox.MessageDelivered, AuthorID: fmt.Sprintf(sizeUser, 0), AuthorName: "Ada Lovelace",
		ProviderID: "wamid.HBgLMTU1NTAxMjM0NTYVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}
	msg, err := marshal(newMessageItem(m, sizeChannel))
	must(t, err)
	lookup, err := marshal(lookupItem{PK: phonePK(acct, "+5511987654321"), SK: skPhone, ContactID: sizeContact,
		Named: true, Language: "pt", FirstConv: sizeConv})
	must(t, err)
	lookup["open#"+sizeInbox] = str(sizeConv + "#" + sizeChannel)
	for _, tc := range []struct {
		name string
		av   map[string]types.AttributeValue
		max  int
	}{
		{"message", msg, 580},
		{"lookup item", lookup, 300},
	} {
		got := itemSize(tc.av)
		t.Logf("%s: %d bytes (%s)", tc.name, got, sizes(tc.av))
		if got > tc.max {
			t.Errorf("%s: %d bytes, want at most %d", tc.name, got, tc.max)
		}
	}
}

// TestMessageOfTheOldShape checks that a message item written with its ids (accountId,
// conversationId, id), as the store wrote them before, reads as it did.
func TestMessageOfTheOldShape(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.conversation("acctOld", "ib1", base)
	m := newMessage(inbox.DirectionIn, "hello", base, inbox.MessageReceived)
	m.AccountID, m.ConversationID = c.AccountID, c.ID
	av, err := marshal(newMessageItem(m, "ch1"))
	must(t, err)
	if _, ok := av["id"]; ok {
		t.Errorf("a new message item stores its id: %s", dump(av))
	}
	av["accountId"], av["conversationId"], av["id"] = str(c.AccountID), str(c.ID), str(m.ID)
	if _, err := f.client.PutItem(f.ctx, &dynamodb.PutItemInput{TableName: aws.String(f.table), Item: av}); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.GetMessage(f.ctx, c.AccountID, c.ID, m.ID)
	must(t, err)
	if got.ID != m.ID || got.ConversationID != c.ID || got.AccountID != c.AccountID || got.Text != "hello" {
		t.Errorf("old message read as %+v", got)
	}
}

// TestCompactTime checks the stored form of the contact's last message's time and of the read
// markers: 13 characters that sort as the times do, exact to the nanosecond, and the zero time
// (a message without a time) before every other.
func TestCompactTime(t *testing.T) {
	t.Parallel()
	times := []time.Time{{}, time.Unix(0, 1).UTC(), sizeAt.Add(-time.Nanosecond), sizeAt, sizeAt.Add(time.Nanosecond),
		sizeAt.Add(time.Hour), time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)}
	for i, at := range times {
		c := compactTime(at)
		if len(c) != compactTimeLen || !compactAt(c).Equal(at) {
			t.Errorf("compactTime(%v) = %q, back %v", at, c, compactAt(c))
		}
		if i > 0 && compactTime(times[i-1]) >= c {
			t.Errorf("compactTime(%v) = %q does not sort after %q", at, c, compactTime(times[i-1]))
		}
	}
}
