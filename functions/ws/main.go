// Command ws is the Lambda function behind the WebSocket API's routes ($connect, $disconnect, $default): it authorises and records connections and answers their frames.
package main

import (
	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/app/realtimefn"
)

func main() { app.ServeWebSocket(realtimefn.WS) }
