package dynamo

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/openinbox/inbox/shared/inbox"
)

// providerMarker builds the put of the marker that maps a provider's message id to a message.
// The put succeeds when there is no marker yet, when the existing one has expired (DynamoDB
// deletes expired items lazily), or, when sameMessageOK, when it already points to the message.
func (s *Store) providerMarker(acct, channelID, providerID, convID, msgID string, sameMessageOK bool) (types.TransactWriteItem, error) {
	now := s.now()
	av, err := marshal(providerMessageItem{
		PK: providerMsgPK(acct, channelID, providerID), SK: skProviderMsg,
		ConversationID: convID, MessageID: msgID, TTL: now.Add(markerTTL).Unix(),
	})
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	cond := "attribute_not_exists(#pk) OR #ttl < :now"
	names := map[string]string{"#pk": attrPK, "#ttl": "ttl"}
	values := map[string]types.AttributeValue{":now": value(now.Unix())}
	if sameMessageOK {
		cond += " OR (#conv = :conv AND #msg = :msg)"
		names["#conv"], names["#msg"] = "conversationId", "messageId"
		values[":conv"], values[":msg"] = str(convID), str(msgID)
	}
	return types.TransactWriteItem{Put: &types.Put{
		Item:                      av,
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	}}, nil
}

// AppendMessage stores m as a new message of conv and moves conv's last-message time, preview
// and index positions to it, in one transaction. When providerID is not "" the provider's id of
// the message is recorded for 90 days, and a second append with the same conv.ChannelID and
// providerID writes nothing and returns false: under any concurrency, one message is stored per
// provider message. It returns true when the message was stored.
//
// Errors: EInvalid (missing or malformed ids), ENotFound (no conversation conv), EConflict (a
// message with m.ID exists), EUnavailable, EInternal.
func (s *Store) AppendMessage(ctx context.Context, conv inbox.Conversation, m inbox.Message, providerID string) (bool, error) {
	if err := checkIDs("account id", conv.AccountID, "conversation id", conv.ID, "message id", m.ID); err != nil {
		return false, err
	}
	if providerID != "" {
		if err := checkIDs("channel id", conv.ChannelID); err != nil {
			return false, err
		}
		if m.ProviderID == "" {
			m.ProviderID = providerID
		}
	}
	if m.ConversationID != "" && m.ConversationID != conv.ID {
		return false, inbox.Errorf(inbox.EInvalid, "the message belongs to another conversation")
	}
	m.AccountID, m.ConversationID = conv.AccountID, conv.ID
	msgAV, err := marshal(newMessageItem(m, conv.ChannelID))
	if err != nil {
		return false, err
	}
	var items []types.TransactWriteItem
	if providerID != "" {
		marker, err := s.providerMarker(conv.AccountID, conv.ChannelID, providerID, conv.ID, m.ID, false)
		if err != nil {
			return false, err
		}
		items = append(items, marker)
	}
	sk := timeSK(m.CreatedAt, conv.ID)
	items = append(items,
		types.TransactWriteItem{Put: &types.Put{
			Item:                     msgAV,
			ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
			ExpressionAttributeNames: map[string]string{"#pk": attrPK},
		}},
		types.TransactWriteItem{Update: &types.Update{
			Key:                 key(convPK(conv.AccountID, conv.ID), skConv),
			UpdateExpression:    aws.String("SET #last = :last, #preview = :preview, #g1 = :sk, #g2 = :sk, #g3 = :sk ADD #version :one"),
			ConditionExpression: aws.String("attribute_exists(#pk)"),
			ExpressionAttributeNames: map[string]string{
				"#pk": attrPK, "#last": "lastMessageAt", "#preview": "preview",
				"#g1": "gsi1sk", "#g2": "gsi2sk", "#g3": "gsi3sk", "#version": "version",
			},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":last": value(m.CreatedAt.UTC()), ":preview": str(m.Preview()), ":sk": str(sk),
				":one": value(1),
			},
		}},
	)
	err = s.transact(ctx, "AppendMessage", items)
	var cerr *canceled
	if !errors.As(err, &cerr) {
		return err == nil, err
	}
	first := 0
	if providerID != "" {
		if cerr.failed(0) {
			return false, nil // a duplicate: the provider's message is already stored.
		}
		first = 1
	}
	if cerr.failed(first + 1) {
		return false, inbox.Errorf(inbox.ENotFound, "conversation not found")
	}
	return false, inbox.Errorf(inbox.EConflict, "a message with this id already exists")
}

// ProviderMessage returns the conversation and message ids of the message that channel
// channelID of account acct knows by the provider's id providerID.
//
// Errors: ENotFound (unknown, or older than 90 days), EInvalid (malformed ids), EUnavailable,
// EInternal.
func (s *Store) ProviderMessage(ctx context.Context, acct, channelID, providerID string) (convID, msgID string, err error) {
	if err := checkIDs("account id", acct, "channel id", channelID); err != nil {
		return "", "", err
	}
	if providerID == "" {
		return "", "", inbox.Errorf(inbox.EInvalid, "provider message id is required")
	}
	av, err := s.getItem(ctx, "ProviderMessage", key(providerMsgPK(acct, channelID, providerID), skProviderMsg))
	if err != nil {
		return "", "", err
	}
	var it providerMessageItem
	if av != nil {
		if err := unmarshal(av, &it); err != nil {
			return "", "", err
		}
	}
	if av == nil || it.TTL < s.now().Unix() {
		return "", "", inbox.Errorf(inbox.ENotFound, "provider message not found")
	}
	return it.ConversationID, it.MessageID, nil
}

// ListMessages returns every message of conversation convID of account acct, oldest first.
//
// Errors: ENotFound (no such conversation), EInvalid (malformed ids), EUnavailable, EInternal.
func (s *Store) ListMessages(ctx context.Context, acct, convID string) ([]inbox.Message, error) {
	if err := checkIDs("account id", acct, "conversation id", convID); err != nil {
		return nil, err
	}
	// The conversation's partition holds its item (sk "CV") and then its messages ("M#…"), in
	// this order: one query reads both, so that a missing conversation is told from an empty one.
	in := &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(convPK(acct, convID))},
		ConsistentRead:            aws.Bool(true),
	}
	found := false
	list := []inbox.Message{}
	for {
		out, err := s.query(ctx, "ListMessages", in)
		if err != nil {
			return nil, err
		}
		for _, av := range out.Items {
			sk, _ := av[attrSK].(*types.AttributeValueMemberS)
			switch {
			case sk == nil:
			case sk.Value == skConv:
				found = true
			case len(sk.Value) > len(prefixMessage) && sk.Value[:len(prefixMessage)] == prefixMessage:
				var it messageItem
				if err := unmarshal(av, &it); err != nil {
					return nil, err
				}
				list = append(list, it.domain())
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if !found {
		return nil, inbox.Errorf(inbox.ENotFound, "conversation not found")
	}
	return list, nil
}

// GetMessage returns message msgID of conversation convID of account acct.
//
// Errors: ENotFound, EInvalid (malformed ids), EUnavailable, EInternal.
func (s *Store) GetMessage(ctx context.Context, acct, convID, msgID string) (inbox.Message, error) {
	if err := checkIDs("account id", acct, "conversation id", convID, "message id", msgID); err != nil {
		return inbox.Message{}, err
	}
	it, err := s.message(ctx, "GetMessage", acct, convID, msgID)
	return it.domain(), err
}

func (s *Store) message(ctx context.Context, op, acct, convID, msgID string) (messageItem, error) {
	av, err := s.getItem(ctx, op, key(convPK(acct, convID), messageSK(msgID)))
	if err != nil {
		return messageItem{}, err
	}
	if av == nil {
		return messageItem{}, inbox.Errorf(inbox.ENotFound, "message not found")
	}
	var it messageItem
	if err := unmarshal(av, &it); err != nil {
		return messageItem{}, err
	}
	return it, nil
}

// UpdateDelivery applies u to outbound message msgID of conversation convID of account acct
// when it moves the message forward (u.Status ranks higher than the current status: a late
// "sent" never overwrites "delivered", and failed / undelivered are final), setting the status,
// the provider's error when u carries one, and the update time now. When u.ProviderID is set it
// is recorded on the message together with the provider message marker, in the same
// transaction, so that later status callbacks find the message. It returns the message as
// stored and whether u was applied; an update that is not applied is not an error.
//
// Errors: ENotFound, EInvalid (malformed ids, a status that is not a delivery status),
// EConflict (u.ProviderID already names another message), EUnavailable, EInternal.
func (s *Store) UpdateDelivery(ctx context.Context, acct, convID, msgID string, u inbox.DeliveryUpdate, now time.Time) (inbox.Message, bool, error) {
	if err := checkIDs("account id", acct, "conversation id", convID, "message id", msgID); err != nil {
		return inbox.Message{}, false, err
	}
	if u.Status.Rank() == 0 {
		return inbox.Message{}, false, inbox.Errorf(inbox.EInvalid, "%q is not a delivery status", u.Status)
	}
	const op = "UpdateDelivery"
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		it, err := s.message(ctx, op, acct, convID, msgID)
		if err != nil {
			return inbox.Message{}, false, err
		}
		cur := inbox.MessageStatus(it.Status)
		if it.Direction == string(inbox.DirectionIn) || u.Status.Rank() <= cur.Rank() {
			return it.domain(), false, nil
		}
		set := "SET #status = :status, #updated = :updated"
		names := map[string]string{"#status": "status", "#updated": "updatedAt"}
		values := map[string]types.AttributeValue{
			":status": str(string(u.Status)), ":updated": value(now.UTC()), ":cur": str(string(cur)),
		}
		if u.Error != nil {
			set += ", #error = :error"
			names["#error"] = "error"
			values[":error"] = value(newProviderErrorItem(u.Error))
		}
		var marker *types.TransactWriteItem
		if u.ProviderID != "" && u.ProviderID != it.ProviderID {
			set += ", #provider = :provider"
			names["#provider"] = "providerId"
			values[":provider"] = str(u.ProviderID)
			channelID := it.ChannelID
			if channelID == "" {
				c, err := s.conversation(ctx, op, acct, convID)
				if err != nil {
					return inbox.Message{}, false, err
				}
				channelID = c.ChannelID
			}
			m, err := s.providerMarker(acct, channelID, u.ProviderID, convID, msgID, true)
			if err != nil {
				return inbox.Message{}, false, err
			}
			marker = &m
		}
		update := &types.Update{
			Key:                       key(convPK(acct, convID), messageSK(msgID)),
			UpdateExpression:          aws.String(set),
			ConditionExpression:       aws.String("#status = :cur"),
			ExpressionAttributeNames:  names,
			ExpressionAttributeValues: values,
		}
		if marker == nil {
			_, err = s.updateItem(ctx, op, &dynamodb.UpdateItemInput{
				Key: update.Key, UpdateExpression: update.UpdateExpression,
				ConditionExpression: update.ConditionExpression, ExpressionAttributeNames: names,
				ExpressionAttributeValues: values,
			})
			if isConditionFailed(err) {
				continue // the status moved since read: judge again.
			}
			if err != nil {
				return inbox.Message{}, false, storeError(err, "update delivery")
			}
		} else {
			err = s.transact(ctx, op, []types.TransactWriteItem{{Update: update}, *marker})
			var cerr *canceled
			switch {
			case err == nil:
			case !errors.As(err, &cerr):
				return inbox.Message{}, false, err
			case cerr.failed(0):
				continue // the status moved since read: judge again.
			default:
				return inbox.Message{}, false, inbox.Errorf(inbox.EConflict, "the provider message id belongs to another message")
			}
			it.ProviderID = u.ProviderID
		}
		it.Status = string(u.Status)
		it.UpdatedAt = now.UTC()
		if u.Error != nil {
			it.Error = newProviderErrorItem(u.Error)
		}
		return it.domain(), true, nil
	}
	return inbox.Message{}, false, inbox.Errorf(inbox.EUnavailable, "the message keeps changing; try again")
}

// TransitionMessage moves message msgID of conversation convID of account acct from status
// from to status to, setting its update time to now. The dispatcher uses it to claim an
// outbound message (pending → sending) exactly once.
//
// Errors: ENotFound, EInvalid (malformed ids, empty statuses), EConflict (the message is not in
// status from), EUnavailable, EInternal.
func (s *Store) TransitionMessage(ctx context.Context, acct, convID, msgID string, from, to inbox.MessageStatus, now time.Time) error {
	if err := checkIDs("account id", acct, "conversation id", convID, "message id", msgID); err != nil {
		return err
	}
	if from == "" || to == "" {
		return inbox.Errorf(inbox.EInvalid, "both statuses are required")
	}
	const op = "TransitionMessage"
	_, err := s.updateItem(ctx, op, &dynamodb.UpdateItemInput{
		Key:                      key(convPK(acct, convID), messageSK(msgID)),
		UpdateExpression:         aws.String("SET #status = :to, #updated = :updated"),
		ConditionExpression:      aws.String("attribute_exists(#pk) AND #status = :from"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#status": "status", "#updated": "updatedAt"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":to": str(string(to)), ":from": str(string(from)), ":updated": value(now.UTC()),
		},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err == nil {
		return nil
	}
	if !isConditionFailed(err) {
		return storeError(err, "transition message")
	}
	var cf *types.ConditionalCheckFailedException
	if errors.As(err, &cf) && len(cf.Item) == 0 {
		// DynamoDB returns the old item when there is one; without it, confirm it is missing.
		if _, gerr := s.message(ctx, op, acct, convID, msgID); gerr != nil {
			return gerr
		}
	}
	return inbox.Errorf(inbox.EConflict, "the message is not %s", from)
}
