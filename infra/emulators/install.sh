#!/usr/bin/env bash
# Installs, idempotently, what make run and make test need beyond Go: the SQS and SES emulators (npm),
# DynamoDB Local (AWS's jar, shipped inside the npm package amplify-dynamodb-simulator) and the
# Lambda runtime interface emulator (Go), and axe-core (npm) for the browser tests. Everything lands in
# .tools/, infra/emulators/node_modules and infra/browser/node_modules.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tools="$root/.tools"
mkdir -p "$tools/bin"
# Two installs at once (two `make test` in a fresh clone) take turns instead of unpacking into
# the same folders together.
if command -v flock >/dev/null; then
  exec 9>"$tools/install.lock"
  flock 9
fi

if [ ! -d "$root/infra/emulators/node_modules/local-aws-sqs" ] || [ ! -d "$root/infra/emulators/node_modules/aws-ses-v2-local" ]; then
  echo "installing the SQS and SES emulators (npm: local-aws-sqs, aws-ses-v2-local) into infra/emulators/node_modules…" >&2
  (cd "$root/infra/emulators" && npm ci --no-audit --no-fund --silent)
fi

# axe-core, which the browser tests inject into pages to check accessibility (infra/browser).
if [ ! -f "$root/infra/browser/node_modules/axe-core/axe.min.js" ]; then
  echo "installing axe-core (npm) into infra/browser/node_modules…" >&2
  (cd "$root/infra/browser" && npm ci --no-audit --no-fund --silent)
fi

if [ ! -f "$tools/dynamodb/DynamoDBLocal.jar" ]; then
  echo "installing DynamoDB Local (AWS's jar, from the npm package amplify-dynamodb-simulator) into .tools/dynamodb…" >&2
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent amplify-dynamodb-simulator@2.9.30 >/dev/null && tar xzf amplify-dynamodb-simulator-2.9.30.tgz)
  rm -rf "$tools/dynamodb"
  mv "$tmp/package/emulator" "$tools/dynamodb"
  rm -rf "$tmp"
fi

if [ ! -x "$tools/bin/aws-lambda-rie" ]; then
  echo "installing the Lambda runtime interface emulator (go install aws-lambda-rie) into .tools/bin…" >&2
  GOBIN="$tools/bin" go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d
fi
