#!/usr/bin/env bash
# make bench: the benchmarks on the real emulators — intake throughput and latency, DynamoDB
# capacity units per inbound message, Lambda cold start and warm invoke under the runtime
# interface emulator, and the CPU-only codec paths. BENCHTIME overrides -benchtime.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
infra/emulators/install.sh
trap 'infra/emulators/stop.sh' EXIT
eval "$(infra/emulators/start.sh)"
go test -run '^$' -bench . -benchmem -benchtime "${BENCHTIME:-200x}" ./... "$@"
