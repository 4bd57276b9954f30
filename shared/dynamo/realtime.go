package dynamo

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/realtime"
)

// The live channel's items: connections (found by id, and listed by audience) and the event
// log of the catch-up. See the key table in doc.go.
const (
	// connectionTTL outlives API Gateway's longest connection (2 hours): a connection whose
	// $disconnect never came (a crash) goes away by itself.
	connectionTTL = 3 * time.Hour
	// eventTTL is how long the catch-up can reach back.
	eventTTL     = 24 * time.Hour
	skConnection = "WS"
	// VisitorGrace is how long a chat visitor counts as present after their connection ended: a
	// page reload or a move to another page of the site is not leaving (see VisitorOnline).
	VisitorGrace = 5 * time.Minute
)

type connectionItem struct {
	PK             string `dynamodbav:"pk"`
	SK             string `dynamodbav:"sk"`
	ID             string `dynamodbav:"connectionId"`
	AccountID      string `dynamodbav:"accountId"`
	UserID         string `dynamodbav:"userId,omitempty"`
	Visitor        bool   `dynamodbav:"visitor,omitempty"`
	VisitorID      string `dynamodbav:"visitorId,omitempty"`
	ConversationID string `dynamodbav:"conversationId,omitempty"`
	ConnectedAt    string `dynamodbav:"connectedAt"`
	// GoneAt marks the audience copy of a visitor's ended connection, kept VisitorGrace for
	// their presence; it is pushed nothing.
	GoneAt string `dynamodbav:"goneAt,omitempty"`
	TTL    int64  `dynamodbav:"ttl"`
}

func (it connectionItem) connection() realtime.Connection {
	at, _ := time.Parse(time.RFC3339Nano, it.ConnectedAt)
	return realtime.Connection{ID: it.ID, ConnectedAt: at, Principal: realtime.Principal{Account: it.AccountID,
		UserID: it.UserID, Visitor: it.Visitor, VisitorID: it.VisitorID, ConversationID: it.ConversationID}}
}

// audienceOf is the audience partition connection c is listed in.
func audienceOf(c realtime.Connection) string {
	if c.Visitor {
		return audiencePK(c.Account, c.ConversationID)
	}
	return audiencePK(c.Account, "")
}

// PutConnection records connection c twice in one batch: under its id (for $disconnect and its
// frames, which carry nothing else) and in its audience's partition (for pushes), both expiring
// after connectionTTL. A visitor without a conversation yet hears nothing until it reconnects
// with one.
//
// Errors: EInvalid (missing or malformed ids), EUnavailable, EInternal.
func (s *Store) PutConnection(ctx context.Context, c realtime.Connection) error {
	if err := checkIDs("connection id", c.ID, "account id", c.Account); err != nil {
		return err
	}
	if c.Visitor && c.ConversationID != "" {
		if err := checkIDs("conversation id", c.ConversationID); err != nil {
			return err
		}
	}
	if !c.Visitor {
		if err := checkIDs("user id", c.UserID); err != nil {
			return err
		}
	}
	it := connectionItem{ID: c.ID, AccountID: c.Account, UserID: c.UserID, Visitor: c.Visitor, VisitorID: c.VisitorID,
		ConversationID: c.ConversationID, ConnectedAt: c.ConnectedAt.UTC().Format(time.RFC3339Nano),
		TTL: s.now().Add(connectionTTL).Unix()}
	byID, byAudience := it, it
	byID.PK, byID.SK = connectionPK(c.ID), skConnection
	byAudience.PK, byAudience.SK = audienceOf(c), c.ID
	var puts []map[string]types.AttributeValue
	for _, v := range []connectionItem{byID, byAudience} {
		av, err := marshal(v)
		if err != nil {
			return err
		}
		puts = append(puts, av)
	}
	return s.batchWrite(ctx, "PutConnection", puts, nil)
}

// GetConnection returns connection id.
//
// Errors: ENotFound (unknown or expired), EInvalid, EUnavailable, EInternal.
func (s *Store) GetConnection(ctx context.Context, id string) (realtime.Connection, error) {
	if err := checkIDs("connection id", id); err != nil {
		return realtime.Connection{}, err
	}
	av, err := s.getItem(ctx, "GetConnection", key(connectionPK(id), skConnection))
	if err != nil {
		return realtime.Connection{}, err
	}
	var it connectionItem
	if av != nil {
		if err := unmarshal(av, &it); err != nil {
			return realtime.Connection{}, err
		}
	}
	if av == nil || it.TTL < s.now().Unix() {
		return realtime.Connection{}, inbox.Errorf(inbox.ENotFound, "no such connection")
	}
	return it.connection(), nil
}

// DeleteConnection forgets connection id: both its items. A visitor's audience copy stays
// VisitorGrace longer, marked gone (pushed nothing), as their recent presence. An unknown id is
// no error.
//
// Errors: EInvalid, EUnavailable, EInternal.
func (s *Store) DeleteConnection(ctx context.Context, id string) error {
	c, err := s.GetConnection(ctx, id)
	if inbox.ErrorCodeOf(err) == inbox.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	deletes := []map[string]types.AttributeValue{key(connectionPK(id), skConnection)}
	var puts []map[string]types.AttributeValue
	if c.Visitor && c.ConversationID != "" {
		now := s.now()
		av, err := marshal(connectionItem{PK: audienceOf(c), SK: id, ID: id, AccountID: c.Account, Visitor: true,
			VisitorID: c.VisitorID, ConversationID: c.ConversationID, ConnectedAt: c.ConnectedAt.UTC().Format(time.RFC3339Nano),
			GoneAt: now.UTC().Format(time.RFC3339Nano), TTL: now.Add(VisitorGrace).Unix()})
		if err != nil {
			return err
		}
		puts = append(puts, av)
	} else {
		deletes = append(deletes, key(audienceOf(c), id))
	}
	return s.batchWrite(ctx, "DeleteConnection", puts, deletes)
}

// VisitorOnline reports whether a chat visitor of conversation convID of account acct is
// present: connected to the live channel now, or within the last VisitorGrace. chatsend mails
// agents' replies only to visitors who are not. One eventually consistent Query of the
// conversation's visitor audience (0.5 RCU).
//
// Errors: EInvalid, EUnavailable, EInternal.
func (s *Store) VisitorOnline(ctx context.Context, acct, convID string) (bool, error) {
	if err := checkIDs("account id", acct, "conversation id", convID); err != nil {
		return false, err
	}
	now := s.now().Unix()
	var start map[string]types.AttributeValue
	for {
		res, err := s.query(ctx, "VisitorOnline", &dynamodb.QueryInput{
			KeyConditionExpression:    aws.String("#pk = :pk"),
			ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(audiencePK(acct, convID))},
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return false, err
		}
		for _, av := range res.Items {
			var it connectionItem
			if err := unmarshal(av, &it); err != nil {
				return false, err
			}
			if it.TTL >= now {
				return true, nil
			}
		}
		if start = res.LastEvaluatedKey; len(start) == 0 {
			return false, nil
		}
	}
}

// Audience lists the live connections that hear about conversation convID of account acct:
// the account's agents and, when convID is given, the conversation's visitors. Eventually
// consistent: a connection made a moment ago may miss one push, which its catch-up covers.
//
// Errors: EInvalid, EUnavailable, EInternal.
func (s *Store) Audience(ctx context.Context, acct, convID string) ([]realtime.Connection, error) {
	if err := checkIDs("account id", acct); err != nil {
		return nil, err
	}
	pks := []string{audiencePK(acct, "")}
	if convID != "" {
		if err := checkIDs("conversation id", convID); err != nil {
			return nil, err
		}
		pks = append(pks, audiencePK(acct, convID))
	}
	now := s.now().Unix()
	var out []realtime.Connection
	for _, pk := range pks {
		var start map[string]types.AttributeValue
		for {
			res, err := s.query(ctx, "Audience", &dynamodb.QueryInput{
				KeyConditionExpression:    aws.String("#pk = :pk"),
				ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk)},
				ExclusiveStartKey:         start,
			})
			if err != nil {
				return nil, err
			}
			for _, av := range res.Items {
				var it connectionItem
				if err := unmarshal(av, &it); err != nil {
					return nil, err
				}
				if it.TTL >= now && it.GoneAt == "" {
					out = append(out, it.connection())
				}
			}
			if start = res.LastEvaluatedKey; len(start) == 0 {
				break
			}
		}
	}
	return out, nil
}

type eventItem struct {
	PK             string `dynamodbav:"pk"`
	SK             string `dynamodbav:"sk"` // the cursor
	Kind           string `dynamodbav:"kind"`
	ConversationID string `dynamodbav:"conversationId,omitempty"`
	MessageID      string `dynamodbav:"messageId,omitempty"`
	From           string `dynamodbav:"from,omitempty"`
	At             string `dynamodbav:"at"`
	TTL            int64  `dynamodbav:"ttl"`
}

// AppendEvents logs events (each with its Cursor as sort key) for eventTTL, in batches of 25.
//
// Errors: EInvalid (an event without account or cursor), EUnavailable, EInternal.
func (s *Store) AppendEvents(ctx context.Context, events []realtime.Event) error {
	var puts []map[string]types.AttributeValue
	ttl := s.now().Add(eventTTL).Unix()
	for _, e := range events {
		if err := checkIDs("account id", e.Account); err != nil {
			return err
		}
		if e.Cursor == "" {
			return inbox.Errorf(inbox.EInvalid, "an event needs a cursor")
		}
		av, err := marshal(eventItem{PK: eventsPK(e.Account), SK: e.Cursor, Kind: e.Kind, ConversationID: e.ConversationID,
			MessageID: e.MessageID, From: e.From, At: e.At.UTC().Format(time.RFC3339Nano), TTL: ttl})
		if err != nil {
			return err
		}
		puts = append(puts, av)
	}
	return s.batchWrite(ctx, "AppendEvents", puts, nil)
}

// EventsAfter returns up to limit (1..500) events of account acct with a cursor after cursor
// (all kept ones when it is empty), oldest first.
//
// Errors: EInvalid, EUnavailable, EInternal.
func (s *Store) EventsAfter(ctx context.Context, acct, cursor string, limit int) ([]realtime.Event, error) {
	if err := checkIDs("account id", acct); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		return nil, inbox.Errorf(inbox.EInvalid, "limit must be 1..500")
	}
	if len(cursor) > 200 {
		return nil, inbox.Errorf(inbox.EInvalid, "malformed cursor")
	}
	in := &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(eventsPK(acct))},
		Limit:                     aws.Int32(int32(limit)),
		ConsistentRead:            aws.Bool(true),
	}
	if cursor != "" {
		in.KeyConditionExpression = aws.String("#pk = :pk AND #sk > :after")
		in.ExpressionAttributeNames["#sk"] = attrSK
		in.ExpressionAttributeValues[":after"] = str(cursor)
	}
	res, err := s.query(ctx, "EventsAfter", in)
	if err != nil {
		return nil, err
	}
	out := make([]realtime.Event, 0, len(res.Items))
	for _, av := range res.Items {
		var it eventItem
		if err := unmarshal(av, &it); err != nil {
			return nil, err
		}
		at, _ := time.Parse(time.RFC3339Nano, it.At)
		out = append(out, realtime.Event{Account: acct, Kind: it.Kind, ConversationID: it.ConversationID,
			MessageID: it.MessageID, From: it.From, Cursor: it.SK, At: at})
	}
	return out, nil
}

// ChangeEvent turns the key of a committed write of the table (a DynamoDB Stream record's Keys,
// or the local store's change hook) into the event it means: a message (A#{acct}#CV#{conv},
// M#{msg}), a conversation (A#{acct}#CV#{conv}, CV) or a ticket (A#{acct}, TICKET#{conv}).
// Other items make no event (false).
func ChangeEvent(pk, sk string) (realtime.Event, bool) {
	rest, ok := strings.CutPrefix(pk, "A#")
	if !ok {
		return realtime.Event{}, false
	}
	acct, conv, isConv := strings.Cut(rest, "#CV#")
	switch {
	case isConv && sk == skConv && !strings.Contains(conv, "#"):
		return realtime.Event{Account: acct, Kind: realtime.KindConversation, ConversationID: conv}, true
	case isConv && strings.HasPrefix(sk, prefixMessage) && !strings.Contains(conv, "#"):
		return realtime.Event{Account: acct, Kind: realtime.KindMessage, ConversationID: conv, MessageID: strings.TrimPrefix(sk, prefixMessage)}, true
	case !isConv && !strings.Contains(rest, "#") && strings.HasPrefix(sk, prefixTicket):
		return realtime.Event{Account: acct, Kind: realtime.KindTicket, ConversationID: strings.TrimPrefix(sk, prefixTicket)}, true
	}
	return realtime.Event{}, false
}

// batchWrite puts and deletes items with BatchWriteItem, 25 at a time, retrying what DynamoDB
// leaves unprocessed.
func (s *Store) batchWrite(ctx context.Context, op string, puts, deletes []map[string]types.AttributeValue) error {
	var reqs []types.WriteRequest
	for _, p := range puts {
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: p}})
	}
	for _, d := range deletes {
		reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: d}})
	}
	for len(reqs) > 0 {
		n := min(len(reqs), 25)
		batch := reqs[:n]
		reqs = reqs[n:]
		for attempt := 0; len(batch) > 0; attempt++ {
			if attempt > 0 {
				if attempt >= maxAttempts {
					return inbox.Errorf(inbox.EUnavailable, "storage is unavailable: %s left items unprocessed", op)
				}
				if err := backoff(ctx, attempt); err != nil {
					return storeError(err, op)
				}
			}
			out, err := s.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
				RequestItems:           map[string][]types.WriteRequest{*s.table: batch},
				ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
			})
			if err != nil {
				return storeError(err, op)
			}
			s.report(op+"/BatchWriteItem", true, out.ConsumedCapacity...)
			batch = out.UnprocessedItems[*s.table]
		}
	}
	return nil
}
