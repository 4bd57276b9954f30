// Command email is the Lambda function of the team email channels: an SES receipt rule stores
// inbound mail in the raw mail bucket and invokes it asynchronously; it parses the message,
// stores its attachments and queues one envelope per email channel addressed (retried, then
// sent to its dead-letter queue, on failure).
package main

import (
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/emailfn"
)

func main() { app.ServeEmail(emailfn.Build) }
