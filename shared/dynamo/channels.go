package dynamo

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

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
	}
	if ch.Twilio != nil {
		it.Twilio = &twilioItem{AccountSID: ch.Twilio.AccountSID, PhoneNumber: ch.Twilio.PhoneNumber}
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
	}
	if it.Twilio != nil {
		ch.Twilio = &inbox.TwilioConfig{AccountSID: it.Twilio.AccountSID, PhoneNumber: it.Twilio.PhoneNumber}
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

// CreateChannel stores a new channel together with the deployment-wide claim on its provider
// key (its phone number for SMS), in one transaction. Secrets are sealed before they are written.
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
			return inbox.Errorf(inbox.EConflict, "this phone number is already connected to a channel")
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
