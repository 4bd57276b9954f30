// Command messenger is the Lambda function serving the Facebook Messenger intake (verification handshake and signed events) behind API Gateway's HTTP API (payload 2.0).
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/openinbox/inbox/shared/app"
)

func main() {
	ctx := context.Background()
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatalf("aws config: %v", err)
	}
	h, err := app.MessengerIntake(ctx, app.FromEnv(awsCfg))
	if err != nil {
		log.Fatalf("init: %v", err)
	}
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}
