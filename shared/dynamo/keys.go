package dynamo

// Every key builder of the table is in this file, in the order of the key table in doc.go.

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/openinbox/inbox/shared/dynamodb/types"
	"github.com/openinbox/inbox/shared/inbox"
)

// Attribute names of the keys.
const (
	attrPK = "pk"
	attrSK = "sk"
	// attrListSK is the sort key of the conversation lists (gsi2..gsi4), listSK.
	attrListSK = "lsk"
)

// unassigned stands for "no assignee" in the partition key of the assignee list (gsi2).
const unassigned = "-"

// Sort keys and prefixes.
const (
	skChannel     = "CH"
	skProviderKey = "PK"
	skContact     = "CT"
	skPhone       = "PHONE"
	skPSID        = "PSID"
	skEmail       = "EMAIL"
	skUnverified  = "UNVERIFIED"
	skConv        = "CV"
	skOpen        = "OPEN"
	skLastClosed  = "LAST"
	skProviderMsg = "PM"
	skNotice      = "NOTICE"
	prefixInbox   = "IB#"
	prefixMessage = "M#"
	prefixUser    = "USER#"
	prefixTeam    = "TEAM#"
	prefixTicket  = "TICKET#"
)

// pkWaitingAccounts is the partition of the waiting-account markers, the deployment-wide list
// of accounts that may have waiting conversations: the scheduled drain (shared/assign.Scheduler)
// starts from nothing but the clock, so it cannot build a key with an account id in it.
const pkWaitingAccounts = "WAITING"

func accountPK(acct string) string                       { return "A#" + acct }
func inboxSK(id string) string                           { return prefixInbox + id }
func channelPK(id string) string                         { return "CH#" + id }
func channelsGSI1PK(acct string) string                  { return "A#" + acct + "#CHANNELS" }
func providerKeyPK(t inbox.ChannelType, k string) string { return "PK#" + string(t) + "#" + k }
func contactPK(acct, id string) string                   { return "A#" + acct + "#CT#" + id }
func phonePK(acct, e164 string) string                   { return "A#" + acct + "#PHONE#" + e164 }
func psidPK(acct, psid string) string                    { return "A#" + acct + "#PSID#" + psid }
func emailPK(acct, email string) string                  { return "A#" + acct + "#EMAIL#" + strings.ToLower(email) }
func convPK(acct, id string) string                      { return "A#" + acct + "#CV#" + id }

// unverifiedPK is the lookup of the contact that unauthenticated mail from email is filed under,
// apart from the verified contact of the same address (emailPK).
func unverifiedPK(acct, email string) string {
	return "A#" + acct + "#UNVERIFIED#" + strings.ToLower(email)
}
func openPK(acct, inboxID, contactID string, threadKey ...string) string {
	pk := "A#" + acct + "#OPEN#" + inboxID + "#" + contactID
	if len(threadKey) > 0 && threadKey[0] != "" {
		// Thread keys are Message-IDs: any characters, any length. A hash keeps the key safe.
		sum := sha256.Sum256([]byte(threadKey[0]))
		pk += "#T#" + hex.EncodeToString(sum[:16])
	}
	return pk
}
func messageSK(id string) string { return prefixMessage + id }
func userSK(id string) string    { return prefixUser + id }
func teamSK(id string) string    { return prefixTeam + id }
func ticketSK(id string) string  { return prefixTicket + id }

// waitPK is the partition of channel channelID's waiting queue.
func waitPK(acct, channelID string) string { return "A#" + acct + "#WAIT#" + channelID }

// waitSK is the sort key of a waiting conversation: arrival order, the id breaking ties.
func waitSK(arrivedAt time.Time, convID string) string { return timeSK(arrivedAt, convID) }

// waitingAccountSK is the sort key of account acct's marker in pkWaitingAccounts.
func waitingAccountSK(acct string) string { return "A#" + acct }

// noticePK is the partition key of the marker of notice name of account acct.
func noticePK(acct, name string) string { return "A#" + acct + "#NOTICE#" + name }
func providerMsgPK(acct, channelID, providerID string) string {
	return "A#" + acct + "#PM#" + channelID + "#" + providerID
}

func convInboxPK(acct, inboxID string, st inbox.ConversationStatus) string {
	return "A#" + acct + "#IB#" + inboxID + "#" + string(st)
}

func convAssigneePK(acct, assigneeID string, st inbox.ConversationStatus) string {
	if assigneeID == "" {
		assigneeID = unassigned
	}
	return "A#" + acct + "#AS#" + assigneeID + "#" + string(st)
}

func convStatusPK(acct string, st inbox.ConversationStatus) string {
	return "A#" + acct + "#ST#" + string(st)
}

// listStep is the step of the conversation lists' order. A conversation's place in the lists
// (lsk, the sort key of gsi2..gsi4) is the quarter hour of its contact's last message (of its
// creation while the contact has not written: listTime), not the instant: the messages of one
// quarter hour write the same lsk, so that they cost the indexes nothing (their entries hold
// keys only); only the first message of a later quarter hour moves the conversation up, a
// delete and a put in each of the three indexes (6 WCU). With a minute the move came with nearly
// every message of a conversation whose messages are minutes apart (9 WCU a message instead of
// 3); with a quarter hour, messages a minute apart cost 3.4 WCU on average and two minutes apart
// 3.8. ListConversations sorts each page by the exact listTime, so that the step shows only
// where a page ends within a quarter hour.
//
// The team's own messages (replies, notes) never move a conversation: a list stays where it was
// while an agent works through it (answering the top conversation does not reshuffle the list
// under the agent's cursor), a contact who writes again comes up, and a reply costs no index
// write whatever its time (2 WCU instead of 8 a quarter hour after the last message).
const listStep = 15 * time.Minute

// listSK is a conversation's sort key in the lists: the step of its listTime, then its id.
func listSK(listTime time.Time, convID string) string {
	return timeSK(listTime.UTC().Truncate(listStep), convID)
}

// listTime is the time that orders conversation c in the lists (listStep): its contact's last
// message, or its creation when that is later (a conversation the team started).
func listTime(c inbox.Conversation) time.Time {
	if c.LastInboundAt.After(c.CreatedAt) {
		return c.LastInboundAt
	}
	return c.CreatedAt
}

// timeSK is the sort key of an item listed by time: sortable time, then the id to break ties.
func timeSK(t time.Time, id string) string { return inbox.SortableTime(t) + "#" + id }

// The live channel's keys (realtime.go): a connection by id, the audiences, the event log.
func connectionPK(id string) string { return "WS#" + id }

// audiencePK is the partition of the connections that hear about an account (agents, convID
// empty) or about one conversation (its visitors).
func audiencePK(acct, convID string) string {
	if convID == "" {
		return "A#" + acct + "#WS"
	}
	return "A#" + acct + "#WS#CV#" + convID
}
func eventsPK(acct string) string { return "A#" + acct + "#EV" }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

// checkIDs returns EInvalid when one of the named ids is empty or contains '#', the separator
// of the keys: an id with '#' could otherwise reach into another account's keys.
func checkIDs(nameValue ...string) error {
	for i := 0; i+1 < len(nameValue); i += 2 {
		name, v := nameValue[i], nameValue[i+1]
		if v == "" {
			return inbox.Errorf(inbox.EInvalid, "%s is required", name)
		}
		if strings.Contains(v, "#") {
			return inbox.Errorf(inbox.EInvalid, "%s must not contain '#'", name)
		}
	}
	return nil
}
