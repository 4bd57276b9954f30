#!/usr/bin/env bash
# Starts DynamoDB Local, the SQS emulator and the SES emulator on free loopback ports and prints
# the environment that tests read (eval "$(infra/emulators/start.sh)"). PIDs and logs go to a run
# folder of their own (EMULATORS_RUN, a new folder under .tools/run unless set), so that stop.sh
# ends exactly what this start started, also when two `make test` run at once.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tools="$root/.tools"
mkdir -p "$tools/run"
run=${EMULATORS_RUN:-$(mktemp -d "$tools/run/XXXXXX")}
mkdir -p "$run"

freeport() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

# launch NAME starts emulator NAME on a free port, recorded in $run/NAME.port and NAME.pid.
launch() {
  local port
  port=$(freeport)
  echo "$port" >"$run/$1.port"
  case $1 in
  dynamodb) (cd "$tools/dynamodb" && exec java -Djava.library.path=DynamoDBLocal_lib -jar DynamoDBLocal.jar -inMemory -port "$port" >"$run/dynamodb.log" 2>&1) & ;;
  sqs) (cd "$root/infra/emulators" && exec node sqs-server.js "$port" >"$run/sqs.log" 2>&1) & ;;
  ses) (cd "$root/infra/emulators" && exec node ses-server.js "$port" >"$run/ses.log" 2>&1) & ;;
  esac
  echo $! >"$run/$1.pid"
}

# ready NAME waits until emulator NAME answers HTTP on its port. The limit is generous
# (START_TIMEOUT seconds, 180 by default) because a loaded machine starts a JVM slowly. An
# emulator that exits (its port, free a moment before, was taken meanwhile) is started again on
# another port, twice at most, instead of using up the limit.
ready() {
  local deadline=$((SECONDS + ${START_TIMEOUT:-180})) tries=1
  while ((SECONDS < deadline)); do
    if curl -s -m 5 -o /dev/null "http://127.0.0.1:$(cat "$run/$1.port")/"; then return 0; fi
    if ! kill -0 "$(cat "$run/$1.pid")" 2>/dev/null; then
      if ((tries == 3)); then
        echo "$1 exited before listening, $tries times:" >&2
        tail -n 20 "$run/$1.log" >&2
        return 1
      fi
      tries=$((tries + 1))
      launch "$1"
    fi
    sleep 0.2
  done
  echo "$1 did not answer within ${START_TIMEOUT:-180}s:" >&2
  tail -n 20 "$run/$1.log" >&2
  return 1
}

launch dynamodb
launch sqs
launch ses
# On a failure, nothing started here is left running (the log was shown).
ready dynamodb && ready sqs && ready ses || { "$root/infra/emulators/stop.sh" "$run"; exit 1; }
echo "export EMULATORS_RUN=$run"
echo "export DYNAMODB_ENDPOINT=http://127.0.0.1:$(cat "$run/dynamodb.port")"
echo "export SQS_ENDPOINT=http://127.0.0.1:$(cat "$run/sqs.port")"
echo "export SES_ENDPOINT=http://127.0.0.1:$(cat "$run/ses.port")"
echo "export LAMBDA_RIE=$tools/bin/aws-lambda-rie"
