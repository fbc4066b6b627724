#!/usr/bin/env bash
# Renders a corpus's report.html, and its dataset card (README.md, as a Markdown viewer shows it:
# docs/card_html.py), in headless Chromium (Debian's `chromium`) into docs/report.png and docs/card.png,
# whole: a window taller than any page, then the blank rows below it cut off (Pillow, which matplotlib
# brings). `make screenshots` runs it after `make corpus`.
set -euo pipefail
report=${1:-out/sample/report.html}
python=${PYTHON:-.venv/bin/python}
command -v chromium >/dev/null || { echo "needs chromium: apt-get install chromium"; exit 2; }
profile=$(mktemp -d)
card_page="$profile/card.html"
"$python" docs/card_html.py "$(dirname "$report")/README.md" "$card_page"

shoot() {  # page, png, width
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --user-data-dir="$profile/chromium" --hide-scrollbars \
        --window-size="$3",16000 --screenshot="$2" "file://$(readlink -f "$1")" 2>/dev/null
    "$python" - "$2" <<'PY'
import sys

from PIL import Image, ImageChops

image = Image.open(sys.argv[1]).convert("RGB")
background = Image.new("RGB", image.size, image.getpixel((image.width - 1, image.height - 1)))
box = ImageChops.difference(image, background).getbbox()
if box:  # down to the page's last row, with a margin
    image.crop((0, 0, image.width, min(image.height, box[3] + 24))).save(sys.argv[1], optimize=True)
PY
    echo "$2"
}
shoot "$report" docs/report.png 1100
shoot "$card_page" docs/card.png 1000
rm -rf "$profile"
