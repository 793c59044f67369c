#!/bin/sh
# Real-browser tests use Debian's chromium and fonts-noto-cjk (Chinese glyphs in screenshots).
# Install them when missing and we may (root); otherwise say so: those tests then skip.
set -e
if [ -x /usr/bin/chromium ] && [ -d /usr/share/fonts/opentype/noto ] && command -v pdftotext >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium, fonts-noto-cjk, poppler-utils (Debian packages) for browser tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null
else
  echo "note: /usr/bin/chromium missing and not root: browser tests will be skipped (apt-get install chromium fonts-noto-cjk)"
fi
