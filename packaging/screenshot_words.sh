#!/usr/bin/env bash
# Regenerates resources/screenshot-words.png (a lower third, a captions track, the transport bar) under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
tmp=$(mktemp -d)
Xvfb :96 -screen 0 1600x1000x24 >/dev/null 2>&1 &
xpid=$!
trap 'kill $xpid 2>/dev/null; rm -rf "$tmp"' EXIT
sleep 1
DISPLAY=:96 QT_QPA_PLATFORM=xcb SEAMLINE_DATA="$tmp/data" SEAMLINE_AUDIO=none "$PY" packaging/screenshot_words.py "$@"
