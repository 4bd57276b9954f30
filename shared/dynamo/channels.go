package dynamo

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/channels"
	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// secretsAAD binds a channel's sealed secrets to the account and the channel they belong to.
func secretsAAD(acct, channelID string) []byte { return []byte(acct + "/" + channelID) }

func (s *Store) newChannelItem(ch inbox.Channel) (channelItem, error) {
	it := channelItem{
		PK: channelPK(ch.ID), SK: skChannel,
		GSI1PK: channelsGSI1PK(ch.AccountID), GSI1SK: timeSK(ch.CreatedAt, ch.ID),
		AccountID: ch.AccountID, ID: ch.ID, InboxID: ch.InboxID, Type: string(ch.Type),
		Name: ch.Name, ProviderKey: ch.ProviderKey, CreatedAt: ch.CreatedAt.UTC(),
		Routing: newRoutingItem(ch.Routing), Settings: ch.Settings,
	}
	if ch.Twilio != nil {
		it.Twilio = &twilioItem{AccountSID: ch.Twilio.AccountSID, PhoneNumber: ch.Twilio.PhoneNumber}
	}
	if ch.Messenger != nil {
		it.Messenger = &messengerItem{PageID: ch.Messenger.PageID, VerifyToken: ch.Messenger.VerifyToken}
	}
	if ch.WhatsApp != nil {
		it.WhatsApp = &whatsAppItem{
			WABAID: ch.WhatsApp.WABAID, PhoneNumberID: ch.WhatsApp.PhoneNumberID,
			DisplayNumber: ch.WhatsApp.DisplayNumber, VerifyToken: ch.WhatsApp.VerifyToken,
		}
	}
	if ch.Email != nil {
		it.Email = emailItemOf(ch.Email)
	}
	if len(ch.Secrets) > 0 {
		if s.sealer == nil {
			return channelItem{}, inbox.Errorf(inbox.EInternal, "the store has no sealer for channel secrets")
		}
		plain, err := json.Marshal(ch.Secrets)
		if err != nil {
			return channelItem{}, internal(err, "encode channel secrets")
		}
		sealed, err := s.sealer.Seal(plain, secretsAAD(ch.AccountID, ch.ID))
		if err != nil {
			return channelItem{}, internal(err, "seal channel secrets")
		}
		it.Secrets = sealed
	}
	return it, nil
}

func (s *Store) channelFromItem(av map[string]types.AttributeValue) (inbox.Channel, error) {
	var it channelItem
	if err := unmarshal(av, &it); err != nil {
		return inbox.Channel{}, err
	}
	ch := inbox.Channel{
		AccountID: it.AccountID, ID: it.ID, InboxID: it.InboxID, Type: inbox.ChannelType(it.Type),
		Name: it.Name, ProviderKey: it.ProviderKey, CreatedAt: it.CreatedAt,
		Routing: it.Routing.domain(), Settings: it.Settings,
	}
	if it.Twilio != nil {
		ch.Twilio = &inbox.TwilioConfig{AccountSID: it.Twilio.AccountSID, PhoneNumber: it.Twilio.PhoneNumber}
	}
	if it.Messenger != nil {
		ch.Messenger = &inbox.MessengerConfig{PageID: it.Messenger.PageID, VerifyToken: it.Messenger.VerifyToken}
	}
	if it.WhatsApp != nil {
		ch.WhatsApp = &inbox.WhatsAppConfig{
			WABAID: it.WhatsApp.WABAID, PhoneNumberID: it.WhatsApp.PhoneNumberID,
			DisplayNumber: it.WhatsApp.DisplayNumber, VerifyToken: it.WhatsApp.VerifyToken,
		}
	}
	if it.Email != nil {
		ch.Email = it.Email.domain()
	}
	if len(it.Secrets) > 0 {
		if s.sealer == nil {
			return inbox.Channel{}, inbox.Errorf(inbox.EInternal, "the store has no sealer for channel secrets")
		}
		plain, err := s.sealer.Open(it.Secrets, secretsAAD(it.AccountID, it.ID))
		if err != nil {
			return inbox.Channel{}, internal(err, "open channel secrets")
		}
		if err := json.Unmarshal(plain, &ch.Secrets); err != nil {
			return inbox.Channel{}, internal(err, "decode channel secrets")
		}
	}
	return ch, nil
}

// providerKeyTaken is the error of a provider key that belongs to another channel, naming the
// key as the channel's kind does ("this Facebook page").
func providerKeyTaken(t inbox.ChannelType) error {
	what := "this provider account"
	if k, ok := channels.Lookup(t); ok && k.ProviderKeyName != "" {
		what = k.ProviderKeyName
	}
	return inbox.Errorf(inbox.EConflict, "%s is already connected to a channel", what)
}

// CreateChannel stores a new channel together with the deployment-wide claim on its provider
// key (its phone number for SMS, its page id for Messenger, its phone number id for WhatsApp), in
// one transaction. The Twilio, Messenger and WhatsApp settings are stored as they are given. Secrets are sealed before they are written.
//
// Errors: EInvalid (missing or malformed ids, no type or provider key), EConflict (the provider
// key belongs to another channel, or the channel id is taken), EUnavailable, EInternal.
func (s *Store) CreateChannel(ctx context.Context, ch inbox.Channel) error {
	if err := checkIDs("account id", ch.AccountID, "channel id", ch.ID, "inbox id", ch.InboxID); err != nil {
		return err
	}
	if ch.Type == "" || ch.ProviderKey == "" {
		return inbox.Errorf(inbox.EInvalid, "a channel needs a type and a provider key")
	}
	it, err := s.newChannelItem(ch)
	if err != nil {
		return err
	}
	chAV, err := marshal(it)
	if err != nil {
		return err
	}
	pkAV, err := marshal(providerKeyItem{
		PK: providerKeyPK(ch.Type, ch.ProviderKey), SK: skProviderKey,
		AccountID: ch.AccountID, ChannelID: ch.ID,
	})
	if err != nil {
		return err
	}
	notExists := aws.String("attribute_not_exists(#pk)")
	names := map[string]string{"#pk": attrPK}
	err = s.transact(ctx, "CreateChannel", []types.TransactWriteItem{
		{Put: &types.Put{Item: chAV, ConditionExpression: notExists, ExpressionAttributeNames: names}},
		{Put: &types.Put{Item: pkAV, ConditionExpression: notExists, ExpressionAttributeNames: names}},
	})
	var c *canceled
	if errors.As(err, &c) {
		if c.failed(1) {
			return providerKeyTaken(ch.Type)
		}
		return inbox.Errorf(inbox.EConflict, "a channel with this id already exists")
	}
	return err
}

// GetChannel returns channel id of account acct, secrets opened.
//
// Errors: ENotFound (also when the channel belongs to another account), EInvalid (malformed
// ids), EUnavailable, EInternal (secrets that cannot be opened).
func (s *Store) GetChannel(ctx context.Context, acct, id string) (inbox.Channel, error) {
	if err := checkIDs("account id", acct); err != nil {
		return inbox.Channel{}, err
	}
	ch, err := s.channel(ctx, "GetChannel", id)
	if err != nil {
		return inbox.Channel{}, err
	}
	if ch.AccountID != acct {
		return inbox.Channel{}, inbox.Errorf(inbox.ENotFound, "channel not found")
	}
	return ch, nil
}

// ChannelByID returns channel id whatever its account, secrets opened. It is meant for webhook
// intake, where the channel id in the URL is all there is; anything facing an account's users
// must use GetChannel.
//
// Errors: ENotFound, EInvalid (malformed id), EUnavailable, EInternal (secrets that cannot be
// opened).
func (s *Store) ChannelByID(ctx context.Context, id string) (inbox.Channel, error) {
	return s.channel(ctx, "ChannelByID", id)
}

func (s *Store) channel(ctx context.Context, op, id string) (inbox.Channel, error) {
	if err := checkIDs("channel id", id); err != nil {
		return inbox.Channel{}, err
	}
	av, err := s.getItem(ctx, op, key(channelPK(id), skChannel))
	if err != nil {
		return inbox.Channel{}, err
	}
	if av == nil {
		return inbox.Channel{}, inbox.Errorf(inbox.ENotFound, "channel not found")
	}
	return s.channelFromItem(av)
}

// ListChannels returns the channels of account acct, oldest first, secrets opened. The list
// comes from an index and may miss a channel created a moment ago.
//
// Errors: EInvalid (malformed account id), EUnavailable, EInternal.
func (s *Store) ListChannels(ctx context.Context, acct string) ([]inbox.Channel, error) {
	if err := checkIDs("account id", acct); err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{
		IndexName:                 aws.String("gsi1"),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": "gsi1pk"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(channelsGSI1PK(acct))},
	}
	list := []inbox.Channel{}
	for {
		out, err := s.query(ctx, "ListChannels", in)
		if err != nil {
			return nil, err
		}
		for _, av := range out.Items {
			ch, err := s.channelFromItem(av)
			if err != nil {
				return nil, err
			}
			list = append(list, ch)
		}
		if len(out.LastEvaluatedKey) == 0 {
			return list, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// UpdateChannel replaces the name, inbox, public settings (Twilio, Messenger, WhatsApp) and
// secrets of channel ch.ID of account ch.AccountID with those of ch; its type, creation time and
// routing rules (see SetRoutingRules)
// stay. Secrets are replaced as a whole (nil removes them) and sealed before they are written.
// When ch.ProviderKey is set and differs from the stored one, the deployment-wide claim moves to
// the new key in the same transaction; an empty ch.ProviderKey keeps the current key.
//
// Errors: ENotFound (no such channel in the account), EInvalid (missing or malformed ids, a
// different type), EConflict (the new provider key belongs to another channel), EUnavailable,
// EInternal.
func (s *Store) UpdateChannel(ctx context.Context, ch inbox.Channel) error {
	if err := checkIDs("account id", ch.AccountID, "channel id", ch.ID, "inbox id", ch.InboxID); err != nil {
		return err
	}
	const op = "UpdateChannel"
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		cur, err := s.channelItem(ctx, op, ch.AccountID, ch.ID)
		if err != nil {
			return err
		}
		if ch.Type != "" && string(ch.Type) != cur.Type {
			return inbox.Errorf(inbox.EInvalid, "the type of a channel cannot change")
		}
		next := ch
		next.Type, next.CreatedAt = inbox.ChannelType(cur.Type), cur.CreatedAt
		if next.ProviderKey == "" {
			next.ProviderKey = cur.ProviderKey
		}
		it, err := s.newChannelItem(next)
		if err != nil {
			return err
		}
		// Routing rules are written by SetRoutingRules only: keep the stored ones, on condition
		// that they are still the ones read.
		it.Routing, it.RoutingRev = cur.Routing, cur.RoutingRev
		chAV, err := marshal(it)
		if err != nil {
			return err
		}
		items := []types.TransactWriteItem{{Put: &types.Put{
			Item:                     chAV,
			ConditionExpression:      aws.String("#acct = :acct AND #key = :key AND (attribute_not_exists(#rev) OR #rev = :rev)"),
			ExpressionAttributeNames: map[string]string{"#acct": "accountId", "#key": "providerKey", "#rev": "routingRev"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":acct": str(cur.AccountID), ":key": str(cur.ProviderKey), ":rev": value(cur.RoutingRev),
			},
		}}}
		moved := next.ProviderKey != cur.ProviderKey
		if moved {
			claimAV, err := marshal(providerKeyItem{
				PK: providerKeyPK(next.Type, next.ProviderKey), SK: skProviderKey,
				AccountID: ch.AccountID, ChannelID: ch.ID,
			})
			if err != nil {
				return err
			}
			items = append(items,
				releaseClaim(next.Type, cur.ProviderKey, ch.ID),
				types.TransactWriteItem{Put: &types.Put{
					Item:                     claimAV,
					ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
					ExpressionAttributeNames: map[string]string{"#pk": attrPK},
				}},
			)
		}
		err = s.transact(ctx, op, items)
		var cerr *canceled
		switch {
		case err == nil:
			return nil
		case !errors.As(err, &cerr):
			return err
		case cerr.failed(0):
			continue // changed or deleted since read: read again.
		case moved && cerr.failed(2):
			return providerKeyTaken(next.Type)
		default:
			return inbox.Errorf(inbox.EInternal, "the channel's provider key claim belongs to another channel")
		}
	}
	return inbox.Errorf(inbox.EUnavailable, "the channel keeps changing; try again")
}

// DeleteChannel deletes channel id of account acct and its claim on its provider key, in one
// transaction, so that the key can be connected again. The channel's conversations and messages
// stay readable.
//
// Errors: ENotFound (no such channel in the account), EInvalid (malformed ids), EUnavailable,
// EInternal.
func (s *Store) DeleteChannel(ctx context.Context, acct, id string) error {
	if err := checkIDs("account id", acct, "channel id", id); err != nil {
		return err
	}
	const op = "DeleteChannel"
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		cur, err := s.channelItem(ctx, op, acct, id)
		if err != nil {
			return err
		}
		err = s.transact(ctx, op, []types.TransactWriteItem{
			{Delete: &types.Delete{
				Key:                      key(channelPK(id), skChannel),
				ConditionExpression:      aws.String("#acct = :acct AND #key = :key"),
				ExpressionAttributeNames: map[string]string{"#acct": "accountId", "#key": "providerKey"},
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":acct": str(acct), ":key": str(cur.ProviderKey),
				},
			}},
			releaseClaim(inbox.ChannelType(cur.Type), cur.ProviderKey, id),
		})
		var cerr *canceled
		switch {
		case err == nil:
			return nil
		case !errors.As(err, &cerr):
			return err
		case cerr.failed(0):
			continue // changed or deleted since read: read again.
		default:
			return inbox.Errorf(inbox.EInternal, "the channel's provider key claim belongs to another channel")
		}
	}
	return inbox.Errorf(inbox.EUnavailable, "the channel keeps changing; try again")
}

// releaseClaim deletes channel channelID's claim on provider key k, refusing to delete another
// channel's claim.
func releaseClaim(t inbox.ChannelType, k, channelID string) types.TransactWriteItem {
	return types.TransactWriteItem{Delete: &types.Delete{
		Key:                       key(providerKeyPK(t, k), skProviderKey),
		ConditionExpression:       aws.String("attribute_not_exists(#pk) OR #ch = :ch"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#ch": "channelId"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":ch": str(channelID)},
	}}
}

// channelItem reads the stored channel id of account acct, secrets still sealed.
func (s *Store) channelItem(ctx context.Context, op, acct, id string) (channelItem, error) {
	av, err := s.getItem(ctx, op, key(channelPK(id), skChannel))
	if err != nil {
		return channelItem{}, err
	}
	var it channelItem
	if av != nil {
		if err := unmarshal(av, &it); err != nil {
			return channelItem{}, err
		}
	}
	if av == nil || it.AccountID != acct {
		return channelItem{}, inbox.Errorf(inbox.ENotFound, "channel not found")
	}
	return it, nil
}

// ChannelByProviderKey returns the channel of type t that holds provider key k (a page id for
// Messenger, a phone number id for WhatsApp, a phone number for SMS), whatever its account,
// secrets opened. Like ChannelByID it is meant for webhook intake, here to route the entries of
// a Meta app's webhook, which name the page or number but not the channel.
//
// Errors: ENotFound, EInvalid (no type or key, a malformed type), EUnavailable, EInternal
// (secrets that cannot be opened).
func (s *Store) ChannelByProviderKey(ctx context.Context, t inbox.ChannelType, k string) (inbox.Channel, error) {
	if t == "" || k == "" {
		return inbox.Channel{}, inbox.Errorf(inbox.EInvalid, "a channel type and a provider key are required")
	}
	if strings.Contains(string(t), "#") {
		return inbox.Channel{}, inbox.Errorf(inbox.EInvalid, "channel type must not contain '#'")
	}
	const op = "ChannelByProviderKey"
	av, err := s.getItem(ctx, op, key(providerKeyPK(t, k), skProviderKey))
	if err != nil {
		return inbox.Channel{}, err
	}
	notFound := inbox.Errorf(inbox.ENotFound, "channel not found")
	if av == nil {
		return inbox.Channel{}, notFound
	}
	var claim providerKeyItem
	if err := unmarshal(av, &claim); err != nil {
		return inbox.Channel{}, err
	}
	ch, err := s.channel(ctx, op, claim.ChannelID)
	if err != nil {
		return inbox.Channel{}, err
	}
	if ch.AccountID != claim.AccountID || ch.Type != t || ch.ProviderKey != k {
		return inbox.Channel{}, notFound
	}
	return ch, nil
}
