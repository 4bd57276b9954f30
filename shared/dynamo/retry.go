package dynamo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// RetryMessage puts failed outbound message msgID of conversation convID of account acct back
// to pending for an agent's retry: its error is removed, its attachments are replaced by as (the
// same files with fresh links; nil keeps them as they are) and its update time set to now.
// failedSend is the provider id of the send that failed, as the caller read it ("" when it
// failed before the provider took it): it is removed from the message and marked retried on
// it (an attribute named by retriedAttr), so that UpdateDelivery no longer applies its status
// callbacks (a late "sent" would otherwise move the pending retry past the dispatcher's claim,
// and it would never go out).
// It is one UpdateItem conditional on the message being an outbound reply in status failed
// with no part sent and that provider id, so that of two concurrent retries only one moves it
// (1 WCU under 1 KB); the caller then queues it once.
//
// Errors: ENotFound, EInvalid (malformed ids), EConflict (the message is not a failed outbound
// reply, part of it was sent, or its provider id is not failedSend; nothing is changed),
// EUnavailable, EInternal.
func (s *Store) RetryMessage(ctx context.Context, acct, convID, msgID, failedSend string, as []inbox.Attachment, now time.Time) (inbox.Message, error) {
	if err := checkIDs("account id", acct, "conversation id", convID, "message id", msgID); err != nil {
		return inbox.Message{}, err
	}
	const op = "RetryMessage"
	names := map[string]string{"#pk": attrPK, "#dir": "direction", "#status": "status", "#updated": "updatedAt",
		"#error": "error", "#parts": "partIds"}
	values := map[string]types.AttributeValue{
		":pending": str(string(inbox.MessagePending)), ":failed": str(string(inbox.MessageFailed)),
		":out": str(string(inbox.DirectionOut)), ":updated": value(now.UTC()),
	}
	set := "SET #status = :pending, #updated = :updated"
	remove := " REMOVE #error"
	cond := "attribute_exists(#pk) AND #dir = :out AND #status = :failed AND attribute_not_exists(#parts)"
	names["#provider"] = "providerId"
	if failedSend == "" {
		cond += " AND attribute_not_exists(#provider)"
	} else {
		cond += " AND #provider = :failedSend"
		values[":failedSend"] = str(failedSend)
		remove += ", #provider"
		set += ", #retried = :true"
		names["#retried"] = retriedAttr(failedSend)
		values[":true"] = &types.AttributeValueMemberBOOL{Value: true}
	}
	if as != nil {
		items := make([]attachmentItem, len(as))
		for i, a := range as {
			items[i] = newAttachmentItem(a)
		}
		set += ", #att = :att"
		names["#att"] = "attachments"
		values[":att"] = value(items)
	}
	out, err := s.updateItem(ctx, op, &dynamodb.UpdateItemInput{
		Key:              key(convPK(acct, convID), messageSK(msgID)),
		UpdateExpression: aws.String(set + remove),
		// partIds: a reply failing after a part went out is not sent again (the customer would
		// get that part twice).
		ConditionExpression:                 aws.String(cond),
		ExpressionAttributeNames:            names,
		ExpressionAttributeValues:           values,
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err == nil {
		var it messageItem
		if err := unmarshal(out.Attributes, &it); err != nil {
			return inbox.Message{}, err
		}
		return it.domain(), nil
	}
	if !isConditionFailed(err) {
		return inbox.Message{}, storeError(err, "retry message")
	}
	var cf *types.ConditionalCheckFailedException
	if errors.As(err, &cf) && len(cf.Item) == 0 {
		if _, gerr := s.message(ctx, op, acct, convID, msgID); gerr != nil {
			return inbox.Message{}, gerr
		}
	}
	return inbox.Message{}, inbox.Errorf(inbox.EConflict, "only a failed reply with nothing sent can be retried")
}

// retriedAttr names the attribute that marks the send of provider id providerID retried on its
// message (RetryMessage), and partAttr the one that marks it an earlier part of its message
// (RecordPart): a prefix and 48 bits of the id's SHA-256 (provider ids run to a hundred bytes;
// two sends of one message colliding is out of reach). Attributes of their own, not entries of
// a set, so that a condition asks attribute_not_exists of them, which every store evaluates
// (the embedded store refuses contains() on a missing set).
func retriedAttr(providerID string) string { return sendAttr("rt_", providerID) }

// partAttr: see retriedAttr.
func partAttr(providerID string) string { return sendAttr("pt_", providerID) }

func sendAttr(prefix, providerID string) string {
	sum := sha256.Sum256([]byte(providerID))
	return prefix + hex.EncodeToString(sum[:6])
}
