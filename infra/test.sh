#!/usr/bin/env bash
# make test: installs what the tests need, starts the emulators on free ports, runs go vet and
# every test, and stops what it started, whatever the outcome. The template is linted
# (infra/cfnlint.sh) while the Go tests run; a finding fails the run at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
lintlog=$(mktemp)
infra/cfnlint.sh >"$lintlog" 2>&1 &
lint=$!
trap 'rm -f "$lintlog"' EXIT
infra/emulators/install.sh
# Debian's chromium for the browser tests (infra/browser), when it is missing and apt-get can.
infra/browser/install.sh
# A run folder of its own, so that a second `make test` at the same time keeps its emulators.
mkdir -p .tools/run
EMULATORS_RUN=$(mktemp -d "$root/.tools/run/XXXXXX")
export EMULATORS_RUN
trap 'infra/emulators/stop.sh "$EMULATORS_RUN"; rm -f "$lintlog"' EXIT
eval "$(infra/emulators/start.sh)"
# The patched copies in third_party/ are modules of their own, outside ./...: their upstream
# tests run here, under the import paths that go.mod's replace points at them
# (third_party/README.md).
third_party="github.com/microcosm-cc/bluemonday/... github.com/gorilla/css/... github.com/olekukonko/tablewriter/pkg/twwidth github.com/olekukonko/errors/... golang.org/x/net/html/..."
# go vet covers our code only: upstream's own findings (errors copies a lock) are not ours to mend.
go vet ./...
# The timeout only ends a hung test: on a machine busy with other work a package can take
# several times its usual minute or two.
# shellcheck disable=SC2086 # a list of packages
go test -count=1 -timeout 20m "$@" ./... $third_party
# A short run of the MIME fuzzer on top of its seed corpus (make fuzz runs it longer).
go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 10s -fuzzminimizetime 2s ./shared/mailparse/
# The template's lint, started above.
if wait "$lint"; then
  cat "$lintlog"
else
  cat "$lintlog"
  echo "cfn-lint: template.yaml has findings (above); run cfn-lint in the repository's root" >&2
  exit 1
fi
