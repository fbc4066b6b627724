#!/usr/bin/env bash
# Renders out/sample/report.html in headless Chromium (Debian's `chromium`) into docs/report.png, whole:
# a window taller than any report, then the blank rows below the page cut off (Pillow, which matplotlib
# brings). `make screenshots` runs it after `make corpus`.
set -euo pipefail
report=${1:-out/sample/report.html}
python=${PYTHON:-.venv/bin/python}
command -v chromium >/dev/null || { echo "needs chromium: apt-get install chromium"; exit 2; }
profile=$(mktemp -d)
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars \
    --window-size=1100,16000 --screenshot=docs/report.png "file://$(readlink -f "$report")" 2>/dev/null
rm -rf "$profile"
"$python" - <<'PY'
from PIL import Image, ImageChops

image = Image.open("docs/report.png").convert("RGB")
background = Image.new("RGB", image.size, image.getpixel((image.width - 1, image.height - 1)))
box = ImageChops.difference(image, background).getbbox()
if box:  # down to the page's last row, with a margin
    image.crop((0, 0, image.width, min(image.height, box[3] + 24))).save("docs/report.png", optimize=True)
PY
echo docs/report.png
