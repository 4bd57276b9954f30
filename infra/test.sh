#!/usr/bin/env bash
# make test: installs what the tests need, starts the emulators on free ports, runs go vet and
# every test, and stops what it started, whatever the outcome.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
infra/emulators/install.sh
trap 'infra/emulators/stop.sh' EXIT
eval "$(infra/emulators/start.sh)"
go vet ./...
go test -count=1 -timeout 8m "$@" ./...
# A short run of the MIME fuzzer on top of its seed corpus (make fuzz runs it longer).
go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 10s -fuzzminimizetime 2s ./shared/mail/
