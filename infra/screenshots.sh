#!/usr/bin/env bash
# make screenshots: the README's screenshots of the agents' app and the chat widget
# (docs/screenshots/*.png), taken in chromium from the runner with demo data
# (infra/localrun/screenshots_test.go, build tag screenshots; not part of make test).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
infra/emulators/install.sh
infra/browser/install.sh
mkdir -p .tools/run
EMULATORS_RUN=$(mktemp -d "$root/.tools/run/XXXXXX")
export EMULATORS_RUN
trap 'infra/emulators/stop.sh "$EMULATORS_RUN"' EXIT
eval "$(infra/emulators/start.sh)"
go test -count=1 -tags screenshots -run '^TestScreenshots$' -v ./infra/localrun/ | grep -E '^(=== RUN|--- |\s+screenshots_test|ok|FAIL)'
