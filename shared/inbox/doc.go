// Package inbox holds the domain of the conversations inbox: accounts' inboxes, channels,
// contacts, conversations and messages, the versioned envelopes that travel on the inbound and
// outbound queues, and the coded errors every layer returns.
//
// It imports no AWS package. Adapters (shared/dynamo, shared/sqsqueue, shared/twilio…) translate
// between these types and their dependency; services (shared/router, shared/dispatch,
// shared/httpapi, shared/intake) declare the small interfaces they need next to where they use them.
package inbox
