package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"

	"github.com/openinbox/inbox/shared/inbox"
)

// SetRead sets user's read marker on conversation convID of account acct and returns the
// conversation as stored. Read, the marker becomes the conversation's last inbound time as
// stored at that moment (the contact's messages up to then are read; "0" when the contact never
// wrote), taken in the same write, so a message that arrives meanwhile stays unread. Not read,
// it becomes inbox.ReadMarkedUnread. The marker lives in the conversation item's readBy map,
// under the user's short key (inbox.ReadKey):
// lists read it with the item at no extra cost, and the write changes no index key nor the
// version (it races no one's optimistic lock). One UpdateItem (1 WCU for an item under 1 KB);
// the first marker of a conversation costs one more, which creates the map.
//
// Errors: ENotFound (no such conversation), EInvalid (malformed ids), EUnavailable, EInternal.
func (s *Store) SetRead(ctx context.Context, acct, convID, user string, read bool) (inbox.Conversation, error) {
	if err := checkIDs("account id", acct, "conversation id", convID, "user id", user); err != nil {
		return inbox.Conversation{}, err
	}
	const op = "SetRead"
	k := key(convPK(acct, convID), skConv)
	// The marker is stored under the user's short key (inbox.ReadKey); one stored under the
	// whole user id before is removed in the same write.
	set := "SET #rb.#u = :unread REMOVE #rb.#old"
	if read {
		// A copy of lis (the time of the contact's last message), or of lastInboundSort on an
		// item written before.
		set = "SET #rb.#u = if_not_exists(#lis, if_not_exists(#isk, :never)) REMOVE #rb.#old"
	}
	for attempt := 0; attempt < 2; attempt++ {
		in := &dynamodb.UpdateItemInput{
			Key: k, UpdateExpression: aws.String(set),
			ConditionExpression:      aws.String("attribute_exists(#pk) AND attribute_exists(#rb)"),
			ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#rb": "readBy", "#u": inbox.ReadKey(user), "#old": user},
			ReturnValues:             types.ReturnValueAllNew,
		}
		if read {
			in.ExpressionAttributeNames["#lis"], in.ExpressionAttributeNames["#isk"] = attrConvInboundSort, attrConvOldInboundSort
			in.ExpressionAttributeValues = map[string]types.AttributeValue{":never": str("0")}
		} else {
			in.ExpressionAttributeValues = map[string]types.AttributeValue{":unread": str(inbox.ReadMarkedUnread)}
		}
		out, err := s.updateItem(ctx, op, in)
		if err == nil {
			var it conversationItem
			if err := unmarshal(out.Attributes, &it); err != nil {
				return inbox.Conversation{}, err
			}
			return it.domain(), nil
		}
		if !isConditionFailed(err) {
			return inbox.Conversation{}, storeError(err, "set read marker")
		}
		// No marker yet on this conversation (or no conversation): create the map, then set.
		_, err = s.updateItem(ctx, op, &dynamodb.UpdateItemInput{
			Key: k, UpdateExpression: aws.String("SET #rb = if_not_exists(#rb, :empty)"),
			ConditionExpression:       aws.String("attribute_exists(#pk)"),
			ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#rb": "readBy"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":empty": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}}},
		})
		if isConditionFailed(err) {
			return inbox.Conversation{}, inbox.Errorf(inbox.ENotFound, "conversation not found")
		}
		if err != nil {
			return inbox.Conversation{}, storeError(err, "create read markers")
		}
	}
	return inbox.Conversation{}, inbox.Errorf(inbox.EUnavailable, "the read marker could not be set")
}
