// Command router is the Lambda function of the router: it consumes the inbound FIFO queue and stores contacts, conversations and messages (SQS event source, ReportBatchItemFailures).
package main

import (
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/routerfn"
)

func main() { app.ServeQueue(routerfn.Build) }
