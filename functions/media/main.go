// Command media is the Lambda function of the media fetcher: it consumes the media queue and
// copies inbound provider media (WhatsApp media ids, Messenger attachment URLs) into the media
// bucket, marking each attachment stored or failed (SQS event source, ReportBatchItemFailures).
package main

import (
	"context"
	"log"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/lambdasqs"
)

func main() {
	ctx := context.Background()
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatalf("aws config: %v", err)
	}
	h, err := app.Media(ctx, app.FromEnv(awsCfg))
	if err != nil {
		log.Fatalf("init: %v", err)
	}
	lambda.Start(lambdasqs.Handle(slog.New(slog.NewJSONHandler(os.Stderr, nil)), h))
}
