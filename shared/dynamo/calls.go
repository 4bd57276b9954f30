package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openinbox/inbox/shared/dynamodb"
	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// callItem is a message's phone call (inbox.Call), stored inside the message item.
type callItem struct {
	Sid        string     `dynamodbav:"sid"`
	ChannelID  string     `dynamodbav:"channelId,omitempty"`
	Direction  string     `dynamodbav:"direction"`
	From       string     `dynamodbav:"from,omitempty"`
	To         string     `dynamodbav:"to,omitempty"`
	Status     string     `dynamodbav:"status"`
	AnsweredBy string     `dynamodbav:"answeredBy,omitempty"`
	AgentPhone string     `dynamodbav:"agentPhone,omitempty"`
	Rang       []string   `dynamodbav:"rang,omitempty"`
	Answered   bool       `dynamodbav:"answered,omitempty"`
	Outcome    string     `dynamodbav:"outcome,omitempty"`
	Ended      bool       `dynamodbav:"ended,omitempty"`
	Voicemail  bool       `dynamodbav:"voicemail,omitempty"`
	Duration   int        `dynamodbav:"duration,omitempty"`
	Talk       int        `dynamodbav:"talk,omitempty"`
	Length     int        `dynamodbav:"length,omitempty"`
	Transcript string     `dynamodbav:"transcript,omitempty"`
	Lines      []lineItem `dynamodbav:"lines,omitempty"`
	Seq        int        `dynamodbav:"seq,omitempty"`
	Recordings []string   `dynamodbav:"recordings,omitempty"`
}

// lineItem is one utterance of a call's transcript (inbox.TranscriptLine).
type lineItem struct {
	Seq     int    `dynamodbav:"q"`
	Speaker string `dynamodbav:"s"`
	Text    string `dynamodbav:"t"`
}

func newCallItem(c *inbox.Call) *callItem {
	if c == nil {
		return nil
	}
	return &callItem{
		Sid: c.Sid, ChannelID: c.ChannelID, Direction: string(c.Direction), From: c.From, To: c.To, Status: string(c.Status),
		AnsweredBy: c.AnsweredBy, AgentPhone: c.AgentPhone, Rang: emptyNil(c.Rang), Answered: c.Answered, Outcome: string(c.Outcome),
		Ended: c.Ended, Voicemail: c.Voicemail, Duration: c.Duration, Talk: c.Talk, Length: c.Length, Transcript: c.Transcript,
		Seq: c.Seq, Recordings: emptyNil(c.Recordings), Lines: lineItems(c.Lines),
	}
}

func (it *callItem) domain() *inbox.Call {
	if it == nil {
		return nil
	}
	return &inbox.Call{
		Sid: it.Sid, ChannelID: it.ChannelID, Direction: inbox.Direction(it.Direction), From: it.From, To: it.To,
		Status: inbox.CallStatus(it.Status), AnsweredBy: it.AnsweredBy, AgentPhone: it.AgentPhone, Rang: it.Rang,
		Answered: it.Answered, Outcome: inbox.CallStatus(it.Outcome), Ended: it.Ended,
		Voicemail: it.Voicemail, Duration: it.Duration, Talk: it.Talk, Length: it.Length, Transcript: it.Transcript, Seq: it.Seq,
		Recordings: it.Recordings, Lines: transcriptLines(it.Lines),
	}
}

func lineItems(ls []inbox.TranscriptLine) []lineItem {
	if len(ls) == 0 {
		return nil
	}
	out := make([]lineItem, len(ls))
	for i, l := range ls {
		out[i] = lineItem{Seq: l.Seq, Speaker: l.Speaker, Text: l.Text}
	}
	return out
}

func transcriptLines(ls []lineItem) []inbox.TranscriptLine {
	if len(ls) == 0 {
		return nil
	}
	out := make([]inbox.TranscriptLine, len(ls))
	for i, l := range ls {
		out[i] = inbox.TranscriptLine{Seq: l.Seq, Speaker: l.Speaker, Text: l.Text}
	}
	return out
}

// ApplyCall merges event ev into the call logged by message msgID of conversation convID of
// account acct (inbox.Call.Apply: facts only move forward, a status callback at or below the
// last SequenceNumber applied changes nothing) and stores the result with the message's text
// (the call's summary), a recording the event brings (appended to the attachments, pending
// its copy) and update time now. It returns the message as stored and whether ev changed
// it; when the summary changed, the conversation's preview follows. The write is conditional on the call being unchanged since it was read, so concurrent
// callbacks of one call are applied one after the other; one that loses the race is applied
// again on the new state.
//
// Errors: EInvalid (malformed ids; the message logs no call), ENotFound, EUnavailable,
// EInternal.
func (s *Store) ApplyCall(ctx context.Context, acct, convID, msgID string, ev inbox.CallEvent, now time.Time) (inbox.Message, bool, error) {
	if err := checkIDs("account id", acct, "conversation id", convID, "message id", msgID); err != nil {
		return inbox.Message{}, false, err
	}
	const op = "ApplyCall"
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		it, err := s.message(ctx, op, acct, convID, msgID)
		if err != nil {
			return inbox.Message{}, false, err
		}
		if it.Call == nil {
			return inbox.Message{}, false, inbox.Errorf(inbox.EInvalid, "the message logs no call")
		}
		call := *it.Call.domain()
		changed, recording := call.Apply(ev)
		if !changed {
			return it.domain(), false, nil
		}
		m := it.domain()
		m.Call, m.Text, m.UpdatedAt = &call, call.Summary(), now.UTC()
		set := "SET #call = :call, #text = :text, #updated = :updated, #rev = :new"
		names := map[string]string{"#call": "call", "#text": "text", "#updated": "updatedAt", "#rev": "callRev"}
		values := map[string]types.AttributeValue{
			":call": value(newCallItem(&call)), ":text": str(m.Text), ":updated": value(now.UTC()),
			":new": value(it.CallRev + 1),
		}
		if recording != nil {
			// Appended, never rewritten: the media function marks earlier attachments stored
			// meanwhile, by index.
			set += ", #att = list_append(if_not_exists(#att, :none), :rec)"
			names["#att"] = "attachments"
			values[":rec"] = value([]attachmentItem{newAttachmentItem(*recording)})
			values[":none"] = &types.AttributeValueMemberL{Value: []types.AttributeValue{}}
			m.Attachments = append(m.Attachments, *recording)
		}
		cond := "attribute_not_exists(#rev)"
		if it.CallRev > 0 {
			cond = "#rev = :old"
			values[":old"] = value(it.CallRev)
		}
		_, err = s.updateItem(ctx, op, &dynamodb.UpdateItemInput{
			Key:                       key(convPK(acct, convID), messageSK(msgID)),
			UpdateExpression:          aws.String(set),
			ConditionExpression:       aws.String(cond),
			ExpressionAttributeNames:  names,
			ExpressionAttributeValues: values,
		})
		if isConditionFailed(err) {
			continue // another callback of the call was applied meanwhile: merge again.
		}
		if err != nil {
			return inbox.Message{}, false, storeError(err, "update call")
		}
		if m.Text != it.Text {
			// The conversation's preview shows the call as it is now (not older than its last
			// message: touchConversation never moves it back).
			if _, err := s.touchConversation(ctx, op, acct, convID, m, false, false); err != nil {
				return m, true, err
			}
		}
		return m, true, nil
	}
	return inbox.Message{}, false, inbox.Errorf(inbox.EUnavailable, "the call keeps changing; try again")
}

// ContactByPhone returns the contact of account acct with phone number phone.
//
// Errors: ENotFound, EInvalid (malformed account id, empty phone), EUnavailable, EInternal.
func (s *Store) ContactByPhone(ctx context.Context, acct, phone string) (inbox.Contact, error) {
	if err := checkIDs("account id", acct); err != nil {
		return inbox.Contact{}, err
	}
	if phone == "" {
		return inbox.Contact{}, inbox.Errorf(inbox.EInvalid, "phone number is required")
	}
	c, _, found, err := s.contactByLookup(ctx, "ContactByPhone", acct, lookup{pk: phonePK(acct, phone), sk: skPhone, what: "phone number"})
	if err == nil && !found {
		return inbox.Contact{}, inbox.Errorf(inbox.ENotFound, "contact not found")
	}
	return c, err
}
