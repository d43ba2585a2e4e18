#!/usr/bin/env bash
# The everyday editing flow, step by step in a real window under Xvfb, one screenshot per step (see
# packaging/walkthrough.py for the steps). Usage: bash packaging/walkthrough.sh [OUT_DIR] [--readme]
#   --readme: copy the last screenshot to resources/walkthrough.png (shown in the README)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
out=${1:-/tmp/seamline-walkthrough}
disp=:96
Xvfb $disp -screen 0 1600x1000x24 >/dev/null 2>&1 &
xpid=$!
trap 'kill $xpid 2>/dev/null' EXIT
sleep 1
DISPLAY=$disp QT_QPA_PLATFORM=xcb SEAMLINE_AUDIO=off "$PY" packaging/walkthrough.py "$out"
if [[ "${2:-}" == "--readme" ]]; then
  cp "$(ls "$out"/*.png | sort | tail -1)" resources/walkthrough.png
  echo resources/walkthrough.png
fi
