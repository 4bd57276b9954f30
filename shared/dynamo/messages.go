package dynamo

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
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
// and index positions to it (and its last-inbound time, when m is inbound). When providerID is
// not "" the provider's id of the message is recorded for 90 days, and a second append with the
// same conv.ChannelID and providerID changes nothing and returns false: under any concurrency
// and redelivery, one message is stored per provider message. It returns true when this call
// stored the message.
//
// It makes single writes, not a transaction (which would cost twice the units): the message,
// conditional on its id being new; the conversation; then the provider marker, conditional on
// naming no other message. A message whose conversation is missing, or whose provider id turns
// out to be stored under another id, is deleted again. Callers give an inbound message an id
// derived from the provider's (the router does), so that a redelivery after a failure in
// between writes the same message: it finds it, completes what is missing, and returns false.
// Since the marker is written last, a redelivery always finds what a failure left undone. A
// duplicate under another id (a provider's retry racing the first delivery) may have moved the
// conversation's last-message time to its own, a moment later, before its marker failed.
//
// Errors: EInvalid (missing or malformed ids), ENotFound (no conversation conv), EConflict (a
// message with m.ID exists and providerID is ""), EUnavailable, EInternal.
func (s *Store) AppendMessage(ctx context.Context, conv inbox.Conversation, m inbox.Message, providerID string) (bool, error) {
	_, stored, err := s.appendMessage(ctx, "AppendMessage", conv.AccountID, conv.ID, conv.ChannelID, m, providerID, false, true, inbox.Conversation{})
	return stored, err
}

// AppendFirstMessage is AppendMessage for the message a conversation was just opened with:
// when conv, as OpenConversation stored it (Version 1), already shows m (its LastMessageAt is
// m.CreatedAt, its Preview m.Preview(), and its LastInboundAt m.CreatedAt when m is inbound), the
// conversation is not written again: the message and its provider marker are the only writes.
// Otherwise it is AppendMessage.
//
// Errors: those of AppendMessage.
func (s *Store) AppendFirstMessage(ctx context.Context, conv inbox.Conversation, m inbox.Message, providerID string) (bool, error) {
	shows := conv.Version == 1 && conv.LastMessageAt.Equal(m.CreatedAt) && conv.Preview == m.Preview() &&
		(m.Direction != inbox.DirectionIn || conv.LastInboundAt.Equal(m.CreatedAt))
	_, stored, err := s.appendMessage(ctx, "AppendFirstMessage", conv.AccountID, conv.ID, conv.ChannelID, m, providerID, false, !shows, conv)
	return stored, err
}

// AppendNote stores m, an internal note (Direction inbox.DirectionNote), in conversation conv:
// one put of the message item. The conversation itself is not written: a note moves neither its
// last-message time, preview and list order (the contact is still waiting for an answer) nor its
// version. It returns false when a message with m.ID exists.
//
// Errors: EInvalid (m is not a note, missing or malformed ids), ENotFound (no conversation
// conv), EUnavailable, EInternal.
func (s *Store) AppendNote(ctx context.Context, conv inbox.Conversation, m inbox.Message) (bool, error) {
	if m.Direction != inbox.DirectionNote {
		return false, inbox.Errorf(inbox.EInvalid, "only notes are stored this way")
	}
	if conv.Version == 0 {
		// The caller read the conversation (its version is at least 1): one without a version
		// was never stored, and a note would otherwise be left in an empty partition.
		return false, inbox.Errorf(inbox.ENotFound, "conversation not found")
	}
	_, stored, err := s.appendMessage(ctx, "AppendNote", conv.AccountID, conv.ID, conv.ChannelID, m, "", false, false, conv)
	return stored, err
}

// AppendToOpen is AppendMessage for conversation convID of account acct that must still be open:
// the inbound path's write when a hint (InboundState) names the contact's open conversation.
// channelID is the conversation's channel (the provider marker's scope). It returns the
// conversation as stored after the message (only its id and channel when nothing was stored).
//
// Errors: those of AppendMessage, and EConflict with inbox.ErrNotOpen in its chain when the
// conversation is not open (or does not exist): nothing is left written; look it up again.
func (s *Store) AppendToOpen(ctx context.Context, acct, convID, channelID string, m inbox.Message, providerID string) (inbox.Conversation, bool, error) {
	return s.appendMessage(ctx, "AppendToOpen", acct, convID, channelID, m, providerID, true, true, inbox.Conversation{})
}

// appendMessage stores m in conversation convID: the message, then (when touch) the
// conversation's last-message fields, then the provider marker. Without touch, shown is the
// conversation as it was just created, already showing m.
func (s *Store) appendMessage(ctx context.Context, op, acct, convID, channelID string, m inbox.Message, providerID string, mustBeOpen, touch bool, shown inbox.Conversation) (inbox.Conversation, bool, error) {
	if err := checkIDs("account id", acct, "conversation id", convID, "message id", m.ID); err != nil {
		return inbox.Conversation{}, false, err
	}
	if providerID != "" {
		if err := checkIDs("channel id", channelID); err != nil {
			return inbox.Conversation{}, false, err
		}
		if m.ProviderID == "" {
			m.ProviderID = providerID
		}
	}
	if m.ConversationID != "" && m.ConversationID != convID {
		return inbox.Conversation{}, false, inbox.Errorf(inbox.EInvalid, "the message belongs to another conversation")
	}
	m.AccountID, m.ConversationID = acct, convID
	msgAV, err := marshal(newMessageItem(m, channelID))
	if err != nil {
		return inbox.Conversation{}, false, err
	}
	unstored := inbox.Conversation{AccountID: acct, ID: convID, ChannelID: channelID}
	msgKey := key(convPK(acct, convID), messageSK(m.ID))
	err = s.putItem(ctx, op, &dynamodb.PutItemInput{
		Item:                     msgAV,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK},
	})
	replay := isConditionFailed(err)
	switch {
	case replay && providerID == "":
		return inbox.Conversation{}, false, inbox.Errorf(inbox.EConflict, "a message with this id already exists")
	case err != nil && !replay:
		return inbox.Conversation{}, false, storeError(err, "store message")
	}
	var conv inbox.Conversation
	var touchErr error
	if touch {
		conv, touchErr = s.touchConversation(ctx, op, acct, convID, m, mustBeOpen, replay)
	} else {
		conv = shown
	}
	switch {
	case touchErr == nil:
	case replay && inbox.IsCode(touchErr, inbox.EConflict):
		// A redelivery of a message whose conversation has moved past it: only the provider
		// marker may be missing.
	case inbox.IsCode(touchErr, inbox.ENotFound) || inbox.IsCode(touchErr, inbox.EConflict):
		// No (open) conversation for the message: take it back.
		if !replay {
			if derr := s.deleteItem(ctx, op, &dynamodb.DeleteItemInput{Key: msgKey}); derr != nil {
				return inbox.Conversation{}, false, storeError(derr, "take back message")
			}
		}
		return inbox.Conversation{}, false, touchErr
	default:
		return inbox.Conversation{}, false, touchErr
	}
	if providerID != "" {
		// The marker comes last, so that a failure before it leaves nothing a redelivery would
		// take for done: the redelivery finds no marker, finds its message, and completes.
		marker, err := s.providerMarker(acct, channelID, providerID, convID, m.ID, true)
		if err != nil {
			return inbox.Conversation{}, false, err
		}
		err = s.putItem(ctx, op, &dynamodb.PutItemInput{
			Item: marker.Put.Item, ConditionExpression: marker.Put.ConditionExpression,
			ExpressionAttributeNames: marker.Put.ExpressionAttributeNames, ExpressionAttributeValues: marker.Put.ExpressionAttributeValues,
		})
		if isConditionFailed(err) {
			// The provider's message is stored under another id: this one is a duplicate (also
			// when an earlier delivery of it wrote it and failed before its marker).
			if err := s.deleteItem(ctx, op, &dynamodb.DeleteItemInput{Key: msgKey}); err != nil {
				return inbox.Conversation{}, false, storeError(err, "remove duplicate message")
			}
			return unstored, false, nil
		}
		if err != nil {
			return inbox.Conversation{}, false, storeError(err, "record provider message")
		}
	}
	if touchErr != nil {
		return unstored, false, nil
	}
	return conv, !replay, nil
}

// touchConversation moves conversation convID's last-message fields to m (when m is not older
// than what it shows), bumps its version and returns it as stored. The conversation's times only
// move forward: a message that arrives late (providers retry and reorder webhooks) is stored in
// its place but neither rewinds lastMessageAt, the preview and the list order, nor the start of
// Meta's messaging windows (lastInboundAt). The common case is one write; a late message costs
// one or two more attempts.
//
// A replay (the message was stored by an earlier delivery) only moves the conversation when it
// has not reached the message's time yet, and otherwise fails with EConflict, changing nothing.
func (s *Store) touchConversation(ctx context.Context, op, acct, convID string, m inbox.Message, mustBeOpen, replay bool) (inbox.Conversation, error) {
	isk := inbox.SortableTime(m.CreatedAt)
	names := map[string]string{"#pk": attrPK, "#version": "version", "#status": "status"}
	values := map[string]types.AttributeValue{":one": value(1), ":open": str(string(inbox.StatusOpen))}
	exists := "attribute_exists(#pk)"
	if mustBeOpen {
		exists = "attribute_exists(#pk) AND #status = :open"
	}
	type variant struct{ set, cond string }
	variants := []variant{}
	// The times are their sortable forms and the nanoseconds past them; the attributes of an
	// item written before (lastMessageAt, lastInboundAt, preview) are removed as the new forms
	// are set (conversationItem).
	latest := "SET #preview = :preview, #ls = :ls, #lmn = :lmn"
	latestRemove := "#last, #oldpreview"
	latestCond := exists + " AND (attribute_not_exists(#ls) OR #ls <= :ls)"
	names["#last"], names["#preview"], names["#ls"], names["#lsk"] = attrConvOldLastMessageAt, attrConvPreview, "lastSort", "lsk"
	names["#lmn"], names["#oldpreview"] = attrConvLastNanos, attrConvOldPreview
	values[":preview"], values[":ls"], values[":lsk"] = str(m.Preview()), str(isk), str(listSK(m.CreatedAt, convID))
	values[":lmn"] = value(subMicro(m.CreatedAt))
	if m.Direction == inbox.DirectionIn {
		// Only the contact's messages move the conversation in its lists (lsk, listSK): set on
		// every one but changing only with the quarter hour, so that within it the indexes,
		// which hold keys only, are not written at all.
		// The contact's last message's time is lis (compactTime); an item written before
		// holds it as lastInboundSort, compared too and removed.
		names["#inbound"], names["#isk"], names["#lis"] = attrConvOldLastInboundAt, attrConvOldInboundSort, attrConvInboundSort
		values[":isk"], values[":lis"] = str(isk), str(compactTime(m.CreatedAt))
		inboundCond := "(attribute_not_exists(#isk) OR #isk <= :isk) AND (attribute_not_exists(#lis) OR #lis <= :lis)"
		variants = append(variants,
			variant{latest + ", #lsk = :lsk, #lis = :lis REMOVE " + latestRemove + ", #inbound, #isk", latestCond + " AND " + inboundCond},
			variant{"SET #lsk = :lsk, #lis = :lis REMOVE #inbound, #isk", exists + " AND " + inboundCond})
	} else {
		variants = append(variants, variant{latest + " REMOVE " + latestRemove, latestCond})
	}
	variants = append(variants, variant{"", exists})
	if replay {
		variants = []variant{{variants[0].set, strings.Replace(variants[0].cond, "#ls <= :ls", "#ls < :ls", 1)}}
	}
	for n, v := range variants {
		out, err := s.updateItem(ctx, op, &dynamodb.UpdateItemInput{
			Key:                       key(convPK(acct, convID), skConv),
			UpdateExpression:          aws.String(strings.TrimSpace(v.set + " ADD #version :one")),
			ConditionExpression:       aws.String(v.cond),
			ExpressionAttributeNames:  usedNames(v.set+" "+v.cond+" #version", names),
			ExpressionAttributeValues: usedValues(v.set+" "+v.cond+" :one", values),
			ReturnValues:              types.ReturnValueAllNew,
		})
		if err == nil {
			var it conversationItem
			if err := unmarshal(out.Attributes, &it); err != nil {
				return inbox.Conversation{}, err
			}
			return it.domain(), nil
		}
		if !isConditionFailed(err) {
			return inbox.Conversation{}, storeError(err, "update conversation")
		}
		if n == len(variants)-1 {
			if replay {
				return inbox.Conversation{}, inbox.Errorf(inbox.EConflict, "the conversation is past the message")
			}
			if mustBeOpen {
				return inbox.Conversation{}, inbox.Wrap(inbox.ErrNotOpen, inbox.EConflict, "the conversation is not open")
			}
			return inbox.Conversation{}, inbox.Errorf(inbox.ENotFound, "conversation not found")
		}
		// The message is older than what the conversation shows: store it without moving time back.
	}
	return inbox.Conversation{}, inbox.Errorf(inbox.EInternal, "unreachable")
}

// placeholder matches the #names and :values of an expression.
var placeholder = regexp.MustCompile(`[#:][A-Za-z0-9_]+`)

// usedNames keeps the expression attribute names that expr mentions (DynamoDB refuses unused ones).
func usedNames(expr string, all map[string]string) map[string]string {
	out := map[string]string{}
	for _, p := range placeholder.FindAllString(expr, -1) {
		if v, ok := all[p]; ok {
			out[p] = v
		}
	}
	return out
}

// usedValues keeps the expression attribute values that expr mentions.
func usedValues(expr string, all map[string]types.AttributeValue) map[string]types.AttributeValue {
	out := map[string]types.AttributeValue{}
	for _, p := range placeholder.FindAllString(expr, -1) {
		if v, ok := all[p]; ok {
			out[p] = v
		}
	}
	return out
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
// is recorded on the message, after the provider message marker of u.ChannelID (the message's
// own channel when u.ChannelID is ""), so that later status callbacks find the message. It
// returns the message as stored and whether u was applied; an update that is not applied is
// not an error. A status callback's update (u.ReportedID set) is not applied to a message
// retried since that send (RetryMessage marks the send it supersedes), nor when it reports an
// earlier part of the message (RecordPart) as anything but failed or undelivered; a failed
// earlier part fails the message with an error that says the text was not delivered (a second
// UpdateItem, on that rare path only).
//
// The update is one UpdateItem conditional on the status being one that u.Status ranks above,
// without reading first (1 WCU for a message under 1 KB); a provider id adds the marker's put
// (1 WCU) before it, a single write rather than a transaction (which would double both). The
// marker comes first so that a failure in between leaves a marker naming the message, which
// status callbacks can already use, never a message whose callbacks cannot find it.
//
// Errors: ENotFound, EInvalid (malformed ids, a status that is not a delivery status),
// EConflict (u.ProviderID already names another message; nothing is changed), EUnavailable,
// EInternal.
func (s *Store) UpdateDelivery(ctx context.Context, acct, convID, msgID string, u inbox.DeliveryUpdate, now time.Time) (inbox.Message, bool, error) {
	if err := checkIDs("account id", acct, "conversation id", convID, "message id", msgID); err != nil {
		return inbox.Message{}, false, err
	}
	if u.Status.Rank() == 0 {
		return inbox.Message{}, false, inbox.Errorf(inbox.EInvalid, "%q is not a delivery status", u.Status)
	}
	const op = "UpdateDelivery"
	names := map[string]string{"#pk": attrPK, "#dir": "direction", "#status": "status", "#updated": "updatedAt"}
	values := map[string]types.AttributeValue{
		":status": str(string(u.Status)), ":updated": value(now.UTC()), ":out": str(string(inbox.DirectionOut)),
	}
	// The statuses u moves a message from: those it ranks above.
	var from []string
	for _, st := range deliveryStatuses {
		if st.Rank() < u.Status.Rank() {
			p := fmt.Sprintf(":from%d", len(from))
			values[p] = str(string(st))
			from = append(from, p)
		}
	}
	if len(from) == 0 {
		// Nothing ranks below u.Status (pending): no message ever moves to it.
		it, err := s.message(ctx, op, acct, convID, msgID)
		return it.domain(), false, err
	}
	set := "SET #status = :status, #updated = :updated"
	if u.Error != nil {
		set += ", #error = :error"
		names["#error"] = "error"
		values[":error"] = value(newProviderErrorItem(u.Error))
	}
	cond := "attribute_exists(#pk) AND #dir = :out AND #status IN (" + strings.Join(from, ", ") + ")"
	if u.ReportedID != "" {
		// The id may name the current send again (an email's Message-ID is derived from the
		// message where the mailer keeps it): that send's reports apply.
		cond += " AND (#provider = :reported OR attribute_not_exists(#retried))"
		names["#retried"] = retriedAttr(u.ReportedID)
		names["#provider"] = "providerId"
		values[":reported"] = str(u.ReportedID)
		// An earlier part's progress says nothing of the reply's later parts; its failure (the
		// customer never got the text) fails the reply, saying so: below, once this update,
		// which leaves earlier parts out, found one.
		cond += " AND attribute_not_exists(#part)"
		names["#part"] = partAttr(u.ReportedID)
	}
	if u.ProviderID != "" {
		channelID := u.ChannelID
		if channelID == "" {
			it, err := s.message(ctx, op, acct, convID, msgID)
			if err != nil {
				return inbox.Message{}, false, err
			}
			if channelID = it.ChannelID; channelID == "" {
				c, err := s.conversation(ctx, op, acct, convID)
				if err != nil {
					return inbox.Message{}, false, err
				}
				channelID = c.ChannelID
			}
		}
		if err := s.putMarker(ctx, op, acct, channelID, u.ProviderID, convID, msgID); err != nil {
			return inbox.Message{}, false, err
		}
		set += ", #provider = :provider"
		names["#provider"] = "providerId"
		values[":provider"] = str(u.ProviderID)
	}
	out, err := s.updateItem(ctx, op, &dynamodb.UpdateItemInput{
		Key:                                 key(convPK(acct, convID), messageSK(msgID)),
		UpdateExpression:                    aws.String(set),
		ConditionExpression:                 aws.String(cond),
		ExpressionAttributeNames:            names,
		ExpressionAttributeValues:           values,
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	applied := err == nil
	var item map[string]types.AttributeValue
	switch {
	case applied:
		item = out.Attributes
	case !isConditionFailed(err):
		return inbox.Message{}, false, storeError(err, "update delivery")
	default:
		// Not moved forward (or not an outbound message): the message as it is.
		var cf *types.ConditionalCheckFailedException
		if errors.As(err, &cf) {
			item = cf.Item
		}
	}
	if len(item) == 0 {
		// DynamoDB returns the item when there is one; without it, read (and confirm it missing).
		it, err := s.message(ctx, op, acct, convID, msgID)
		return it.domain(), false, err
	}
	if _, part := item[partAttr(u.ReportedID)]; !applied && u.ReportedID != "" && part && (u.Status == inbox.MessageFailed || u.Status == inbox.MessageUndelivered) {
		// A message with parts is never retried, so no retried send is left to check.
		return s.UpdateDelivery(ctx, acct, convID, msgID, inbox.DeliveryUpdate{Status: u.Status, Error: inbox.TextNotDelivered(u.Error)}, now)
	}
	var it messageItem
	if err := unmarshal(item, &it); err != nil {
		return inbox.Message{}, false, err
	}
	return it.domain(), applied, nil
}

// putMarker writes the provider message marker of providerID on channel channelID, naming
// message msgID of conversation convID (1 WCU), unless it names another message.
//
// Errors: EConflict (the provider id belongs to another message), EUnavailable, EInternal.
func (s *Store) putMarker(ctx context.Context, op, acct, channelID, providerID, convID, msgID string) error {
	marker, err := s.providerMarker(acct, channelID, providerID, convID, msgID, true)
	if err != nil {
		return err
	}
	err = s.putItem(ctx, op, &dynamodb.PutItemInput{
		Item: marker.Put.Item, ConditionExpression: marker.Put.ConditionExpression,
		ExpressionAttributeNames: marker.Put.ExpressionAttributeNames, ExpressionAttributeValues: marker.Put.ExpressionAttributeValues,
	})
	if isConditionFailed(err) {
		return inbox.Errorf(inbox.EConflict, "the provider message id belongs to another message")
	}
	if err != nil {
		return storeError(err, "record provider message")
	}
	return nil
}

// deliveryStatuses are the statuses of an outbound message, in the order of their ranks.
var deliveryStatuses = []inbox.MessageStatus{inbox.MessagePending, inbox.MessageSending, inbox.MessageSent,
	inbox.MessageDelivered, inbox.MessageRead, inbox.MessageFailed, inbox.MessageUndelivered}

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

// RecordPart records providerID as the provider's id of part number part (from 0) of outbound
// message msgID of conversation convID of account acct, a reply the dispatcher sends as several
// provider messages through channel channelID, and sets its update time to now. The dispatcher
// calls it after each part but the last, before sending the next, so that a later delivery of
// the job skips the parts already sent (inbox.Message.PartIDs). The part is marked on the
// message (an attribute named by partAttr) and then gets its provider message marker, so that
// its status callbacks find the message, and apply only a failure (UpdateDelivery): a part's
// "delivered" must not move the message on while its later parts wait. The customer's answer
// quoting the part finds it too.
//
// One UpdateItem conditional on the message being "sending" with exactly part parts recorded
// (1 WCU for a message under 1 KB): a delivery that lost its claim, or a part recorded twice,
// changes nothing; then the marker's put (1 WCU). A failure in between leaves the part recorded
// without its marker: its callbacks are then dropped as the inbox's own were before (see the
// router's StatusAttempts).
//
// Errors: ENotFound, EInvalid (malformed ids, a negative part, an empty providerID), EConflict
// (the message is not sending, or has another number of parts recorded; or the provider id
// names another message), EUnavailable, EInternal.
func (s *Store) RecordPart(ctx context.Context, acct, convID, msgID, channelID string, part int, providerID string, now time.Time) error {
	if err := checkIDs("account id", acct, "conversation id", convID, "message id", msgID, "channel id", channelID); err != nil {
		return err
	}
	if part < 0 || providerID == "" {
		return inbox.Errorf(inbox.EInvalid, "a part number and the provider's id are required")
	}
	const op = "RecordPart"
	names := map[string]string{"#pk": attrPK, "#status": "status", "#updated": "updatedAt", "#parts": "partIds",
		"#part": partAttr(providerID)}
	values := map[string]types.AttributeValue{
		":sending": str(string(inbox.MessageSending)), ":updated": value(now.UTC()),
		":id":   &types.AttributeValueMemberL{Value: []types.AttributeValue{str(providerID)}},
		":none": &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
		":true": &types.AttributeValueMemberBOOL{Value: true},
	}
	cond := "attribute_exists(#pk) AND #status = :sending AND "
	if part == 0 {
		cond += "attribute_not_exists(#parts)"
	} else {
		cond += "size(#parts) = :n"
		values[":n"] = &types.AttributeValueMemberN{Value: strconv.Itoa(part)}
	}
	_, err := s.updateItem(ctx, op, &dynamodb.UpdateItemInput{
		Key:                                 key(convPK(acct, convID), messageSK(msgID)),
		UpdateExpression:                    aws.String("SET #parts = list_append(if_not_exists(#parts, :none), :id), #updated = :updated, #part = :true"),
		ConditionExpression:                 aws.String(cond),
		ExpressionAttributeNames:            names,
		ExpressionAttributeValues:           values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err == nil {
		return s.putMarker(ctx, op, acct, channelID, providerID, convID, msgID)
	}
	if !isConditionFailed(err) {
		return storeError(err, "record part")
	}
	var cf *types.ConditionalCheckFailedException
	if errors.As(err, &cf) && len(cf.Item) == 0 {
		if _, gerr := s.message(ctx, op, acct, convID, msgID); gerr != nil {
			return gerr
		}
	}
	return inbox.Errorf(inbox.EConflict, "the message is not sending with %d parts sent", part)
}

// ApplyWatermark applies a delivery or read receipt that covers every outbound message of
// conversation convID of account acct sent up to watermark (Messenger's watermarks): each
// outbound message with CreatedAt <= watermark whose status is sent or later but ranks below
// status (inbox.MessageStatus.Rank) moves to status, with update time now. Messages still pending
// or sending are left to the dispatcher, which has yet to record the provider's acceptance, and
// failed / undelivered messages are final. Each message is updated on the condition that its
// status is still one of those, so that a concurrent higher status is never downgraded. It
// returns how many messages changed.
//
// It reads the conversation's messages whose ids (which sort by creation time, see
// inbox.MessageID) are not later than watermark.
//
// Errors: ENotFound (no such conversation), EInvalid (malformed ids, a status other than delivered
// or read, a zero watermark), EUnavailable, EInternal.
func (s *Store) ApplyWatermark(ctx context.Context, acct, convID string, status inbox.MessageStatus, watermark, now time.Time) (int, error) {
	if err := checkIDs("account id", acct, "conversation id", convID); err != nil {
		return 0, err
	}
	if status != inbox.MessageDelivered && status != inbox.MessageRead {
		return 0, inbox.Errorf(inbox.EInvalid, "%q is not a status a watermark applies", status)
	}
	if watermark.IsZero() {
		return 0, inbox.Errorf(inbox.EInvalid, "a watermark is required")
	}
	// The statuses a message may move from: sent or later, below status.
	var from []inbox.MessageStatus
	for _, st := range []inbox.MessageStatus{inbox.MessageSent, inbox.MessageDelivered} {
		if st.Rank() < status.Rank() {
			from = append(from, st)
		}
	}
	names := map[string]string{"#pk": attrPK, "#sk": attrSK, "#dir": "direction", "#status": "status"}
	values := map[string]types.AttributeValue{
		":pk": str(convPK(acct, convID)), ":cv": str(skConv),
		// Message ids start with their creation time to the microsecond, then "-": every message
		// created up to watermark sorts before this bound.
		":hi":  str(messageSK(watermark.UTC().Format("20060102T150405.000000Z") + "-\U0010FFFF")),
		":out": str(string(inbox.DirectionOut)),
	}
	in := make([]string, len(from))
	for i, st := range from {
		in[i] = fmt.Sprintf(":from%d", i)
		values[in[i]] = str(string(st))
	}
	statusIn := "#status IN (" + strings.Join(in, ", ") + ")"
	const op = "ApplyWatermark"
	// The range starts at the conversation item (sk "CV" sorts before "M#"; it has no direction,
	// so the filter keeps it), so that a missing conversation is told from one without eligible
	// messages.
	q := &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :pk AND #sk BETWEEN :cv AND :hi"),
		FilterExpression:          aws.String("attribute_not_exists(#dir) OR (#dir = :out AND " + statusIn + ")"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
		ConsistentRead:            aws.Bool(true),
	}
	found := false
	var candidates []messageItem
	for {
		out, err := s.query(ctx, op, q)
		if err != nil {
			return 0, err
		}
		for _, av := range out.Items {
			sk, _ := av[attrSK].(*types.AttributeValueMemberS)
			if sk != nil && sk.Value == skConv {
				found = true
				continue
			}
			var it messageItem
			if err := unmarshal(av, &it); err != nil {
				return 0, err
			}
			if !it.CreatedAt.After(watermark) {
				candidates = append(candidates, it)
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		q.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if !found {
		return 0, inbox.Errorf(inbox.ENotFound, "conversation not found")
	}
	updValues := map[string]types.AttributeValue{
		":status": str(string(status)), ":updated": value(now.UTC()), ":out": str(string(inbox.DirectionOut)),
	}
	for i, st := range from {
		updValues[in[i]] = str(string(st))
	}
	changed := 0
	for _, it := range candidates {
		_, err := s.updateItem(ctx, op, &dynamodb.UpdateItemInput{
			Key:                       key(it.PK, it.SK),
			UpdateExpression:          aws.String("SET #status = :status, #updated = :updated"),
			ConditionExpression:       aws.String("#dir = :out AND " + statusIn),
			ExpressionAttributeNames:  map[string]string{"#dir": "direction", "#status": "status", "#updated": "updatedAt"},
			ExpressionAttributeValues: updValues,
		})
		switch {
		case err == nil:
			changed++
		case isConditionFailed(err):
			// Moved on (or away) since read: nothing to do.
		default:
			return changed, storeError(err, "apply watermark")
		}
	}
	return changed, nil
}

// SetAttachmentMedia replaces attachment index (from 0) of message msgID of conversation convID
// of account acct with a. The media fetcher uses it to record where a provider's file was copied
// (MediaStatus stored, StorageKey, ContentType) or why it could not be (MediaStatus failed,
// MediaError); a is stored as given, so callers pass the whole attachment.
//
// Errors: ENotFound (no such message), EInvalid (malformed ids, an index out of range),
// EUnavailable, EInternal.
func (s *Store) SetAttachmentMedia(ctx context.Context, acct, convID, msgID string, index int, a inbox.Attachment) error {
	if err := checkIDs("account id", acct, "conversation id", convID, "message id", msgID); err != nil {
		return err
	}
	outOfRange := inbox.Errorf(inbox.EInvalid, "the message has no attachment %d", index)
	if index < 0 {
		return outOfRange
	}
	const op = "SetAttachmentMedia"
	_, err := s.updateItem(ctx, op, &dynamodb.UpdateItemInput{
		Key:                                 key(convPK(acct, convID), messageSK(msgID)),
		UpdateExpression:                    aws.String(fmt.Sprintf("SET #att[%d] = :a", index)),
		ConditionExpression:                 aws.String("attribute_exists(#pk) AND size(#att) > :index"),
		ExpressionAttributeNames:            map[string]string{"#pk": attrPK, "#att": "attachments"},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":a": value(newAttachmentItem(a)), ":index": value(index)},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err == nil {
		return nil
	}
	if !isConditionFailed(err) {
		return storeError(err, "set attachment media")
	}
	var cf *types.ConditionalCheckFailedException
	if errors.As(err, &cf) && len(cf.Item) == 0 {
		// DynamoDB returns the old item when there is one; without it, confirm it is missing.
		if _, gerr := s.message(ctx, op, acct, convID, msgID); gerr != nil {
			return gerr
		}
	}
	return outOfRange
}
