#!/usr/bin/env bash
# Stops the emulators that start.sh started.
root=$(cd "$(dirname "$0")/../.." && pwd)
for f in "$root"/.tools/run/*.pid; do
  [ -f "$f" ] || continue
  kill "$(cat "$f")" 2>/dev/null || true
  rm -f "$f"
done
