// Command forms is the Lambda function serving web form channels (the form page, upload links for file fields and submissions) behind API Gateway's HTTP API (payload 2.0).
package main

import (
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/formsfn"
)

func main() { app.ServeHTTP(formsfn.Build) }
