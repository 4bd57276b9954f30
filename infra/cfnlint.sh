#!/usr/bin/env bash
# Lints template.yaml as a deploy would read it: cfn-lint (which runs the SAM translator first)
# with the settings in .cfnlintrc.yaml (informational checks included, every region the README
# supports). Any finding fails. Where cfn-lint is missing it tries to install it into .tools/;
# if that cannot work (no PyPI), it says how to get it and skips, except under CI=true, where it fails.
# With --install it only installs cfn-lint into .tools/cfn-lint (exit 1 when it cannot).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
want=1.51.0

venv="$root/.tools/cfn-lint"
# install puts cfn-lint (and the SAM translator it runs) into a virtual environment of its own
# under .tools/ (Debian's Python refuses pip install --user, PEP 668), one installer at a time:
# make test runs this script beside the Go tests, whose SAM translator test calls it too.
install() {
  mkdir -p "$root/.tools"
  exec 9>"$root/.tools/cfn-lint.lock"
  flock 9
  if [ ! -x "$venv/bin/cfn-lint" ] && command -v python3 >/dev/null 2>&1; then
    echo "cfn-lint: installing cfn-lint==$want into .tools/cfn-lint" >&2
    python3 -m venv "$venv" >&2 && "$venv/bin/pip" install --quiet --retries 1 --timeout 15 "cfn-lint==$want" >&2 || rm -rf "$venv"
  fi
  flock -u 9
}
if [ "${1:-}" = --install ]; then
  # Only install into .tools/cfn-lint; its Python has samtranslator (infra/samtemplate's test).
  install
  [ -x "$venv/bin/python" ]
  exit
fi
[ -x "$venv/bin/cfn-lint" ] && PATH="$venv/bin:$PATH"
if ! command -v cfn-lint >/dev/null 2>&1; then
  install
  [ -x "$venv/bin/cfn-lint" ] && PATH="$venv/bin:$PATH"
fi
if ! command -v cfn-lint >/dev/null 2>&1; then
  cat >&2 <<MSG
################################################################################
cfn-lint is NOT installed: template.yaml was NOT linted.
Install it (Python 3.9+): pip install cfn-lint==$want   (or: pipx install cfn-lint, brew install cfn-lint)
then run make test again, or just: cfn-lint   (in the repository's root)
################################################################################
MSG
  if [ "${CI:-}" = true ]; then
    echo "cfn-lint: CI=true: the template must be linted; failing." >&2
    exit 1
  fi
  exit 0
fi
echo "cfn-lint $(cfn-lint --version | awk '{print $2}'): template.yaml in $(grep -c '^  - [a-z]*-[a-z]*-[0-9]' .cfnlintrc.yaml) regions, informational checks included" >&2
cfn-lint
