// Command custom is the Lambda function serving custom channels' ingest URL (messages and delivery statuses signed the Standard Webhooks way) behind API Gateway's HTTP API (payload 2.0).
package main

import (
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/intakefn"
)

func main() { app.ServeHTTP(intakefn.Custom) }
