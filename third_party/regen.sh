#!/usr/bin/env bash
# Rebuilds the patched copies of third-party modules in third_party/ (see README.md there).
#
#   third_party/regen.sh         each folder = the upstream module (from the Go module cache,
#                                downloaded through the proxy when missing) + patches/<folder>.patch
#   third_party/regen.sh diff    the other way: writes patches/<folder>.patch from the folder as it
#                                is now against the upstream module (after editing a copy)
#
# modules.txt lists each folder, its module, the upstream version and the upstream paths that are
# left out of the copy (examples, commands and documents nothing here builds).
set -euo pipefail
cd "$(dirname "$0")"
mode=${1:-apply}
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT

# upstream FOLDER MODULE VERSION PRUNED...: a pruned copy of the upstream module in $tmp/FOLDER.
upstream() {
  local dir=$1 mod=$2 ver=$3
  shift 3
  local src
  src=$(cd "$tmp" && GOFLAGS=-mod=mod go mod download -json "$mod@$ver" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
  [ -d "$src" ] || { echo "regen: cannot download $mod@$ver" >&2; exit 1; }
  cp -R "$src" "$tmp/$dir"
  chmod -R u+w "$tmp/$dir"
  for p in "$@"; do rm -rf "${tmp:?}/$dir/$p"; done
}

grep -v '^#' modules.txt | while read -r dir mod ver pruned; do
  [ -n "$dir" ] || continue
  # shellcheck disable=SC2086 # pruned is a list of paths
  upstream "$dir" "$mod" "$ver" $pruned
  case $mode in
  apply)
    rm -rf "$dir"
    mv "$tmp/$dir" "$dir"
    patch -s -p1 -d "$dir" <"patches/$dir.patch"
    echo "regen: $dir = $mod@$ver + patches/$dir.patch"
    ;;
  diff)
    # Without the times diff puts on the --- and +++ lines, so that the patch changes only
    # when the change does.
    (cd "$tmp" && mv "$dir" a && cp -R "$OLDPWD/$dir" b && diff -ruN a b |
      sed -E 's/^((---|\+\+\+) [^[:space:]]+)[[:space:]].*$/\1/') >"patches/$dir.patch" || true
    rm -rf "${tmp:?}/a" "${tmp:?}/b"
    echo "regen: wrote patches/$dir.patch"
    ;;
  *)
    echo "usage: $0 [apply|diff]" >&2
    exit 2
    ;;
  esac
done
