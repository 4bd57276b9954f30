#!/usr/bin/env bash
# make load: the load test (BenchmarkLoad in infra/localrun) on the real emulators. Accounts ×
# contacts send signed SMS through the webhooks from LOAD_SENDERS concurrent senders with 10%
# resent duplicates; every message is then checked stored exactly once and in order per
# conversation through the API, nothing dead-lettered. It reports webhooks accepted/s, their p99
# latency and the drain time for each store (LOAD_STORES: data-dir = make run's DynamoDB Local on
# a data folder, dynamodb-local = in memory, embedded = minidyn).
#   make load                                   # 10 accounts × 60 contacts, 3,000 messages, 16 senders
#   LOAD_MESSAGES=10000 LOAD_STORES=data-dir make load
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
infra/emulators/install.sh
trap 'infra/emulators/stop.sh' EXIT
eval "$(infra/emulators/start.sh)"
LOAD=1 go test -run '^$' -bench '^BenchmarkLoad$' -benchtime 1x -timeout 90m ./infra/localrun/ "$@"
# The router's cost per message once the table holds LOAD_SIZES messages (default 100 and 2,000).
LOAD=1 go test -run '^$' -bench '^BenchmarkRouterAtSize$' -benchtime "${SIZE_BENCHTIME:-100x}" -timeout 90m ./infra/localrun/ "$@"
