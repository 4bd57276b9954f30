package dynamo

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/infra/testenv"
	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/secretbox"
)

// fixture is a store on a fresh table.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	store  *Store
	client *dynamodb.Client
	table  string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	client, table := testenv.DynamoDBLocal(t)
	key := make([]byte, secretbox.KeySize)
	_, _ = rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: context.Background(), store: New(client, table, box), client: client, table: table}
}

// storeBackends are the stores a test runs on when it checks that the embedded store of `make
// run` (minidyn) agrees with DynamoDB Local: a fixture on each, by name.
func storeBackends() map[string]func(*testing.T) *fixture {
	return map[string]func(*testing.T) *fixture{
		"dynamodb-local": newFixture,
		"embedded": func(t *testing.T) *fixture {
			client, table := testenv.DynamoDBEmbedded(t)
			return &fixture{t: t, ctx: context.Background(), store: New(client, table, nil), client: client, table: table}
		},
	}
}

// eachStore runs test on each store of storeBackends, each a parallel subtest with a fixture of
// its own.
func eachStore(t *testing.T, test func(t *testing.T, f *fixture)) {
	t.Helper()
	for name, newF := range storeBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, newF(t))
		})
	}
}

// base is a fixed instant with whole microseconds, as stored sort keys keep them.
var base = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

func (f *fixture) inbox(acct string) inbox.Inbox {
	f.t.Helper()
	ib := inbox.Inbox{AccountID: acct, ID: inbox.NewID(), Name: "Support", CreatedAt: base}
	if err := f.store.CreateInbox(f.ctx, ib); err != nil {
		f.t.Fatal(err)
	}
	return ib
}

func (f *fixture) channel(acct, inboxID, phone string) inbox.Channel {
	f.t.Helper()
	ch := inbox.Channel{
		AccountID: acct, ID: inbox.NewID(), InboxID: inboxID, Type: inbox.ChannelSMS, Name: "SMS " + phone,
		ProviderKey: phone, Twilio: &inbox.TwilioConfig{AccountSID: "AC123", PhoneNumber: phone},
		Secrets:   map[string]string{inbox.SecretTwilioAuthToken: "tok-" + inbox.NewID()},
		CreatedAt: base,
	}
	if err := f.store.CreateChannel(f.ctx, ch); err != nil {
		f.t.Fatal(err)
	}
	return ch
}

func newConversation(acct, inboxID, channelID, contactID string, at time.Time) inbox.Conversation {
	return inbox.Conversation{
		AccountID: acct, ID: inbox.NewID(), InboxID: inboxID, ChannelID: channelID,
		ChannelType: inbox.ChannelSMS, ContactID: contactID, ContactName: "Ada",
		ContactPhone: "+15550000001", Status: inbox.StatusOpen, LastMessageAt: at, CreatedAt: at,
	}
}

// conversation opens a new conversation for a new contact.
func (f *fixture) conversation(acct, inboxID string, at time.Time) inbox.Conversation {
	f.t.Helper()
	c, created, err := f.store.FindOrOpenConversation(f.ctx, newConversation(acct, inboxID, "ch1", inbox.NewID(), at))
	if err != nil || !created {
		f.t.Fatalf("FindOrOpenConversation = %v, %v", created, err)
	}
	return c
}

func newMessage(dir inbox.Direction, text string, at time.Time, status inbox.MessageStatus) inbox.Message {
	return inbox.Message{
		ID: inbox.MessageID(at, inbox.NewID()[:8]), Direction: dir, Text: text, CreatedAt: at,
		Status: status, UpdatedAt: at,
	}
}

func (f *fixture) append(c inbox.Conversation, m inbox.Message, providerID string) inbox.Message {
	f.t.Helper()
	ok, err := f.store.AppendMessage(f.ctx, c, m, providerID)
	if err != nil || !ok {
		f.t.Fatalf("AppendMessage = %v, %v", ok, err)
	}
	m.AccountID, m.ConversationID = c.AccountID, c.ID
	if m.ProviderID == "" {
		m.ProviderID = providerID
	}
	return m
}

// raw reads an item as stored.
func (f *fixture) raw(pk, sk string) map[string]types.AttributeValue {
	f.t.Helper()
	out, err := f.client.GetItem(f.ctx, &dynamodb.GetItemInput{TableName: aws.String(f.table), Key: key(pk, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		f.t.Fatal(err)
	}
	return out.Item
}

func wantCode(t *testing.T, err error, code inbox.ErrorCode) {
	t.Helper()
	if got := inbox.ErrorCodeOf(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ids[T any](list []T, id func(T) string) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = id(v)
	}
	return out
}

func convIDs(list []inbox.Conversation) []string {
	return ids(list, func(c inbox.Conversation) string { return c.ID })
}

// dump renders an item with every string and binary value, to search it for clear text.
func dump(item map[string]types.AttributeValue) string {
	var b strings.Builder
	var walk func(v types.AttributeValue)
	walk = func(v types.AttributeValue) {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			b.WriteString(v.Value + " ")
		case *types.AttributeValueMemberB:
			b.Write(v.Value)
			b.WriteString(" ")
		case *types.AttributeValueMemberM:
			for k, e := range v.Value {
				b.WriteString(k + " ")
				walk(e)
			}
		case *types.AttributeValueMemberL:
			for _, e := range v.Value {
				walk(e)
			}
		}
	}
	for k, v := range item {
		b.WriteString(k + " ")
		walk(v)
	}
	return b.String()
}

func updateSecrets(table, channelID string, v types.AttributeValue) *dynamodb.UpdateItemInput {
	return &dynamodb.UpdateItemInput{
		TableName:                 aws.String(table),
		Key:                       key(channelPK(channelID), skChannel),
		UpdateExpression:          aws.String("SET secrets = :s"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": v},
	}
}

type typesAV = types.AttributeValue

func putInput(table string, item map[string]types.AttributeValue) *dynamodb.PutItemInput {
	return &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}
}

func updateLoad(table, acct, userID string, load int) *dynamodb.UpdateItemInput {
	return &dynamodb.UpdateItemInput{
		TableName:                 aws.String(table),
		Key:                       key(accountPK(acct), userSK(userID)),
		UpdateExpression:          aws.String("SET #load = :load"),
		ExpressionAttributeNames:  map[string]string{"#load": "load"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":load": value(load)},
	}
}
