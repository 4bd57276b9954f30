#!/usr/bin/env bash
# make bench: the benchmarks on the real emulators — intake throughput and latency, DynamoDB
# capacity units per inbound message, Lambda cold start and warm invoke under the runtime
# interface emulator, and the CPU-only codec paths; then the cost per million inbound messages
# computed from those figures (infra/cost, prices in infra/cost/prices.go). BENCHTIME overrides
# -benchtime; the raw output is kept in .tools/run/bench.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
infra/emulators/install.sh
# A run folder of its own, so that a second `make test` at the same time keeps its emulators.
mkdir -p .tools/run
EMULATORS_RUN=$(mktemp -d "$root/.tools/run/XXXXXX")
export EMULATORS_RUN
trap 'infra/emulators/stop.sh "$EMULATORS_RUN"' EXIT
eval "$(infra/emulators/start.sh)"
out="$root/.tools/run/bench.txt"
go test -run '^$' -bench . -benchmem -benchtime "${BENCHTIME:-200x}" ./... "$@" | tee "$out"
go run ./infra/cost <"$out"
