package dynamo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/openinbox/inbox/shared/inbox"
)

// FindOrOpenConversation returns the open conversation of contact c.ContactID in inbox
// c.InboxID, or stores c as that conversation when there is none. c must be a complete new open
// conversation (fresh id, contact snapshot, LastMessageAt = CreatedAt, LastInboundAt when
// known); it is stored with Version 1. created says whether c was stored. Concurrent calls for the same contact and inbox
// return the same conversation.
//
// Errors: EInvalid (missing or malformed ids, a status other than open), EConflict (c.ID is
// taken), EUnavailable, EInternal.
func (s *Store) FindOrOpenConversation(ctx context.Context, c inbox.Conversation) (inbox.Conversation, bool, error) {
	if err := checkIDs("account id", c.AccountID, "conversation id", c.ID, "inbox id", c.InboxID,
		"contact id", c.ContactID); err != nil {
		return inbox.Conversation{}, false, err
	}
	if err := checkAssignee(c.AssigneeID); err != nil {
		return inbox.Conversation{}, false, err
	}
	if c.Status == "" {
		c.Status = inbox.StatusOpen
	}
	c.Version = 1
	const op = "FindOrOpenConversation"
	if c.Status == inbox.StatusSpam {
		// Spam is stored to be seen, never joined: no open marker.
		convAV, err := marshal(newConversationItem(c))
		if err != nil {
			return inbox.Conversation{}, false, err
		}
		err = s.putItem(ctx, op, &dynamodb.PutItemInput{
			Item:                     convAV,
			ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
			ExpressionAttributeNames: map[string]string{"#pk": attrPK},
		})
		if isConditionFailed(err) {
			return inbox.Conversation{}, false, inbox.Errorf(inbox.EConflict, "a conversation with this id already exists")
		}
		if err != nil {
			return inbox.Conversation{}, false, storeError(err, "create spam conversation")
		}
		return c, true, nil
	}
	if c.Status != inbox.StatusOpen {
		return inbox.Conversation{}, false, inbox.Errorf(inbox.EInvalid, "a new conversation must be open (or spam)")
	}
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		av, err := s.getItem(ctx, op, key(openPK(c.AccountID, c.InboxID, c.ContactID, c.ThreadKey), skOpen))
		if err != nil {
			return inbox.Conversation{}, false, err
		}
		if av != nil {
			var marker openItem
			if err := unmarshal(av, &marker); err != nil {
				return inbox.Conversation{}, false, err
			}
			existing, err := s.conversation(ctx, op, c.AccountID, marker.ConversationID)
			switch {
			case err == nil && existing.Status == inbox.StatusOpen:
				return existing, false, nil
			case err == nil || inbox.IsCode(err, inbox.ENotFound):
				// Closed between the two reads; the marker is gone now: look again.
				continue
			default:
				return inbox.Conversation{}, false, err
			}
		}
		markerAV, err := marshal(openItem{PK: openPK(c.AccountID, c.InboxID, c.ContactID, c.ThreadKey), SK: skOpen, ConversationID: c.ID})
		if err != nil {
			return inbox.Conversation{}, false, err
		}
		convAV, err := marshal(newConversationItem(c))
		if err != nil {
			return inbox.Conversation{}, false, err
		}
		notExists := aws.String("attribute_not_exists(#pk)")
		names := map[string]string{"#pk": attrPK}
		err = s.transact(ctx, op, []types.TransactWriteItem{
			{Put: &types.Put{Item: markerAV, ConditionExpression: notExists, ExpressionAttributeNames: names}},
			{Put: &types.Put{Item: convAV, ConditionExpression: notExists, ExpressionAttributeNames: names}},
		})
		var cerr *canceled
		switch {
		case err == nil:
			return c, true, nil
		case !errors.As(err, &cerr):
			return inbox.Conversation{}, false, err
		case cerr.failed(0):
			continue // another caller opened the conversation first: read theirs.
		default:
			return inbox.Conversation{}, false, inbox.Errorf(inbox.EConflict, "a conversation with this id already exists")
		}
	}
	return inbox.Conversation{}, false, inbox.Errorf(inbox.EUnavailable, "the conversation keeps changing; try again")
}

// FindOpenConversation returns the open conversation of contact contactID in inbox inboxID of
// account acct.
//
// Errors: ENotFound (the contact has no open conversation in the inbox), EInvalid (malformed
// ids), EUnavailable, EInternal.
func (s *Store) FindOpenConversation(ctx context.Context, acct, inboxID, contactID string) (inbox.Conversation, error) {
	if err := checkIDs("account id", acct, "inbox id", inboxID, "contact id", contactID); err != nil {
		return inbox.Conversation{}, err
	}
	const op = "FindOpenConversation"
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		av, err := s.getItem(ctx, op, key(openPK(acct, inboxID, contactID), skOpen))
		if err != nil {
			return inbox.Conversation{}, err
		}
		if av == nil {
			break
		}
		var marker openItem
		if err := unmarshal(av, &marker); err != nil {
			return inbox.Conversation{}, err
		}
		c, err := s.conversation(ctx, op, acct, marker.ConversationID)
		switch {
		case err == nil && c.Status == inbox.StatusOpen:
			return c, nil
		case err == nil || inbox.IsCode(err, inbox.ENotFound):
			continue // closed between the two reads: look at the marker again.
		default:
			return inbox.Conversation{}, err
		}
	}
	return inbox.Conversation{}, inbox.Errorf(inbox.ENotFound, "no open conversation")
}

// GetConversation returns conversation id of account acct.
//
// Errors: ENotFound, EInvalid (malformed ids), EUnavailable, EInternal.
func (s *Store) GetConversation(ctx context.Context, acct, id string) (inbox.Conversation, error) {
	if err := checkIDs("account id", acct, "conversation id", id); err != nil {
		return inbox.Conversation{}, err
	}
	return s.conversation(ctx, "GetConversation", acct, id)
}

func (s *Store) conversation(ctx context.Context, op, acct, id string) (inbox.Conversation, error) {
	av, err := s.getItem(ctx, op, key(convPK(acct, id), skConv))
	if err != nil {
		return inbox.Conversation{}, err
	}
	if av == nil {
		return inbox.Conversation{}, inbox.Errorf(inbox.ENotFound, "conversation not found")
	}
	var it conversationItem
	if err := unmarshal(av, &it); err != nil {
		return inbox.Conversation{}, err
	}
	return it.domain(), nil
}

// Page sizes of ListConversations.
const (
	defaultPageSize = 25
	maxPageSize     = 100
)

// ListConversations returns a page of the conversations of account acct that match f, the
// latest lastMessageAt first, and the cursor of the next page ("" after the last page). The
// lists come from indexes and may lag a moment behind writes.
//
// Errors: EInvalid (malformed ids, an unknown status, a limit outside 1–100, both AssigneeID and
// Unassigned, a malformed cursor or one from another account or list), EUnavailable, EInternal.
func (s *Store) ListConversations(ctx context.Context, acct string, f inbox.ConversationFilter) ([]inbox.Conversation, string, error) {
	if err := checkIDs("account id", acct); err != nil {
		return nil, "", err
	}
	status := f.Status
	if status == "" {
		status = inbox.StatusOpen
	}
	if status != inbox.StatusOpen && status != inbox.StatusClosed && status != inbox.StatusSpam {
		return nil, "", inbox.Errorf(inbox.EInvalid, "unknown conversation status %q", f.Status)
	}
	limit := f.Limit
	if limit == 0 {
		limit = defaultPageSize
	}
	if limit < 1 || limit > maxPageSize {
		return nil, "", inbox.Errorf(inbox.EInvalid, "limit must be between 1 and %d", maxPageSize)
	}
	if f.InboxID != "" {
		if err := checkIDs("inbox id", f.InboxID); err != nil {
			return nil, "", err
		}
	}
	in := &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#gpk = :gpk"),
		ExpressionAttributeNames:  map[string]string{},
		ExpressionAttributeValues: map[string]types.AttributeValue{},
		ScanIndexForward:          aws.Bool(false),
	}
	var index, partition string
	filtered := false
	switch {
	case f.AssigneeID != "" && f.Unassigned:
		return nil, "", inbox.Errorf(inbox.EInvalid, "filter on an assignee or on unassigned conversations, not both")
	case f.AssigneeID != "" || f.Unassigned:
		if f.AssigneeID != "" {
			if err := checkIDs("assignee id", f.AssigneeID); err != nil {
				return nil, "", err
			}
			if err := checkAssignee(f.AssigneeID); err != nil {
				return nil, "", err
			}
		}
		index, partition = "gsi2", convAssigneePK(acct, f.AssigneeID, status)
		if f.InboxID != "" {
			filtered = true
			in.FilterExpression = aws.String("#inbox = :inbox")
			in.ExpressionAttributeNames["#inbox"] = "inboxId"
			in.ExpressionAttributeValues[":inbox"] = str(f.InboxID)
		}
	case f.InboxID != "":
		index, partition = "gsi1", convInboxPK(acct, f.InboxID, status)
	default:
		index, partition = "gsi3", convStatusPK(acct, status)
	}
	in.IndexName = aws.String(index)
	in.ExpressionAttributeNames["#gpk"] = index + "pk"
	in.ExpressionAttributeValues[":gpk"] = str(partition)
	if f.Cursor != "" {
		start, err := decodeCursor(f.Cursor, acct, index, partition)
		if err != nil {
			return nil, "", err
		}
		in.ExclusiveStartKey = start
	}

	// Read one item more than the page to know whether there is a next page, so that the last
	// page never comes with a cursor to an empty one.
	var items []map[string]types.AttributeValue
	for {
		need := limit + 1 - len(items)
		if filtered {
			in.Limit = aws.Int32(int32(min(4*need, 400)))
		} else {
			in.Limit = aws.Int32(int32(need))
		}
		out, err := s.query(ctx, "ListConversations", in)
		if err != nil {
			return nil, "", err
		}
		items = append(items, out.Items...)
		if len(items) > limit || len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = encodeCursor(items[limit-1], index)
	}
	list := make([]inbox.Conversation, 0, len(items))
	for _, av := range items {
		var it conversationItem
		if err := unmarshal(av, &it); err != nil {
			return nil, "", err
		}
		list = append(list, it.domain())
	}
	return list, next, nil
}

// encodeCursor makes the opaque cursor that resumes a query of index after item: the base64url
// JSON of the item's key attributes in the table and in the index.
func encodeCursor(item map[string]types.AttributeValue, index string) string {
	k := map[string]string{}
	for _, name := range []string{attrPK, attrSK, index + "pk", index + "sk"} {
		if v, ok := item[name].(*types.AttributeValueMemberS); ok {
			k[name] = v.Value
		}
	}
	b, _ := json.Marshal(k)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor checks that a cursor resumes the query of partition in index for account acct
// and returns its ExclusiveStartKey.
func decodeCursor(cursor, acct, index, partition string) (map[string]types.AttributeValue, error) {
	invalid := inbox.Errorf(inbox.EInvalid, "invalid cursor")
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, invalid
	}
	var k map[string]string
	if err := json.Unmarshal(b, &k); err != nil || len(k) != 4 {
		return nil, invalid
	}
	pk, sk := k[attrPK], k[attrSK]
	gpk, gsk := k[index+"pk"], k[index+"sk"]
	id, ok := strings.CutPrefix(pk, convPK(acct, ""))
	if !ok || id == "" || strings.Contains(id, "#") || sk != skConv || gpk != partition ||
		!strings.HasSuffix(gsk, "#"+id) {
		return nil, invalid
	}
	start := map[string]types.AttributeValue{}
	for name, v := range k {
		start[name] = str(v)
	}
	return start, nil
}

// checkAssignee refuses the assignee id that stands for "unassigned" in the index keys.
func checkAssignee(id string) error {
	if id == unassigned || strings.Contains(id, "#") {
		return inbox.Errorf(inbox.EInvalid, "invalid assignee id %q", id)
	}
	return nil
}

// SetAssignee assigns conversation convID of account acct to assigneeID, or unassigns it when
// assigneeID is "", and returns the conversation as stored. Setting the current assignee
// changes nothing.
//
// Errors: ENotFound, EInvalid (malformed ids), EConflict (the conversation kept changing
// concurrently), EUnavailable, EInternal.
func (s *Store) SetAssignee(ctx context.Context, acct, convID, assigneeID string) (inbox.Conversation, error) {
	if err := checkIDs("account id", acct, "conversation id", convID); err != nil {
		return inbox.Conversation{}, err
	}
	if err := checkAssignee(assigneeID); err != nil {
		return inbox.Conversation{}, err
	}
	const op = "SetAssignee"
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		c, err := s.conversation(ctx, op, acct, convID)
		if err != nil || c.AssigneeID == assigneeID {
			return c, err
		}
		old := c.Version
		c.AssigneeID = assigneeID
		c.Version++
		_, err = s.updateItem(ctx, op, &dynamodb.UpdateItemInput{
			Key:                 key(convPK(acct, convID), skConv),
			UpdateExpression:    aws.String("SET #assignee = :assignee, #gsi2pk = :gsi2pk, #version = :new"),
			ConditionExpression: aws.String("#version = :old"),
			ExpressionAttributeNames: map[string]string{
				"#assignee": "assigneeId", "#gsi2pk": "gsi2pk", "#version": "version",
			},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":assignee": str(assigneeID),
				":gsi2pk":   str(convAssigneePK(acct, assigneeID, c.Status)),
				":new":      value(c.Version),
				":old":      value(old),
			},
		})
		switch {
		case err == nil:
			return c, nil
		case isConditionFailed(err):
			continue // changed since read: read again.
		default:
			return inbox.Conversation{}, storeError(err, "assign conversation")
		}
	}
	return inbox.Conversation{}, inbox.Errorf(inbox.EConflict, "the conversation keeps changing; try again")
}

// SetStatus opens or closes conversation convID of account acct and returns it as stored.
// Closing releases the contact's open-conversation marker of the inbox; reopening takes it back.
// Setting the current status changes nothing.
//
// Errors: ENotFound, EInvalid (malformed ids, unknown status), EConflict (reopening while the
// contact has another open conversation in the inbox, or the conversation kept changing
// concurrently), EUnavailable, EInternal.
func (s *Store) SetStatus(ctx context.Context, acct, convID string, status inbox.ConversationStatus) (inbox.Conversation, error) {
	if err := checkIDs("account id", acct, "conversation id", convID); err != nil {
		return inbox.Conversation{}, err
	}
	if status != inbox.StatusOpen && status != inbox.StatusClosed {
		return inbox.Conversation{}, inbox.Errorf(inbox.EInvalid, "unknown conversation status %q", status)
	}
	const op = "SetStatus"
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		c, err := s.conversation(ctx, op, acct, convID)
		if err != nil || c.Status == status {
			return c, err
		}
		old := c.Version
		c.Status = status
		c.Version++
		k := convIndexKeys(c)
		update := types.TransactWriteItem{Update: &types.Update{
			Key:                 key(convPK(acct, convID), skConv),
			UpdateExpression:    aws.String("SET #status = :status, #gsi1pk = :gsi1pk, #gsi2pk = :gsi2pk, #gsi3pk = :gsi3pk, #version = :new"),
			ConditionExpression: aws.String("#version = :old"),
			ExpressionAttributeNames: map[string]string{
				"#status": "status", "#gsi1pk": "gsi1pk", "#gsi2pk": "gsi2pk", "#gsi3pk": "gsi3pk",
				"#version": "version",
			},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":status": str(string(status)),
				":gsi1pk": str(k.gsi1pk), ":gsi2pk": str(k.gsi2pk), ":gsi3pk": str(k.gsi3pk),
				":new": value(c.Version), ":old": value(old),
			},
		}}
		markerKey := key(openPK(acct, c.InboxID, c.ContactID, c.ThreadKey), skOpen)
		var marker types.TransactWriteItem
		if status == inbox.StatusClosed {
			marker.Delete = &types.Delete{
				Key:                       markerKey,
				ConditionExpression:       aws.String("attribute_not_exists(#pk) OR #conv = :conv"),
				ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#conv": "conversationId"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":conv": str(convID)},
			}
		} else {
			markerAV, err := marshal(openItem{PK: openPK(acct, c.InboxID, c.ContactID, c.ThreadKey), SK: skOpen, ConversationID: convID})
			if err != nil {
				return inbox.Conversation{}, err
			}
			marker.Put = &types.Put{
				Item:                     markerAV,
				ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
				ExpressionAttributeNames: map[string]string{"#pk": attrPK},
			}
		}
		err = s.transact(ctx, op, []types.TransactWriteItem{update, marker})
		var cerr *canceled
		switch {
		case err == nil:
			return c, nil
		case !errors.As(err, &cerr):
			return inbox.Conversation{}, err
		case cerr.failed(0):
			continue // changed since read: read again.
		case status == inbox.StatusOpen:
			return inbox.Conversation{}, inbox.Errorf(inbox.EConflict, "the contact already has another open conversation in this inbox")
		default:
			return inbox.Conversation{}, inbox.Errorf(inbox.EConflict, "the inbox's open conversation of this contact is another one")
		}
	}
	return inbox.Conversation{}, inbox.Errorf(inbox.EConflict, "the conversation keeps changing; try again")
}
