// Package inbox holds the domain of the conversations inbox: accounts' inboxes, channels,
// contacts, conversations and messages, the versioned envelopes that travel on the inbound and
// outbound queues, and the coded errors every layer returns.
//
// The pipeline of an inbound message, and the package of each step:
//
//	intake       shared/intake (+ codecs twilio, meta, mail): verify the webhook, normalize it
//	             into an Envelope
//	inbound      shared/sqsqueue: the inbound FIFO queue, one group per account/channel/contact
//	write        shared/router: contact, conversation and message stored exactly once
//	routing      shared/assign (rules decided by shared/routing): assign or wait
//	API          shared/httpapi: agents read and reply; replies go through the outbound queue to
//	             shared/dispatch and the provider
//
// What differs between channel types is in their kinds (shared/channel, shared/channels).
//
// It imports no AWS package. Adapters (shared/dynamo, shared/sqsqueue, shared/twilio…) translate
// between these types and their dependency; services (shared/router, shared/dispatch,
// shared/httpapi, shared/intake) declare the small interfaces they need next to where they use them.
package inbox
