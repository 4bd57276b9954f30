package dynamo

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// DefaultMaxTicketsPerContact is the ticket limit of a contact when none is given.
const DefaultMaxTicketsPerContact = 100

// SetContactOwner makes user ownerID the owner of contact contactID of account acct ("" clears
// the owner) and returns the contact as stored.
//
// Errors: ENotFound, EInvalid (malformed ids), EUnavailable, EInternal.
func (s *Store) SetContactOwner(ctx context.Context, acct, contactID, ownerID string) (inbox.Contact, error) {
	if err := checkIDs("account id", acct, "contact id", contactID); err != nil {
		return inbox.Contact{}, err
	}
	if ownerID != "" {
		if err := checkAssignee(ownerID); err != nil {
			return inbox.Contact{}, err
		}
	}
	in := &dynamodb.UpdateItemInput{
		Key:                      key(contactPK(acct, contactID), skContact),
		ConditionExpression:      aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#owner": "ownerId"},
		ReturnValues:             types.ReturnValueAllNew,
	}
	if ownerID == "" {
		in.UpdateExpression = aws.String("REMOVE #owner")
	} else {
		in.UpdateExpression = aws.String("SET #owner = :owner")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":owner": str(ownerID)}
	}
	out, err := s.updateItem(ctx, "SetContactOwner", in)
	if isConditionFailed(err) {
		return inbox.Contact{}, inbox.Errorf(inbox.ENotFound, "contact not found")
	}
	if err != nil {
		return inbox.Contact{}, storeError(err, "set contact owner")
	}
	var it contactItem
	if err := unmarshal(out.Attributes, &it); err != nil {
		return inbox.Contact{}, err
	}
	return it.domain(), nil
}

// CreateTicket stores ticket t of account t.AccountID for conversation t.ConversationID of
// contact t.ContactID and returns it as stored. A ticket's id is its conversation's id (t.ID
// may be "" or must equal t.ConversationID), which makes one ticket per conversation. In the
// same transaction the contact's ticketCount grows by 1, on condition that it stays within
// maxPerContact (0 or less: DefaultMaxTicketsPerContact), and the conversation is checked to
// exist and belong to the contact. CreatedAt and UpdatedAt default to the store's clock.
//
// Errors: ENotFound (no such conversation or contact in the account), EInvalid (missing or
// malformed ids, no pipeline or stage, an id other than the conversation's, a conversation of
// another contact), EConflict ("ticket exists": the conversation has a ticket; or "the contact
// has reached its ticket limit (N)", whose chain holds inbox.ErrTicketLimit), EUnavailable,
// EInternal.
func (s *Store) CreateTicket(ctx context.Context, t inbox.Ticket, maxPerContact int) (inbox.Ticket, error) {
	if err := checkIDs("account id", t.AccountID, "conversation id", t.ConversationID, "contact id", t.ContactID); err != nil {
		return inbox.Ticket{}, err
	}
	if t.ID == "" {
		t.ID = t.ConversationID
	}
	if t.ID != t.ConversationID {
		return inbox.Ticket{}, inbox.Errorf(inbox.EInvalid, "a ticket's id is its conversation's id")
	}
	if t.Pipeline == "" || t.Stage == "" {
		return inbox.Ticket{}, inbox.Errorf(inbox.EInvalid, "a ticket needs a pipeline and a stage")
	}
	if t.OwnerUserID != "" {
		if err := checkAssignee(t.OwnerUserID); err != nil {
			return inbox.Ticket{}, err
		}
	}
	if maxPerContact <= 0 {
		maxPerContact = DefaultMaxTicketsPerContact
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now()
	}
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	const op = "CreateTicket"
	av, err := marshal(newTicketItem(t))
	if err != nil {
		return inbox.Ticket{}, err
	}
	err = s.transact(ctx, op, []types.TransactWriteItem{
		{Put: &types.Put{
			Item:                     av,
			ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
			ExpressionAttributeNames: map[string]string{"#pk": attrPK},
		}},
		{Update: &types.Update{
			Key:                      key(contactPK(t.AccountID, t.ContactID), skContact),
			UpdateExpression:         aws.String("ADD #count :one"),
			ConditionExpression:      aws.String("attribute_exists(#pk) AND (attribute_not_exists(#count) OR #count < :max)"),
			ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#count": "ticketCount"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":one": value(1), ":max": value(maxPerContact),
			},
		}},
		{ConditionCheck: &types.ConditionCheck{
			Key:                       key(convPK(t.AccountID, t.ConversationID), skConv),
			ConditionExpression:       aws.String("attribute_exists(#pk) AND #contact = :contact"),
			ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#contact": "contactId"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":contact": str(t.ContactID)},
		}},
	})
	var cerr *canceled
	switch {
	case err == nil:
		return t, nil
	case !errors.As(err, &cerr):
		return inbox.Ticket{}, err
	case cerr.failed(0):
		return inbox.Ticket{}, inbox.Errorf(inbox.EConflict, "ticket exists")
	}
	if cerr.failed(1) {
		if _, err := s.contact(ctx, op, t.AccountID, t.ContactID); err != nil {
			return inbox.Ticket{}, err
		}
	}
	if cerr.failed(2) {
		if _, err := s.conversation(ctx, op, t.AccountID, t.ConversationID); err != nil {
			return inbox.Ticket{}, err
		}
		return inbox.Ticket{}, inbox.Errorf(inbox.EInvalid, "the conversation belongs to another contact")
	}
	return inbox.Ticket{}, inbox.Wrap(inbox.ErrTicketLimit, inbox.EConflict,
		"the contact has reached its ticket limit ("+strconv.Itoa(maxPerContact)+")")
}

// SetTicketNotice records on conversation convID of account acct why it has no ticket (notice;
// "" clears it). Setting the notice it has already changes nothing.
//
// Errors: ENotFound, EInvalid (malformed ids), EUnavailable, EInternal.
func (s *Store) SetTicketNotice(ctx context.Context, acct, convID, notice string) error {
	if err := checkIDs("account id", acct, "conversation id", convID); err != nil {
		return err
	}
	_, err := s.updateItem(ctx, "SetTicketNotice", &dynamodb.UpdateItemInput{
		Key:                       key(convPK(acct, convID), skConv),
		UpdateExpression:          aws.String("SET #notice = :notice ADD #version :one"),
		ConditionExpression:       aws.String("attribute_exists(#pk) AND (attribute_not_exists(#notice) OR #notice <> :notice)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#notice": "ticketNotice", "#version": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":notice": str(notice), ":one": value(1)},
	})
	if isConditionFailed(err) {
		if _, err := s.conversation(ctx, "SetTicketNotice", acct, convID); err != nil {
			return err
		}
		return nil // the notice is there already.
	}
	if err != nil {
		return storeError(err, "set ticket notice")
	}
	return nil
}

// GetTicket returns ticket id (its conversation's id) of account acct.
//
// Errors: ENotFound, EInvalid (malformed ids), EUnavailable, EInternal.
func (s *Store) GetTicket(ctx context.Context, acct, id string) (inbox.Ticket, error) {
	if err := checkIDs("account id", acct, "ticket id", id); err != nil {
		return inbox.Ticket{}, err
	}
	av, err := s.getItem(ctx, "GetTicket", key(accountPK(acct), ticketSK(id)))
	if err != nil {
		return inbox.Ticket{}, err
	}
	if av == nil {
		return inbox.Ticket{}, inbox.Errorf(inbox.ENotFound, "ticket not found")
	}
	var it ticketItem
	if err := unmarshal(av, &it); err != nil {
		return inbox.Ticket{}, err
	}
	return it.domain(), nil
}

// ListTickets returns the tickets of account acct in pipeline f.Pipeline and stage f.Stage
// (each when set), newest CreatedAt first (ties by id). There is no index for tickets yet: it
// queries all of the account's ticket items (pk A#{acct}, sk begins_with TICKET#) with a
// filter, and sorts them in memory, which is fine for the ticket counts of today.
//
// Errors: EInvalid (malformed account id), EUnavailable, EInternal.
func (s *Store) ListTickets(ctx context.Context, acct string, f inbox.TicketFilter) ([]inbox.Ticket, error) {
	if err := checkIDs("account id", acct); err != nil {
		return nil, err
	}
	list := []inbox.Ticket{}
	err := s.queryPrefix(ctx, "ListTickets", accountPK(acct), prefixTicket, func(av map[string]types.AttributeValue) error {
		var it ticketItem
		if err := unmarshal(av, &it); err != nil {
			return err
		}
		if (f.Pipeline == "" || it.Pipeline == f.Pipeline) && (f.Stage == "" || it.Stage == f.Stage) {
			list = append(list, it.domain())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b inbox.Ticket) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return 1
		} else if a.ID > b.ID {
			return -1
		}
		return 0
	})
	return list, nil
}

// FillTicketOwner makes ownerID the owner of ticket id of account acct when the ticket has no
// owner (UpdatedAt = now); a ticket with an owner, or no ticket, is left as it is.
//
// Errors: EInvalid (malformed ids), EUnavailable, EInternal.
func (s *Store) FillTicketOwner(ctx context.Context, acct, id, ownerID string, now time.Time) error {
	if err := checkIDs("account id", acct, "ticket id", id); err != nil {
		return err
	}
	if err := checkAssignee(ownerID); err != nil || ownerID == "" {
		return inbox.Errorf(inbox.EInvalid, "invalid owner id %q", ownerID)
	}
	_, err := s.updateItem(ctx, "FillTicketOwner", &dynamodb.UpdateItemInput{
		Key:                      key(accountPK(acct), ticketSK(id)),
		UpdateExpression:         aws.String("SET #owner = :owner, #updated = :now"),
		ConditionExpression:      aws.String("attribute_exists(#pk) AND (attribute_not_exists(#owner) OR #owner = :empty)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#owner": "ownerUserId", "#updated": "updatedAt"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":owner": str(ownerID), ":now": value(now.UTC()), ":empty": str(""),
		},
	})
	if isConditionFailed(err) {
		return nil
	}
	if err != nil {
		return storeError(err, "fill ticket owner")
	}
	return nil
}

// MoveTicket moves ticket id of account acct to stage (UpdatedAt = now) and returns it as
// stored.
//
// Errors: ENotFound, EInvalid (malformed ids, no stage), EUnavailable, EInternal.
func (s *Store) MoveTicket(ctx context.Context, acct, id, stage string, now time.Time) (inbox.Ticket, error) {
	if err := checkIDs("account id", acct, "ticket id", id); err != nil {
		return inbox.Ticket{}, err
	}
	if stage == "" {
		return inbox.Ticket{}, inbox.Errorf(inbox.EInvalid, "stage is required")
	}
	out, err := s.updateItem(ctx, "MoveTicket", &dynamodb.UpdateItemInput{
		Key:                      key(accountPK(acct), ticketSK(id)),
		UpdateExpression:         aws.String("SET #stage = :stage, #updated = :now"),
		ConditionExpression:      aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#stage": "stage", "#updated": "updatedAt"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":stage": str(stage), ":now": value(now.UTC()),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if isConditionFailed(err) {
		return inbox.Ticket{}, inbox.Errorf(inbox.ENotFound, "ticket not found")
	}
	if err != nil {
		return inbox.Ticket{}, storeError(err, "move ticket")
	}
	var it ticketItem
	if err := unmarshal(out.Attributes, &it); err != nil {
		return inbox.Ticket{}, err
	}
	return it.domain(), nil
}
