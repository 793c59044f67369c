#!/bin/sh
# Real-browser tests use Debian's chromium and fonts-noto-cjk (Chinese glyphs in screenshots).
# Every PDF the platform makes embeds AR PL UMing (fonts-arphic-uming) and DejaVu Sans Mono
# (fonts-dejavu-core): reportlab embeds TrueType outlines only, and Noto CJK is CFF.
# Install them when missing and we may (root); otherwise say so: those tests then skip.
set -e
if [ -x /usr/bin/chromium ] && [ -d /usr/share/fonts/opentype/noto ] && command -v pdftotext >/dev/null 2>&1 \
  && [ -f /usr/share/fonts/truetype/arphic/uming.ttc ] && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium, fonts-noto-cjk, poppler-utils, fonts-arphic-uming, fonts-dejavu-core (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils \
    fonts-arphic-uming fonts-dejavu-core >/dev/null
else
  echo "note: not root: browser tests will be skipped and PDFs fail without their fonts" \
    "(apt-get install chromium fonts-noto-cjk poppler-utils fonts-arphic-uming fonts-dejavu-core)"
fi
