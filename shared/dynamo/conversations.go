package dynamo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// FindOrOpenConversation returns the open conversation of contact c.ContactID in inbox
// c.InboxID, or stores c as that conversation when there is none. c must be a complete new open
// conversation (fresh id, contact snapshot, LastMessageAt = CreatedAt, LastInboundAt when
// known); it is stored with Version 1. created says whether c was stored. A conversation
// created open and assigned raises its assignee's load by 1 in the same transaction (when the
// assignee is a user). Concurrent calls for the same contact and inbox
// return the same conversation.
//
// Errors: EInvalid (missing or malformed ids, a status other than open), EConflict (c.ID is
// taken), EUnavailable, EInternal.
func (s *Store) FindOrOpenConversation(ctx context.Context, c inbox.Conversation) (inbox.Conversation, bool, error) {
	return s.findOrOpenConversation(ctx, "FindOrOpenConversation", c, true, false, "")
}

// OpenConversation is FindOrOpenConversation for a contact that was just created, which has no
// conversation yet: it writes first, and reads only when the contact turns out to have an open
// conversation in the inbox. hint is the one CreateContact stored the contact with: when it
// names c (its conversation, inbox and channel), the contact's lookup item and name words name c
// for search (SearchConversations), and c is written without its entry in the contact's
// conversations (gsi5), 1 WCU less. The zero hint writes that entry; so does a conversation
// written under another id (the marker of one opened meanwhile).
//
// Errors: those of FindOrOpenConversation, and EInvalid when hint names another conversation.
func (s *Store) OpenConversation(ctx context.Context, c inbox.Conversation, hint inbox.OpenHint) (inbox.Conversation, bool, error) {
	first, err := firstConversation(c, hint)
	if err != nil {
		return inbox.Conversation{}, false, err
	}
	return s.findOrOpenConversation(ctx, "OpenConversation", c, false, false, first)
}

// firstConversation returns the id of c when hint names it ("" for the zero hint).
func firstConversation(c inbox.Conversation, hint inbox.OpenHint) (string, error) {
	switch hint {
	case inbox.OpenHint{}:
		return "", nil
	case inbox.OpenHint{InboxID: c.InboxID, ConversationID: c.ID, ChannelID: c.ChannelID}:
		return c.ID, nil
	}
	return "", inbox.Errorf(inbox.EInvalid, "the hint names another conversation")
}

// OpenConversationToRoute is OpenConversation for an unassigned conversation that its caller
// routes right away with automatic assignment (the router, when the channel's rules assign):
// the conversation is written outside the assignee lists (no gsi2pk), and the routing puts it
// in the list it ends in — its assignee's (AssignNew, AssignWithinCapacity) or the unassigned
// one (AddWaiting) — with a put alone in that index, where moving it from the unassigned list
// costs a delete and a put inside the assignment's transaction (2 × 2 WCU). Until then it is
// in the inbox and status lists but in no assignee list; a routing that fails is retried by
// the redelivery of its message. Any later assignment or status change lists it as well.
//
// hint is OpenConversation's.
//
// Errors: those of OpenConversation.
func (s *Store) OpenConversationToRoute(ctx context.Context, c inbox.Conversation, hint inbox.OpenHint) (inbox.Conversation, bool, error) {
	first, err := firstConversation(c, hint)
	if err != nil {
		return inbox.Conversation{}, false, err
	}
	return s.findOrOpenConversation(ctx, "OpenConversation", c, false, c.AssigneeID == "" && !s.listedOnly, first)
}

// findOrOpenConversation finds the contact's open conversation or opens c (reading the open
// marker first when readFirst); toRoute leaves a new conversation out of the assignee lists
// (see OpenConversationToRoute); a conversation written under id first is left out of gsi5
// (see OpenConversation).
func (s *Store) findOrOpenConversation(ctx context.Context, op string, c inbox.Conversation, readFirst, toRoute bool, first string) (inbox.Conversation, bool, error) {
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
		var av map[string]types.AttributeValue
		if readFirst || attempt > 1 {
			var err error
			if av, err = s.getItem(ctx, op, key(openPK(c.AccountID, c.InboxID, c.ContactID, c.ThreadKey), skOpen)); err != nil {
				return inbox.Conversation{}, false, err
			}
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
			case err == nil:
				// Closed between the two reads; the marker is gone now: look again.
				continue
			case inbox.IsCode(err, inbox.ENotFound):
				// The marker of a conversation still being written, or whose writer failed
				// before the conversation: write it ourselves, under the marker's id (below the
				// put is conditional, so the writer and we store one conversation).
				c.ID = marker.ConversationID
				created, err := s.putConversation(ctx, op, c, toRoute, c.ID == first)
				if err != nil || !created {
					if err == nil {
						continue // the writer came first: read theirs.
					}
					return inbox.Conversation{}, false, err
				}
				c.Unrouted = toRoute && c.AssigneeID == ""
				return c, true, nil
			default:
				return inbox.Conversation{}, false, err
			}
		}
		markerAV, err := marshal(openItem{PK: openPK(c.AccountID, c.InboxID, c.ContactID, c.ThreadKey), SK: skOpen, ConversationID: c.ID})
		if err != nil {
			return inbox.Conversation{}, false, err
		}
		notExists := aws.String("attribute_not_exists(#pk)")
		names := map[string]string{"#pk": attrPK}
		// An open conversation created assigned counts in its assignee's load.
		now := s.now()
		load, err := s.loadChange(ctx, op, c.AccountID, c.AssigneeID, +1, &now)
		if err != nil {
			return inbox.Conversation{}, false, err
		}
		if load == nil {
			// Unassigned (the router's case): two single writes, not a transaction, which costs
			// twice the units. The marker first: it makes the conversation the contact's one;
			// until the conversation is written, whoever reads the marker writes it (above).
			err := s.putItem(ctx, op, &dynamodb.PutItemInput{Item: markerAV, ConditionExpression: notExists, ExpressionAttributeNames: names})
			if isConditionFailed(err) {
				continue // another caller opened the conversation first: read theirs.
			}
			if err != nil {
				return inbox.Conversation{}, false, storeError(err, "open conversation")
			}
			created, err := s.putConversation(ctx, op, c, toRoute, c.ID == first)
			if err != nil {
				return inbox.Conversation{}, false, err
			}
			if !created {
				// A reader of the marker wrote it for us (see above).
				existing, err := s.conversation(ctx, op, c.AccountID, c.ID)
				return existing, false, err
			}
			c.Unrouted = toRoute
			return c, true, nil
		}
		convAV, err := marshal(newConversationItem(c).unlisted(c.ID == first))
		if err != nil {
			return inbox.Conversation{}, false, err
		}
		err = s.transact(ctx, op, appendItems([]types.TransactWriteItem{
			{Put: &types.Put{Item: markerAV, ConditionExpression: notExists, ExpressionAttributeNames: names}},
			{Put: &types.Put{Item: convAV, ConditionExpression: notExists, ExpressionAttributeNames: names}},
		}, load))
		var cerr *canceled
		switch {
		case err == nil:
			return c, true, nil
		case !errors.As(err, &cerr):
			return inbox.Conversation{}, false, err
		case cerr.failed(0):
			continue // another caller opened the conversation first: read theirs.
		case cerr.failed(2):
			continue // the assignee's user item changed since read.
		default:
			return inbox.Conversation{}, false, inbox.Errorf(inbox.EConflict, "a conversation with this id already exists")
		}
	}
	return inbox.Conversation{}, false, inbox.Errorf(inbox.EUnavailable, "the conversation keeps changing; try again")
}

// putConversation writes new conversation c unless a conversation with its id exists; created
// says whether it did. toRoute leaves an unassigned c out of the assignee lists (no gsi2pk; see
// OpenConversationToRoute); first leaves it out of gsi5 (see OpenConversation).
func (s *Store) putConversation(ctx context.Context, op string, c inbox.Conversation, toRoute, first bool) (bool, error) {
	it := newConversationItem(c).unlisted(first)
	if toRoute && c.AssigneeID == "" {
		it.GSI2PK = ""
	}
	av, err := marshal(it)
	if err != nil {
		return false, err
	}
	err = s.putItem(ctx, op, &dynamodb.PutItemInput{
		Item:                     av,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, storeError(err, "store conversation")
	}
	return true, nil
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
		case err == nil:
			continue // closed between the two reads: look at the marker again.
		case inbox.IsCode(err, inbox.ENotFound):
			// The conversation of the marker is not written yet (FindOrOpenConversation writes
			// the marker first, and completes a marker whose writer failed).
			return inbox.Conversation{}, inbox.Errorf(inbox.ENotFound, "no open conversation")
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
// latest contact's message first (listTime: the team's replies do not reorder a list), and the
// cursor of the next page ("" after the last page). The lists are ordered by the quarter hour of
// that message (listStep), and each page by its exact time: a page ending within a quarter hour holds some of its conversations, in
// order, and the next page the others. The lists come from indexes and may lag a moment behind writes; a conversation
// that has left the list since (closed, reassigned) is left out, so a page may hold fewer.
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
			// gsi2 projects inboxId, which never changes, for this filter.
			filtered = true
			in.FilterExpression = aws.String("#inbox = :inbox")
			in.ExpressionAttributeNames["#inbox"] = "inboxId"
			in.ExpressionAttributeValues[":inbox"] = str(f.InboxID)
		}
	case f.InboxID != "":
		index, partition = "gsi4", convInboxPK(acct, f.InboxID, status)
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

	// Read one entry more than the page to know whether there is a next page, so that the last
	// page never comes with a cursor to an empty one.
	var entries []map[string]types.AttributeValue
	for {
		need := limit + 1 - len(entries)
		if filtered {
			in.Limit = aws.Int32(int32(min(4*need, 400)))
		} else {
			in.Limit = aws.Int32(int32(need))
		}
		out, err := s.query(ctx, "ListConversations", in)
		if err != nil {
			return nil, "", err
		}
		entries = append(entries, out.Items...)
		if len(entries) > limit || len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	next := ""
	if len(entries) > limit {
		entries = entries[:limit]
		next = encodeCursor(entries[limit-1], index)
	}
	// The indexes hold keys only (a message then writes them only when the conversation moves
	// up a quarter hour): the page's conversations are one batch read.
	keys := make([]map[string]types.AttributeValue, len(entries))
	for i, e := range entries {
		keys[i] = map[string]types.AttributeValue{attrPK: e[attrPK], attrSK: e[attrSK]}
	}
	all, err := s.conversationsByKeys(ctx, "ListConversations", keys)
	if err != nil {
		return nil, "", err
	}
	list := make([]inbox.Conversation, 0, len(all))
	for _, c := range all {
		// The index lags the table a moment: leave out what has left the list since.
		if c.Status != status || (f.InboxID != "" && c.InboxID != f.InboxID) ||
			(f.AssigneeID != "" && c.AssigneeID != f.AssigneeID) || (f.Unassigned && c.AssigneeID != "") {
			continue
		}
		list = append(list, c)
	}
	// The index orders by the quarter hour (listStep) and, within it, by id; lsk is always the
	// step of listTime, so this stable sort keeps the steps in their order and puts each
	// step's conversations on the page in the order of their contacts' last messages.
	slices.SortStableFunc(list, func(a, b inbox.Conversation) int { return listTime(b).Compare(listTime(a)) })
	return list, next, nil
}

// conversationsByKeys reads the conversations of keys (index entries of their keys) in one
// eventually consistent batch, in the order of keys; a conversation no longer there is left out.
func (s *Store) conversationsByKeys(ctx context.Context, op string, keys []map[string]types.AttributeValue) ([]inbox.Conversation, error) {
	found, err := s.batchGet(ctx, op, keys)
	if err != nil {
		return nil, err
	}
	list := make([]inbox.Conversation, 0, len(found))
	for _, k := range keys {
		av, ok := found[itemKey(k)]
		if !ok {
			continue
		}
		var it conversationItem
		if err := unmarshal(av, &it); err != nil {
			return nil, err
		}
		list = append(list, it.domain())
	}
	return list, nil
}

// encodeCursor makes the opaque cursor that resumes a query of index after item: the base64url
// JSON of the item's key attributes in the table and in the index.
func encodeCursor(item map[string]types.AttributeValue, index string) string {
	k := map[string]string{}
	for _, name := range []string{attrPK, attrSK, index + "pk", attrListSK} {
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
	gpk, gsk := k[index+"pk"], k[attrListSK]
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
// changes nothing. When the conversation is open, the same transaction keeps the assignees'
// loads (users' open-conversation counts): the previous assignee's goes down by 1 (never
// below 0), the new assignee's goes up by 1, without any capacity check, and its
// lastAssignedAt becomes the store's now. Assignees that have no user item are not counted.
// Assigning a waiting conversation takes it out of the waiting queue.
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
		it, err := s.conversationItem(ctx, op, acct, convID)
		if err != nil {
			return inbox.Conversation{}, err
		}
		c := it.domain()
		if c.AssigneeID == assigneeID {
			return c, nil
		}
		prev := c.AssigneeID
		old := c.Version
		c.AssigneeID = assigneeID
		c.Version++
		set := "SET #assignee = :assignee, #gsi2pk = :gsi2pk, #version = :new"
		if assigneeID != "" && it.WaitSK != "" {
			set += " REMOVE #wait" // an assigned conversation no longer waits.
		}
		items := []types.TransactWriteItem{{Update: &types.Update{
			Key:                 key(convPK(acct, convID), skConv),
			UpdateExpression:    aws.String(set),
			ConditionExpression: aws.String("#version = :old"),
			ExpressionAttributeNames: usedNames(set+" #version", map[string]string{
				"#assignee": "assigneeId", "#gsi2pk": "gsi2pk", "#version": "version", "#wait": "waitSK",
			}),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":assignee": str(assigneeID),
				":gsi2pk":   str(convAssigneePK(acct, assigneeID, c.Status)),
				":new":      value(c.Version),
				":old":      value(old),
			},
		}}}
		if assigneeID != "" && it.WaitSK != "" {
			items = appendItems(items, deleteWaiting(acct, it.ChannelID, it.WaitSK))
		}
		if c.Status == inbox.StatusOpen {
			// Load counts open conversations: the previous assignee has one less, the new one more.
			dec, err := s.loadChange(ctx, op, acct, prev, -1, nil)
			if err != nil {
				return inbox.Conversation{}, err
			}
			now := s.now()
			inc, err := s.loadChange(ctx, op, acct, assigneeID, +1, &now)
			if err != nil {
				return inbox.Conversation{}, err
			}
			items = appendItems(items, dec, inc)
		}
		err = s.transact(ctx, op, items)
		var cerr *canceled
		switch {
		case err == nil:
			return c, nil
		case !errors.As(err, &cerr):
			return inbox.Conversation{}, err
		default:
			continue // the conversation or a user's load changed since read: read again.
		}
	}
	return inbox.Conversation{}, inbox.Errorf(inbox.EConflict, "the conversation keeps changing; try again")
}

// SetStatus opens or closes conversation convID of account acct and returns it as stored.
// Closing releases the contact's open-conversation marker of the inbox; reopening takes it back.
// In the same transaction, closing an open conversation lowers its assignee's load by 1 (never
// below 0) and takes it out of the waiting queue; opening it raises the assignee's load by 1.
// Assignees that have no user item are not counted. Setting the current status changes nothing.
//
// Errors: ENotFound, EInvalid (malformed ids, unknown status), EConflict (reopening while the
// contact has another open conversation in the inbox, or the conversation kept changing
// concurrently), EUnavailable, EInternal.
func (s *Store) SetStatus(ctx context.Context, acct, convID string, status inbox.ConversationStatus) (inbox.Conversation, error) {
	if status != inbox.StatusOpen && status != inbox.StatusClosed {
		return inbox.Conversation{}, inbox.Errorf(inbox.EInvalid, "unknown conversation status %q", status)
	}
	return s.setStatus(ctx, "SetStatus", acct, convID, status, nil)
}

// Reopen reopens closed conversation convID of account acct for a customer's new message and
// returns it as stored. assigneeID is who has it from now on: its previous assignee (kept), or
// "" (unassigned, to be routed again). In the same transaction as the reopening (see
// SetStatus), a kept assignee that is a user gets its load raised by 1, on condition that it
// stays within capacity (nil: no limit); lastAssignedAt is left alone, since keeping a
// conversation is not a new turn. An open conversation is returned as it is.
//
// Errors: ENotFound, EInvalid (malformed ids, a negative capacity, assigning someone else than
// the previous assignee), EConflict (the contact has another open conversation in the inbox;
// or the kept assignee is at capacity, whose chain holds inbox.ErrAtCapacity; or the conversation
// kept changing), EUnavailable, EInternal.
func (s *Store) Reopen(ctx context.Context, acct, convID, assigneeID string, capacity *int) (inbox.Conversation, error) {
	if err := checkAssignee(assigneeID); err != nil {
		return inbox.Conversation{}, err
	}
	if capacity != nil && *capacity < 0 {
		return inbox.Conversation{}, inbox.Errorf(inbox.EInvalid, "capacity must not be negative")
	}
	return s.setStatus(ctx, "Reopen", acct, convID, inbox.StatusOpen, &reopening{assignee: assigneeID, capacity: capacity})
}

// reopening is what Reopen adds to a status change: who keeps the conversation, within which
// capacity.
type reopening struct {
	assignee string
	capacity *int
}

// LastClosedConversation returns the conversation of contact contactID in inbox inboxID of
// account acct that was closed last (conversations without a thread key; email threads are
// found by their headers), when it is still closed.
//
// Errors: ENotFound (none, or it was reopened or deleted since), EInvalid (malformed ids),
// EUnavailable, EInternal.
func (s *Store) LastClosedConversation(ctx context.Context, acct, inboxID, contactID string) (inbox.Conversation, error) {
	if err := checkIDs("account id", acct, "inbox id", inboxID, "contact id", contactID); err != nil {
		return inbox.Conversation{}, err
	}
	const op = "LastClosedConversation"
	av, err := s.getItem(ctx, op, key(openPK(acct, inboxID, contactID), skLastClosed))
	if err != nil {
		return inbox.Conversation{}, err
	}
	if av == nil {
		return inbox.Conversation{}, inbox.Errorf(inbox.ENotFound, "no closed conversation")
	}
	var marker openItem
	if err := unmarshal(av, &marker); err != nil {
		return inbox.Conversation{}, err
	}
	c, err := s.conversation(ctx, op, acct, marker.ConversationID)
	if err != nil {
		return inbox.Conversation{}, err
	}
	if c.Status != inbox.StatusClosed {
		return inbox.Conversation{}, inbox.Errorf(inbox.ENotFound, "no closed conversation")
	}
	return c, nil
}

// lastClosedTTL is how long the last-closed marker outlives the closing: long past any reopen
// window, then DynamoDB deletes it.
const lastClosedTTL = 90 * 24 * time.Hour

// setStatus is SetStatus and, with re set, Reopen.
func (s *Store) setStatus(ctx context.Context, op, acct, convID string, status inbox.ConversationStatus, re *reopening) (inbox.Conversation, error) {
	if err := checkIDs("account id", acct, "conversation id", convID); err != nil {
		return inbox.Conversation{}, err
	}
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		it, err := s.conversationItem(ctx, op, acct, convID)
		if err != nil {
			return inbox.Conversation{}, err
		}
		c := it.domain()
		if c.Status == status {
			return c, nil
		}
		if re != nil && re.assignee != "" && re.assignee != c.AssigneeID {
			return inbox.Conversation{}, inbox.Errorf(inbox.EInvalid, "a reopened conversation keeps its previous assignee or none")
		}
		wasOpen := c.Status == inbox.StatusOpen
		old := c.Version
		c.Status = status
		c.Version++
		set := "SET #status = :status, #gsi2pk = :gsi2pk, #gsi3pk = :gsi3pk, #gsi4pk = :gsi4pk, #version = :new"
		if re != nil {
			c.AssigneeID = re.assignee
			set += ", #assignee = :assignee"
		}
		k := convIndexKeys(c)
		closing := status == inbox.StatusClosed && it.WaitSK != ""
		if closing {
			set += " REMOVE #wait" // a closed conversation no longer waits.
		}
		update := types.TransactWriteItem{Update: &types.Update{
			Key:                 key(convPK(acct, convID), skConv),
			UpdateExpression:    aws.String(set),
			ConditionExpression: aws.String("#version = :old"),
			ExpressionAttributeNames: usedNames(set+" #version", map[string]string{
				"#status": "status", "#gsi2pk": "gsi2pk", "#gsi3pk": "gsi3pk", "#gsi4pk": "gsi4pk",
				"#version": "version", "#wait": "waitSK", "#assignee": "assigneeId",
			}),
			ExpressionAttributeValues: usedValues(set+" :old", map[string]types.AttributeValue{
				":status": str(string(status)),
				":gsi2pk": str(k.gsi2pk), ":gsi3pk": str(k.gsi3pk), ":gsi4pk": str(k.gsi4pk),
				":new": value(c.Version), ":old": value(old), ":assignee": str(c.AssigneeID),
			}),
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
		items := []types.TransactWriteItem{update, marker}
		if closing {
			items = appendItems(items, deleteWaiting(acct, c.ChannelID, it.WaitSK))
		}
		if status == inbox.StatusClosed && c.ThreadKey == "" {
			// Remembered so that the customer's next message can reopen this conversation.
			lastAV, err := marshal(lastClosedItem{
				PK: openPK(acct, c.InboxID, c.ContactID), SK: skLastClosed, ConversationID: convID,
				TTL: s.now().Add(lastClosedTTL).Unix(),
			})
			if err != nil {
				return inbox.Conversation{}, err
			}
			items = append(items, types.TransactWriteItem{Put: &types.Put{Item: lastAV}})
		}
		// Load counts open conversations of the assignee.
		var load *types.TransactWriteItem
		switch isOpen := status == inbox.StatusOpen; {
		case wasOpen && !isOpen:
			load, err = s.loadChange(ctx, op, acct, c.AssigneeID, -1, nil)
		case !wasOpen && isOpen:
			load, err = s.loadChange(ctx, op, acct, c.AssigneeID, +1, nil)
			if load != nil && re != nil && re.capacity != nil {
				up := load.Update
				up.ConditionExpression = aws.String("attribute_exists(#pk) AND (attribute_not_exists(#load) OR #load < :cap)")
				up.ExpressionAttributeValues[":cap"] = value(*re.capacity)
			}
		}
		if err != nil {
			return inbox.Conversation{}, err
		}
		items = appendItems(items, load)
		err = s.transact(ctx, op, items)
		var cerr *canceled
		switch {
		case err == nil:
			return c, nil
		case !errors.As(err, &cerr):
			return inbox.Conversation{}, err
		case load != nil && cerr.failed(len(items)-1) && !cerr.failed(0):
			if re == nil || re.capacity == nil {
				continue // the assignee's user item changed since read: read again.
			}
			u, found, err := s.userItem(ctx, op, acct, c.AssigneeID)
			if err != nil {
				return inbox.Conversation{}, err
			}
			if found && u.Load >= *re.capacity {
				return inbox.Conversation{}, inbox.Wrap(inbox.ErrAtCapacity, inbox.EConflict, msgAtCapacity)
			}
			continue
		case cerr.failed(0) || !cerr.failed(1):
			continue // the conversation or the assignee's load changed since read: read again.
		case status == inbox.StatusOpen:
			return inbox.Conversation{}, inbox.Errorf(inbox.EConflict, "the contact already has another open conversation in this inbox")
		default:
			return inbox.Conversation{}, inbox.Errorf(inbox.EConflict, "the inbox's open conversation of this contact is another one")
		}
	}
	return inbox.Conversation{}, inbox.Errorf(inbox.EConflict, "the conversation keeps changing; try again")
}
