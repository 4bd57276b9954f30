#!/usr/bin/env bash
# Stops the emulators that start.sh started: those of the run folder given as $1 or in
# EMULATORS_RUN (what start.sh printed), or, with neither, those of every run folder.
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-${EMULATORS_RUN:-}}
if [ -n "$dir" ]; then dirs=("$dir"); else dirs=("$root"/.tools/run/*/ "$root/.tools/run"); fi
for d in "${dirs[@]}"; do
  for f in "$d"/*.pid; do
    [ -f "$f" ] || continue
    kill "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
  [ "$d" = "$root/.tools/run" ] || rm -rf "$d"
done
