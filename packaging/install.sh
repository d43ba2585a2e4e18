#!/usr/bin/env bash
# Installs a built bundle (packaging/build.sh) for the current user, like any desktop program:
#   the bundle in $PREFIX/lib/seamline, `seamline` on $PREFIX/bin, a menu entry and an icon.
#   bash packaging/install.sh [BUNDLE_DIR]        (default dist/seamline; PREFIX defaults to ~/.local)
#   bash packaging/install.sh --uninstall
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=${PREFIX:-$HOME/.local}
apps="$PREFIX/share/applications"; icons="$PREFIX/share/icons/hicolor"; mime="$PREFIX/share/mime"
if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$PREFIX/lib/seamline" "$PREFIX/bin/seamline" "$apps/seamline.desktop" \
    "$icons/256x256/apps/seamline.png" "$icons/scalable/apps/seamline.svg" "$mime/packages/seamline.xml"
  command -v update-mime-database >/dev/null 2>&1 && update-mime-database "$mime" || true
  echo "Seamline removed from $PREFIX"; exit 0
fi
bundle=${1:-dist/seamline}
[ -x "$bundle/seamline" ] || { echo "no bundle at $bundle: run \`bash packaging/build.sh\` first" >&2; exit 1; }
mkdir -p "$PREFIX/lib" "$PREFIX/bin" "$apps" "$icons/256x256/apps" "$icons/scalable/apps" "$mime/packages"
rm -rf "$PREFIX/lib/seamline.new"
cp -a "$bundle" "$PREFIX/lib/seamline.new"
rm -rf "$PREFIX/lib/seamline" && mv "$PREFIX/lib/seamline.new" "$PREFIX/lib/seamline"
ln -sfn "$PREFIX/lib/seamline/seamline" "$PREFIX/bin/seamline"
sed "s|^Exec=seamline|Exec=$PREFIX/bin/seamline|" packaging/seamline.desktop > "$apps/seamline.desktop"
cp resources/seamline.png "$icons/256x256/apps/seamline.png"
cp resources/seamline.svg "$icons/scalable/apps/seamline.svg"
cp packaging/seamline-mime.xml "$mime/packages/seamline.xml"  # *.seam projects open in Seamline
command -v update-mime-database >/dev/null 2>&1 && update-mime-database "$mime" || true
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" || true
echo "Seamline installed: $PREFIX/bin/seamline (menu: Sound & Video > Seamline)"
