#!/usr/bin/env bash
# Draws the 1024x1024 Paydesk app icon source (icons/source.png) with ImageMagick:
# a deep-teal rounded square, a white till receipt with a zig-zag tear, and a green
# "paid" check badge. Regenerate the platform icon set afterwards with:
#   cd ui && npx tauri icon ../icons/source.png -o ../icons
set -euo pipefail
cd "$(dirname "$0")"

TEAL='#0b5f66'
TEAL_LIGHT='#9cc9cc'
GREEN='#22b45a'

# Receipt outline: flat top, straight sides, 8 tear teeth along the bottom.
left=300 right=700 top=190 bottom=770 tooth=50 depth=40
receipt="$left,$top $right,$top $right,$bottom"
x=$right
while (( x > left )); do
  receipt+=" $((x - tooth / 2)),$((bottom + depth)) $((x - tooth)),$bottom"
  x=$((x - tooth))
done

convert -size 1024x1024 xc:none \
  -fill "$TEAL" -draw 'roundrectangle 64,64 959,959 200,200' \
  -fill white -draw "polygon $receipt" \
  -fill "$TEAL_LIGHT" \
  -draw 'roundrectangle 360,270 640,302 16,16' \
  -draw 'roundrectangle 360,350 580,376 13,13' \
  -draw 'roundrectangle 360,420 600,446 13,13' \
  -draw 'roundrectangle 360,490 520,516 13,13' \
  -fill "$TEAL" \
  -draw 'roundrectangle 360,580 500,620 20,20' \
  -fill "$GREEN" -stroke "$TEAL" -strokewidth 30 \
  -draw 'circle 700,700 700,540' \
  -fill none -stroke white -strokewidth 48 \
  -draw 'stroke-linecap round stroke-linejoin round polyline 630,705 683,758 780,648' \
  -strip PNG32:source.png
