// Command api is the Lambda function serving the agents' and admins' REST API (/v1) behind API Gateway's HTTP API (payload 2.0).
package main

import (
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/apifn"
)

func main() { app.ServeHTTP(apifn.Build) }
