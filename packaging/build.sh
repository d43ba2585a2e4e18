#!/usr/bin/env bash
# Builds the one-folder desktop bundle dist/seamline/ (run dist/seamline/seamline).
#   bash packaging/build.sh          editor + built-in AI tools, no torch (about 920 MB, 170 of them LLVM for numba)
#   bash packaging/build.sh --full   also torch/diffusers for the generative backends (needs `setup.sh --ai` first)
# Then `bash packaging/install.sh` puts it in ~/.local with a menu entry and icon.
# Uses the environment from packaging/setup.sh (.venv); PY=... picks another interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."
variant=lite
for a in "$@"; do
  case "$a" in
    --full) variant=full ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done
PY=${PY:-.venv/bin/python}
if [ ! -x "$PY" ]; then
  echo "no Python environment at $PY: run \`bash packaging/setup.sh\` first (or set PY=...)" >&2; exit 1
fi
if [ "$variant" = full ] && ! "$PY" -c "import torch, diffusers" 2>/dev/null; then
  echo "the full bundle needs torch and diffusers in $PY: run \`bash packaging/setup.sh --ai\` first" >&2; exit 1
fi
"$PY" -c "import PyInstaller" 2>/dev/null || "$PY" -m pip install -q "pyinstaller>=6.5"
SEAMLINE_BUNDLE=$variant "$PY" -m PyInstaller packaging/seamline.spec --noconfirm --log-level WARN \
  --distpath "${DISTPATH:-dist}" --workpath "${WORKPATH:-build/pyinstaller}"
out="${DISTPATH:-dist}/seamline"
"$out/seamline" --version
echo "bundle ($variant, $(du -sh "$out" | cut -f1)): $out/seamline"
