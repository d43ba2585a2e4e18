#!/usr/bin/env bash
# Regenerates resources/screenshot.png: the editor with the demo project, in a real window under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
out=${1:-resources/screenshot.png}
tmp=$(mktemp -d)
Xvfb :97 -screen 0 1600x1000x24 >/dev/null 2>&1 &
xpid=$!
trap 'kill $xpid 2>/dev/null; rm -rf "$tmp"' EXIT
sleep 1
DISPLAY=:97 SEAMLINE_DATA="$tmp/data" SEAMLINE_QUIT_AFTER=20 SEAMLINE_SCREENSHOT="$out" \
  "$PY" main.py --demo "$tmp/demo"
echo "$out"
