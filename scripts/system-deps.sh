#!/usr/bin/env bash
# Debian packages the tests need beyond Python (OCR, browser, database server).
# Idempotent: installs only what is missing; needs root (as on CI) when something is missing.
set -euo pipefail
PACKAGES=(make tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd postgresql chromium)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
