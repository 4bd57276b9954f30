// Command media is the Lambda function of the media fetcher: it consumes the media queue and
// copies inbound provider media (WhatsApp media ids, Messenger attachment URLs) into the media
// bucket, marking each attachment stored or failed (SQS event source, ReportBatchItemFailures).
package main

import (
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/mediafn"
)

func main() { app.ServeQueue(mediafn.Build) }
