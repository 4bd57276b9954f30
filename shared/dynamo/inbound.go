package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// openHintAttr is the attribute of a contact's lookup item that holds the hint of its open
// conversation in inbox inboxID: "{convId}#{channelId}".
func openHintAttr(inboxID string) string { return "open#" + inboxID }

// InboundState reads, in one BatchGetItem of two eventually consistent reads, the provider
// marker of message providerID of channel channelID and the lookup item of the sender's address
// c (c.PSID, else c.Phone, else c.Email, as UpsertContact), with the hint of the sender's open
// conversation in inbox inboxID. Both reads may lag a moment behind writes: a duplicate missed
// here is caught by AppendMessage's conditions; a contact missed is found by UpsertContact.
//
// Errors: EInvalid (malformed ids, no address), EUnavailable, EInternal.
func (s *Store) InboundState(ctx context.Context, acct, channelID, providerID, inboxID string, c inbox.Contact) (inbox.InboundState, error) {
	if err := checkIDs("account id", acct, "channel id", channelID, "inbox id", inboxID); err != nil {
		return inbox.InboundState{}, err
	}
	if providerID == "" {
		return inbox.InboundState{}, inbox.Errorf(inbox.EInvalid, "provider message id is required")
	}
	c.AccountID = acct
	l, err := contactLookup(c)
	if err != nil {
		return inbox.InboundState{}, err
	}
	markerKey := key(providerMsgPK(acct, channelID, providerID), skProviderMsg)
	in := &dynamodb.BatchGetItemInput{
		RequestItems: map[string]types.KeysAndAttributes{
			aws.ToString(s.table): {Keys: []map[string]types.AttributeValue{markerKey, key(l.pk, l.sk)}},
		},
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
	}
	st := inbox.InboundState{Checked: true}
	for attempt := 1; ; attempt++ {
		out, err := s.client.BatchGetItem(ctx, in)
		if err != nil {
			return inbox.InboundState{}, storeError(err, "read inbound state")
		}
		if s.capacity != nil {
			// DynamoDB Local counts only the items found; AWS charges every key asked for at
			// least an eventually consistent read's half unit.
			var r float64
			for _, cc := range out.ConsumedCapacity {
				r += aws.ToFloat64(cc.CapacityUnits)
			}
			keys := in.RequestItems[aws.ToString(s.table)].Keys
			s.capacity("InboundState/BatchGetItem", max(r, 0.5*float64(len(keys))), 0)
		}
		for _, av := range out.Responses[aws.ToString(s.table)] {
			switch pk, _ := av[attrPK].(*types.AttributeValueMemberS); {
			case pk == nil:
			case pk.Value == providerMsgPK(acct, channelID, providerID):
				var it providerMessageItem
				if err := unmarshal(av, &it); err != nil {
					return inbox.InboundState{}, err
				}
				if it.TTL >= s.now().Unix() {
					st.Duplicate, st.ConversationID, st.MessageID = true, it.ConversationID, it.MessageID
				}
			default:
				var it lookupItem
				if err := unmarshal(av, &it); err != nil {
					return inbox.InboundState{}, err
				}
				st.ContactID, st.Named, st.Language = it.ContactID, it.Named, it.Language
				if h, ok := av[openHintAttr(inboxID)].(*types.AttributeValueMemberS); ok {
					if conv, ch, ok := cutHint(h.Value); ok {
						st.OpenConversationID, st.OpenChannelID = conv, ch
					}
				}
			}
		}
		unprocessed := out.UnprocessedKeys[aws.ToString(s.table)]
		if len(unprocessed.Keys) == 0 {
			return st, nil
		}
		if attempt >= maxAttempts {
			return inbox.InboundState{}, inbox.Errorf(inbox.EUnavailable, "storage is busy: read inbound state")
		}
		if err := backoff(ctx, attempt); err != nil {
			return inbox.InboundState{}, storeError(err, "read inbound state")
		}
		in.RequestItems = out.UnprocessedKeys
	}
}

func cutHint(v string) (convID, channelID string, ok bool) {
	for i := 0; i < len(v); i++ {
		if v[i] == '#' {
			return v[:i], v[i+1:], i > 0 && i < len(v)-1
		}
	}
	return "", "", false
}

// SetOpenHint records on the lookup item of contact address c (as InboundState reads it) that
// conversation convID of channel channelID is the contact's open conversation in inbox inboxID,
// whether the contact has a name, and the contact's language c.Language (when set). It is a hint, written after the conversation: a stale one
// only costs the next message a failed AppendToOpen. A missing lookup item is left alone.
//
// Errors: EInvalid (malformed ids, no address), EUnavailable, EInternal.
func (s *Store) SetOpenHint(ctx context.Context, acct, inboxID string, c inbox.Contact, convID, channelID string, named bool) error {
	if err := checkIDs("account id", acct, "inbox id", inboxID, "conversation id", convID, "channel id", channelID); err != nil {
		return err
	}
	c.AccountID = acct
	l, err := contactLookup(c)
	if err != nil {
		return err
	}
	expr := "SET #hint = :hint, #named = :named"
	names := map[string]string{"#pk": attrPK, "#hint": openHintAttr(inboxID), "#named": "named"}
	values := map[string]types.AttributeValue{
		":hint": str(convID + "#" + channelID), ":named": &types.AttributeValueMemberBOOL{Value: named},
	}
	if c.Language != "" {
		expr += ", #language = :language"
		names["#language"], values[":language"] = "language", str(c.Language)
	}
	_, err = s.updateItem(ctx, "SetOpenHint", &dynamodb.UpdateItemInput{
		Key: key(l.pk, l.sk), UpdateExpression: aws.String(expr), ConditionExpression: aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames: names, ExpressionAttributeValues: values,
	})
	if err != nil && !isConditionFailed(err) {
		return storeError(err, "record open conversation")
	}
	return nil
}
