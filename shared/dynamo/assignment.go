package dynamo

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// SetRoutingRules stores r as the routing rules of channel channelID of account acct (nil
// removes them). GetChannel, ChannelByID and ListChannels return them in Channel.Routing;
// UpdateChannel keeps them.
//
// Errors: ENotFound (no such channel, or the channel belongs to another account), EInvalid
// (malformed ids), EUnavailable, EInternal.
func (s *Store) SetRoutingRules(ctx context.Context, acct, channelID string, r *inbox.RoutingRules) error {
	if err := checkIDs("account id", acct, "channel id", channelID); err != nil {
		return err
	}
	in := &dynamodb.UpdateItemInput{
		Key:                       key(channelPK(channelID), skChannel),
		ConditionExpression:       aws.String("attribute_exists(#pk) AND #acct = :acct"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#acct": "accountId", "#routing": "routing", "#rev": "routingRev"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":acct": str(acct), ":one": value(1)},
	}
	if r == nil {
		in.UpdateExpression = aws.String("REMOVE #routing ADD #rev :one")
	} else {
		in.UpdateExpression = aws.String("SET #routing = :routing ADD #rev :one")
		in.ExpressionAttributeValues[":routing"] = value(newRoutingItem(r))
	}
	_, err := s.updateItem(ctx, "SetRoutingRules", in)
	if isConditionFailed(err) {
		return inbox.Errorf(inbox.ENotFound, "channel not found")
	}
	if err != nil {
		return storeError(err, "set routing rules")
	}
	return s.routingChanged(ctx, "SetRoutingRules", acct)
}

// conversationItem reads the stored conversation id of account acct.
func (s *Store) conversationItem(ctx context.Context, op, acct, id string) (conversationItem, error) {
	av, err := s.getItem(ctx, op, key(convPK(acct, id), skConv))
	if err != nil {
		return conversationItem{}, err
	}
	if av == nil {
		return conversationItem{}, inbox.Errorf(inbox.ENotFound, "conversation not found")
	}
	var it conversationItem
	if err := unmarshal(av, &it); err != nil {
		return conversationItem{}, err
	}
	return it, nil
}

// loadChange returns the transaction item that moves the load of user userID of account acct
// by delta (+1 or -1), setting lastAssignedAt when assignedAt is not nil, or nil when there is
// nothing to count: the user does not exist (assignees need not be users), or the load is
// already 0 and delta is negative. The item is conditional on what was read (the user exists;
// for a decrement, load > 0): a transaction canceled by it should be retried from the reads.
func (s *Store) loadChange(ctx context.Context, op, acct, userID string, delta int, assignedAt *time.Time) (*types.TransactWriteItem, error) {
	if userID == "" {
		return nil, nil
	}
	u, found, err := s.userItem(ctx, op, acct, userID)
	if err != nil || !found || (delta < 0 && u.Load <= 0) {
		return nil, err
	}
	up := &types.Update{
		Key:                       key(accountPK(acct), userSK(userID)),
		UpdateExpression:          aws.String("ADD #load :delta"),
		ConditionExpression:       aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#load": "load"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":delta": value(delta)},
	}
	if delta < 0 {
		up.ConditionExpression = aws.String("attribute_exists(#pk) AND #load > :zero")
		up.ExpressionAttributeValues[":zero"] = value(0)
	}
	if assignedAt != nil {
		up.UpdateExpression = aws.String("SET #last = :now ADD #load :delta")
		up.ExpressionAttributeNames["#last"] = "lastAssignedAt"
		up.ExpressionAttributeValues[":now"] = value(assignedAt.UTC())
	}
	return &types.TransactWriteItem{Update: up}, nil
}

// appendItems appends the non-nil items to list.
func appendItems(list []types.TransactWriteItem, items ...*types.TransactWriteItem) []types.TransactWriteItem {
	for _, it := range items {
		if it != nil {
			list = append(list, *it)
		}
	}
	return list
}

// deleteWaiting is the transaction item that deletes a conversation's waiting item.
func deleteWaiting(acct, channelID, sk string) *types.TransactWriteItem {
	if sk == "" {
		return nil
	}
	return &types.TransactWriteItem{Delete: &types.Delete{Key: key(waitPK(acct, channelID), sk)}}
}

// Messages of AssignWithinCapacity's conflicts.
const (
	msgAtCapacity      = "user at capacity" // inbox.ErrAtCapacity's text
	msgAlreadyAssigned = "conversation already assigned or not open"
)

// AssignWithinCapacity assigns open, unassigned conversation convID of account acct to user
// userID, provided the user's load stays within capacity (nil: no limit), and returns the
// conversation as stored. It is one transaction: the conversation gets the assignee (version
// +1, conditional on being open and unassigned), the user's load grows by 1 and its
// lastAssignedAt becomes now (conditional on the user existing and, with a capacity, on
// load < capacity, a missing load counting as 0), and the conversation's waiting item, if
// any, is deleted. Concurrent calls never take a user's load past capacity.
//
// Errors: ENotFound (no such conversation or user in the account), EInvalid (malformed ids, a
// negative capacity), EConflict ("user at capacity", or "conversation already assigned or not
// open"), EUnavailable, EInternal.
func (s *Store) AssignWithinCapacity(ctx context.Context, acct, convID, userID string, capacity *int, now time.Time) (inbox.Conversation, error) {
	if err := checkIDs("account id", acct, "conversation id", convID, "user id", userID); err != nil {
		return inbox.Conversation{}, err
	}
	if err := checkAssignee(userID); err != nil {
		return inbox.Conversation{}, err
	}
	if capacity != nil && *capacity < 0 {
		return inbox.Conversation{}, inbox.Errorf(inbox.EInvalid, "capacity must not be negative")
	}
	const op = "AssignWithinCapacity"
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		it, err := s.conversationItem(ctx, op, acct, convID)
		if err != nil {
			return inbox.Conversation{}, err
		}
		if it.Status != string(inbox.StatusOpen) || it.AssigneeID != "" {
			return inbox.Conversation{}, inbox.Errorf(inbox.EConflict, msgAlreadyAssigned)
		}
		c := it.domain()
		old := c.Version
		c.AssigneeID = userID
		c.Version++
		conv := types.TransactWriteItem{Update: &types.Update{
			Key:              key(convPK(acct, convID), skConv),
			UpdateExpression: aws.String("SET #assignee = :assignee, #gsi2pk = :gsi2pk, #version = :new REMOVE #wait"),
			ConditionExpression: aws.String("#version = :old AND #status = :open AND " +
				"(attribute_not_exists(#assignee) OR #assignee = :empty)"),
			ExpressionAttributeNames: map[string]string{
				"#assignee": "assigneeId", "#gsi2pk": "gsi2pk", "#version": "version", "#status": "status",
				"#wait": "waitSK",
			},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":assignee": str(userID), ":gsi2pk": str(convAssigneePK(acct, userID, c.Status)),
				":new": value(c.Version), ":old": value(old), ":open": str(string(inbox.StatusOpen)),
				":empty": str(""),
			},
		}}
		user := userLoadUp(acct, userID, capacity, now)
		items := appendItems([]types.TransactWriteItem{conv, {Update: user}}, deleteWaiting(acct, it.ChannelID, it.WaitSK))
		err = s.transact(ctx, op, items)
		var cerr *canceled
		switch {
		case err == nil:
			return c, nil
		case !errors.As(err, &cerr):
			return inbox.Conversation{}, err
		case cerr.failed(1):
			if _, found, err := s.userItem(ctx, op, acct, userID); err != nil {
				return inbox.Conversation{}, err
			} else if !found {
				return inbox.Conversation{}, inbox.Errorf(inbox.ENotFound, "user not found")
			}
			if cerr.failed(0) {
				continue // both changed: look at the conversation again.
			}
			return inbox.Conversation{}, inbox.Wrap(inbox.ErrAtCapacity, inbox.EConflict, msgAtCapacity)
		default:
			continue // the conversation changed since read: read again.
		}
	}
	return inbox.Conversation{}, inbox.Errorf(inbox.EConflict, "the conversation keeps changing; try again")
}

// Page sizes of ListWaiting.
const (
	defaultWaitingLimit = 25
	maxWaitingLimit     = 100
)

// AddWaiting puts conversation w.ConversationID of account acct in the waiting queue of
// channel w.ChannelID, in order of w.ArrivedAt. The waiting item's sort key is also stored on
// the conversation (attribute waitSK, with version +1, in the same transaction), so that
// assignment, closing and RemoveWaiting delete it without knowing the arrival time. Then the
// account is marked as having waiting conversations (ListWaitingAccounts) — after the queueing,
// also when the conversation was waiting already, so that a retry completes a mark that a
// failure left out. The mark is a plain update outside the transaction: every queueing of an
// account touches it, and concurrent transactions on one item would cancel each other. It is
// idempotent: a conversation already waiting keeps its place (its first arrival time). A
// conversation that is assigned or not open (a concurrent router assigned it after this one
// found nobody) is not queued: nil.
//
// Errors: ENotFound (no such conversation in the account), EInvalid (malformed ids, a channel
// other than the conversation's, no arrival time), EUnavailable, EInternal.
func (s *Store) AddWaiting(ctx context.Context, acct string, w inbox.Waiting) error {
	if err := checkIDs("account id", acct, "conversation id", w.ConversationID, "channel id", w.ChannelID); err != nil {
		return err
	}
	if w.ArrivedAt.IsZero() {
		return inbox.Errorf(inbox.EInvalid, "arrival time is required")
	}
	const op = "AddWaiting"
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		it, err := s.conversationItem(ctx, op, acct, w.ConversationID)
		if err != nil {
			return err
		}
		if it.ChannelID != w.ChannelID {
			return inbox.Errorf(inbox.EInvalid, "the conversation is not on this channel")
		}
		if it.AssigneeID != "" || it.Status != string(inbox.StatusOpen) {
			// Assigned (another router got a candidate meanwhile) or closed: nothing waits. The
			// write below is conditional on the version read, so this holds until it.
			return nil
		}
		if it.WaitSK != "" {
			return s.markWaitingAccount(ctx, acct, w.ChannelID)
		}
		sk := waitSK(w.ArrivedAt, w.ConversationID)
		av, err := marshal(waitingItem{
			PK: waitPK(acct, w.ChannelID), SK: sk, ConversationID: w.ConversationID, ChannelID: w.ChannelID,
			ArrivedAt: w.ArrivedAt.UTC(),
		})
		if err != nil {
			return err
		}
		err = s.transact(ctx, op, []types.TransactWriteItem{
			{Update: &types.Update{
				Key: key(convPK(acct, w.ConversationID), skConv),
				// gsi2pk: a conversation opened to be routed (OpenConversationToRoute) enters the
				// unassigned list here; for the others it is the value they have.
				UpdateExpression:         aws.String("SET #wait = :sk, #gsi2pk = :gsi2pk, #version = :new"),
				ConditionExpression:      aws.String("#version = :old"),
				ExpressionAttributeNames: map[string]string{"#wait": "waitSK", "#gsi2pk": "gsi2pk", "#version": "version"},
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":sk": str(sk), ":new": value(it.Version + 1), ":old": value(it.Version),
					":gsi2pk": str(convAssigneePK(acct, "", inbox.StatusOpen)),
				},
			}},
			{Put: &types.Put{Item: av}},
		})
		var cerr *canceled
		switch {
		case err == nil:
			return s.markWaitingAccount(ctx, acct, w.ChannelID)
		case !errors.As(err, &cerr):
			return err
		default:
			continue // the conversation changed since read: read again.
		}
	}
	return inbox.Errorf(inbox.EUnavailable, "the conversation keeps changing; try again")
}

// ListWaiting returns up to limit (0: 25; at most 100) waiting conversations of channel
// channelID of account acct, the oldest arrival first. The read is strongly consistent.
//
// Errors: EInvalid (malformed ids, a limit outside 0–100), EUnavailable, EInternal.
func (s *Store) ListWaiting(ctx context.Context, acct, channelID string, limit int) ([]inbox.Waiting, error) {
	if err := checkIDs("account id", acct, "channel id", channelID); err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = defaultWaitingLimit
	}
	if limit < 1 || limit > maxWaitingLimit {
		return nil, inbox.Errorf(inbox.EInvalid, "limit must be between 1 and %d", maxWaitingLimit)
	}
	out, err := s.query(ctx, "ListWaiting", &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(waitPK(acct, channelID))},
		ConsistentRead:            aws.Bool(true),
		ScanIndexForward:          aws.Bool(true),
		Limit:                     aws.Int32(int32(limit)),
	})
	if err != nil {
		return nil, err
	}
	list := make([]inbox.Waiting, 0, len(out.Items))
	for _, av := range out.Items {
		var it waitingItem
		if err := unmarshal(av, &it); err != nil {
			return nil, err
		}
		list = append(list, inbox.Waiting{ConversationID: it.ConversationID, ChannelID: it.ChannelID, ArrivedAt: it.ArrivedAt})
	}
	return list, nil
}

// RemoveWaiting takes conversation convID of account acct out of the waiting queue of channel
// channelID (deleting the waiting item and the conversation's waitSK, version +1, in one
// transaction). A conversation that is not waiting there is left as it is.
//
// Errors: ENotFound (no such conversation in the account), EInvalid (malformed ids),
// EUnavailable, EInternal.
func (s *Store) RemoveWaiting(ctx context.Context, acct, channelID, convID string) error {
	if err := checkIDs("account id", acct, "channel id", channelID, "conversation id", convID); err != nil {
		return err
	}
	const op = "RemoveWaiting"
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		it, err := s.conversationItem(ctx, op, acct, convID)
		if err != nil {
			return err
		}
		if it.WaitSK == "" || it.ChannelID != channelID {
			return nil
		}
		err = s.transact(ctx, op, appendItems([]types.TransactWriteItem{{Update: &types.Update{
			Key:                      key(convPK(acct, convID), skConv),
			UpdateExpression:         aws.String("SET #version = :new REMOVE #wait"),
			ConditionExpression:      aws.String("#version = :old"),
			ExpressionAttributeNames: map[string]string{"#wait": "waitSK", "#version": "version"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":new": value(it.Version + 1), ":old": value(it.Version),
			},
		}}}, deleteWaiting(acct, channelID, it.WaitSK)))
		var cerr *canceled
		switch {
		case err == nil:
			return nil
		case !errors.As(err, &cerr):
			return err
		default:
			continue
		}
	}
	return inbox.Errorf(inbox.EUnavailable, "the conversation keeps changing; try again")
}

// AssignNew is AssignWithinCapacity for conversation conv as its caller just wrote it (the
// router, right after storing its message), open, unassigned and not waiting: the transaction
// goes out without reading the conversation first, conditional on all three. When a condition
// fails (the conversation changed meanwhile, or waits), it is AssignWithinCapacity. It returns
// conv with the assignee; its Version is left as it was given.
//
// Errors: those of AssignWithinCapacity.
func (s *Store) AssignNew(ctx context.Context, conv inbox.Conversation, userID string, capacity *int, now time.Time) (inbox.Conversation, error) {
	acct, convID := conv.AccountID, conv.ID
	if err := checkIDs("account id", acct, "conversation id", convID, "user id", userID); err != nil {
		return inbox.Conversation{}, err
	}
	if err := checkAssignee(userID); err != nil {
		return inbox.Conversation{}, err
	}
	if capacity != nil && *capacity < 0 {
		return inbox.Conversation{}, inbox.Errorf(inbox.EInvalid, "capacity must not be negative")
	}
	const op = "AssignNew"
	update := types.TransactWriteItem{Update: &types.Update{
		Key:              key(convPK(acct, convID), skConv),
		UpdateExpression: aws.String("SET #assignee = :assignee, #gsi2pk = :gsi2pk ADD #version :one"),
		ConditionExpression: aws.String("attribute_exists(#pk) AND #status = :open AND " +
			"(attribute_not_exists(#assignee) OR #assignee = :empty) AND attribute_not_exists(#wait)"),
		ExpressionAttributeNames: map[string]string{
			"#pk": attrPK, "#assignee": "assigneeId", "#gsi2pk": "gsi2pk", "#version": "version",
			"#status": "status", "#wait": "waitSK",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":assignee": str(userID), ":gsi2pk": str(convAssigneePK(acct, userID, inbox.StatusOpen)),
			":one": value(1), ":open": str(string(inbox.StatusOpen)), ":empty": str(""),
		},
	}}
	user := userLoadUp(acct, userID, capacity, now)
	err := s.transact(ctx, op, []types.TransactWriteItem{update, {Update: user}})
	var cerr *canceled
	switch {
	case err == nil:
		conv.AssigneeID = userID
		return conv, nil
	case !errors.As(err, &cerr):
		return inbox.Conversation{}, err
	case cerr.failed(1) && !cerr.failed(0):
		if _, found, err := s.userItem(ctx, op, acct, userID); err != nil {
			return inbox.Conversation{}, err
		} else if !found {
			return inbox.Conversation{}, inbox.Errorf(inbox.ENotFound, "user not found")
		}
		return inbox.Conversation{}, inbox.Wrap(inbox.ErrAtCapacity, inbox.EConflict, msgAtCapacity)
	}
	// Not as the caller knew it: read it.
	return s.AssignWithinCapacity(ctx, acct, convID, userID, capacity, now)
}

// userLoadUp is the update that counts one more conversation in user userID's load, within
// capacity (nil: no limit; a missing load counts as 0), and makes now its lastAssignedAt.
func userLoadUp(acct, userID string, capacity *int, now time.Time) *types.Update {
	user := &types.Update{
		Key:                       key(accountPK(acct), userSK(userID)),
		UpdateExpression:          aws.String("SET #last = :now ADD #load :one"),
		ConditionExpression:       aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#load": "load", "#last": "lastAssignedAt"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": value(1), ":now": value(now.UTC())},
	}
	if capacity != nil {
		user.ConditionExpression = aws.String("attribute_exists(#pk) AND (attribute_not_exists(#load) OR #load < :cap)")
		user.ExpressionAttributeValues[":cap"] = value(*capacity)
	}
	return user
}

// ListUnrouted puts open conversation convID of account acct in the unassigned list when it is
// in no assignee list (opened to be routed, OpenConversationToRoute, and not routed yet): the
// router calls it when a routing fails, and before it routes such a conversation again on a
// redelivery, so that a conversation whose routing never succeeds (its message in the
// dead-letter queue, the rules no longer assigning) is still seen by the team. One conditional
// UpdateItem; a conversation listed already (or no longer open) is left as it is, without
// error.
//
// Errors: ENotFound (no such conversation), EInvalid (malformed ids), EUnavailable, EInternal.
func (s *Store) ListUnrouted(ctx context.Context, acct, convID string) error {
	if err := checkIDs("account id", acct, "conversation id", convID); err != nil {
		return err
	}
	const op = "ListUnrouted"
	_, err := s.updateItem(ctx, op, &dynamodb.UpdateItemInput{
		Key:              key(convPK(acct, convID), skConv),
		UpdateExpression: aws.String("SET #gsi2pk = :gsi2pk ADD #version :one"),
		// Assignee and status changes set gsi2pk: without it, the conversation is unassigned.
		ConditionExpression:      aws.String("attribute_exists(#pk) AND attribute_not_exists(#gsi2pk) AND #status = :open"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#gsi2pk": "gsi2pk", "#version": "version", "#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":gsi2pk": str(convAssigneePK(acct, "", inbox.StatusOpen)), ":one": value(1), ":open": str(string(inbox.StatusOpen)),
		},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err == nil {
		return nil
	}
	if !isConditionFailed(err) {
		return storeError(err, "list unrouted conversation")
	}
	var cf *types.ConditionalCheckFailedException
	if errors.As(err, &cf) && len(cf.Item) == 0 {
		// DynamoDB returns the item when there is one; without it, confirm it is missing.
		if _, err := s.conversationItem(ctx, op, acct, convID); err != nil {
			return err
		}
	}
	return nil
}
