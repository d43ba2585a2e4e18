#!/usr/bin/env bash
# Sets Seamline up on a fresh Debian/Ubuntu machine: system libraries (when run as root or with sudo) and a
# virtual environment in .venv with everything the editor needs.
#   bash packaging/setup.sh          the editor (built-in AI tools work without torch)
#   bash packaging/setup.sh --ai     plus torch/diffusers for the generative backends
#   bash packaging/setup.sh --dev    plus the test tools (and the AI stack, CPU torch) for running the tests
set -euo pipefail
cd "$(dirname "$0")/.."
want_ai=0; want_dev=0
for a in "$@"; do
  case "$a" in
    --ai) want_ai=1 ;;
    --dev) want_dev=1; want_ai=1 ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done

APT_PKGS="ffmpeg sox xvfb xdotool imagemagick libpulse0 libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3
 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-xkb1 libxcb-xfixes0 libxcb-shm0 libxcb-sync1 libxrender1 libxi6
 libnss3 libasound2 fonts-noto-cjk fonts-noto-color-emoji espeak-ng"
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  if [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >/dev/null
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $APT_PKGS >/dev/null
  else
    echo "note: not root and no sudo; install these system packages yourself: $APT_PKGS" >&2
  fi
fi

PY=${PYTHON:-python3}
[ -d .venv ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
if [ "$want_ai" = 1 ]; then
  # 2.13.0 is a CPU build on the project's machines; on a GPU machine install the CUDA build of torch first.
  .venv/bin/python -c "import torch" 2>/dev/null || .venv/bin/pip install -q "torch==2.13.0"
fi
extras=""
[ "$want_ai" = 1 ] && extras="ai"
[ "$want_dev" = 1 ] && extras="ai,dev"
if [ -n "$extras" ]; then
  .venv/bin/pip install -q -e ".[${extras}]"
else
  .venv/bin/pip install -q -e .
fi
echo "Seamline is set up in .venv"
