#!/usr/bin/env bash
# Renders out/sample/report.html in headless Chromium (Debian's `chromium`) into docs/report.png.
# `make screenshots` runs it after `make corpus`.
set -euo pipefail
report=${1:-out/sample/report.html}
command -v chromium >/dev/null || { echo "needs chromium: apt-get install chromium"; exit 2; }
profile=$(mktemp -d)
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars \
    --window-size=1100,4200 --screenshot=docs/report.png "file://$(readlink -f "$report")" 2>/dev/null
rm -rf "$profile"
echo docs/report.png
