// Command dispatch is the Lambda function of the dispatcher: it consumes the outbound FIFO queue and sends replies through the providers (SQS event source, ReportBatchItemFailures).
package main

import (
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/dispatchfn"
)

func main() { app.ServeQueue(dispatchfn.Build) }
