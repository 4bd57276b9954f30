// Command realtime is the Lambda function fed by the table's DynamoDB Stream: committed writes become events pushed to the WebSocket connections that hear about them.
package main

import (
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/realtimefn"
)

func main() { app.ServeStream(realtimefn.Stream) }
