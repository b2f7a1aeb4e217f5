#!/usr/bin/env bash
# Render a plan's board report so a person can look at it:
#   the DOCX to PDF with LibreOffice (headless), and the HTML to PNG with headless Chromium.
# Usage: scripts/render_report.sh PLAN [OUTDIR]
# Needs: apt-get install libreoffice-writer chromium  (Debian package names)
set -euo pipefail
plan="${1:?usage: scripts/render_report.sh PLAN [OUTDIR]}"
out="${2:-out}"
mkdir -p "$out"

engagebot report --plan "$plan" --format docx --out "$out/$plan-report.docx"
engagebot report --plan "$plan" --format html --out "$out/$plan-report.html"

soffice --headless --convert-to pdf --outdir "$out" "$out/$plan-report.docx" >/dev/null
echo "PDF:  $out/$plan-report.pdf"

chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$(mktemp -d)" --hide-scrollbars --window-size=1600,2200 \
  --screenshot="$out/$plan-report.png" "file://$(realpath "$out/$plan-report.html")" 2>/dev/null
echo "PNG:  $out/$plan-report.png"
