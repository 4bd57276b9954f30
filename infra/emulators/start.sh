#!/usr/bin/env bash
# Starts DynamoDB Local, the SQS emulator and the SES emulator on free loopback ports and prints
# the environment that tests read (eval "$(infra/emulators/start.sh)"). PIDs go to .tools/run/*.pid
# so that stop.sh can end exactly what was started.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tools="$root/.tools"
run="$tools/run"
mkdir -p "$run"

freeport() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
waitport() {
  for _ in $(seq 1 200); do
    if curl -s -o /dev/null "http://127.0.0.1:$1/"; then return 0; fi
    sleep 0.1
  done
  echo "emulator on port $1 did not start; see $run/*.log" >&2
  return 1
}

ddb_port=$(freeport)
(cd "$tools/dynamodb" && exec java -Djava.library.path=DynamoDBLocal_lib -jar DynamoDBLocal.jar -inMemory -port "$ddb_port" >"$run/dynamodb.log" 2>&1) &
echo $! >"$run/dynamodb.pid"

sqs_port=$(freeport)
(cd "$root/infra/emulators" && exec node sqs-server.js "$sqs_port" >"$run/sqs.log" 2>&1) &
echo $! >"$run/sqs.pid"

ses_port=$(freeport)
(cd "$root/infra/emulators" && exec node ses-server.js "$ses_port" >"$run/ses.log" 2>&1) &
echo $! >"$run/ses.pid"

waitport "$ddb_port"
waitport "$sqs_port"
waitport "$ses_port"
echo "export DYNAMODB_ENDPOINT=http://127.0.0.1:$ddb_port"
echo "export SQS_ENDPOINT=http://127.0.0.1:$sqs_port"
echo "export SES_ENDPOINT=http://127.0.0.1:$ses_port"
echo "export LAMBDA_RIE=$tools/bin/aws-lambda-rie"
