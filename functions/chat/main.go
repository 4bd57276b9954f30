// Command chat is the Lambda function serving website chat channels (the widget and the public visitor API) behind API Gateway's HTTP API (payload 2.0).
package main

import (
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/chatfn"
)

func main() { app.ServeHTTP(chatfn.Build) }
