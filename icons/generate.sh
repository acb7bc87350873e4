#!/usr/bin/env bash
# Regenerates every icon the app ships from the two source SVGs in this folder:
#   hookbell.svg -> src-tauri/icons/* (every size, .ico, .icns; by the Tauri CLI)
#                -> src-tauri/icons/notification.png (128x128, the notifications' icon)
#   tray.svg     -> src-tauri/icons/tray.png (64x64 RGBA)
# Needs Node.js (npx) and rsvg-convert (Debian: librsvg2-bin). Run from anywhere.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out="$root/src-tauri/icons"
mkdir -p "$out"

command -v rsvg-convert >/dev/null || {
  echo "rsvg-convert is missing: apt-get install librsvg2-bin" >&2
  exit 1
}

# The Tauri CLI renders the SVG itself at every size (.png, .ico, .icns).
(cd "$root" && npx --yes @tauri-apps/cli@2 icon "$here/hookbell.svg" -o "$out")

# Mobile icons are not used: Hookbell is a desktop app.
rm -rf "$out/android" "$out/ios"

rsvg-convert -w 128 -h 128 "$here/hookbell.svg" -o "$out/notification.png"
rsvg-convert -w 64 -h 64 "$here/tray.svg" -o "$out/tray.png"

echo "icons written to $out"
