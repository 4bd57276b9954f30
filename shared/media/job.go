package media

import (
	"strconv"

	"github.com/openinbox/inbox/shared/inbox"
)

// JobVersion is the version of the media job this code writes. Fetchers refuse other versions
// (the job ends in the dead-letter queue rather than being misread).
const JobVersion = 1

// Job asks the media function to copy one attachment of a stored inbound message into the
// bucket. It travels as JSON on a standard SQS queue: jobs are independent, so order does not
// matter, and a duplicate delivery finds the attachment stored and does nothing.
type Job struct {
	V              int    `json:"v"`
	AccountID      string `json:"accountId"`
	ConversationID string `json:"conversationId"`
	MessageID      string `json:"messageId"`
	// Index is the attachment's position in the message's Attachments.
	Index int `json:"index"`
	// ChannelID is the channel the message came in on, whose provider serves the file.
	ChannelID string `json:"channelId"`
}

// GroupKey is the account: the message group to give when the queue groups by tenant (fair
// queues), so that one account's burst of media does not delay the others'.
func (j Job) GroupKey() string { return j.AccountID }

// DedupKey names the attachment: a double enqueue of the same attachment is the same job.
func (j Job) DedupKey() string {
	return j.AccountID + "/" + j.ConversationID + "/" + j.MessageID + "/" + strconv.Itoa(j.Index)
}

// Validate reports an EInvalid error when the version is unknown or a field is missing.
func (j Job) Validate() error {
	switch {
	case j.V != JobVersion:
		return inbox.Errorf(inbox.EInvalid, "unsupported media job version %d", j.V)
	case j.AccountID == "" || j.ConversationID == "" || j.MessageID == "" || j.ChannelID == "":
		return inbox.Errorf(inbox.EInvalid, "media job without account, conversation, message or channel")
	case j.Index < 0:
		return inbox.Errorf(inbox.EInvalid, "media job with a negative attachment index")
	}
	return nil
}

// StorageKey is where the attachment's copy is kept in the bucket:
// {account}/{conversation}/{message}/{index}.
func (j Job) StorageKey() string { return j.DedupKey() }

// NeedsFetch reports whether a is provider media still to be copied: pending, with a media id
// or a URL to fetch it from.
func NeedsFetch(a inbox.Attachment) bool {
	return a.MediaStatus == inbox.MediaPending && (a.MediaID != "" || a.URL != "")
}

// Jobs returns the jobs of m's attachments that need a fetch (see NeedsFetch), for a message
// that came in on channel channelID.
func Jobs(m inbox.Message, channelID string) []Job {
	var jobs []Job
	for i, a := range m.Attachments {
		if NeedsFetch(a) {
			jobs = append(jobs, Job{V: JobVersion, AccountID: m.AccountID, ConversationID: m.ConversationID,
				MessageID: m.ID, Index: i, ChannelID: channelID})
		}
	}
	return jobs
}
