#!/bin/sh
# The fonts every PDF the platform makes embeds (licences, notices): AR PL UMing for Chinese and
# DejaVu Sans Mono for signatures and digests (reportlab embeds TrueType only; Noto CJK is CFF).
# `make demo` runs this so a fresh machine's demo issues licences; installed when missing and we may.
set -e
if [ -f /usr/share/fonts/truetype/arphic/uming.ttc ] && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing fonts-arphic-uming, fonts-dejavu-core (Debian packages) for the PDFs"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-arphic-uming fonts-dejavu-core >/dev/null
else
  echo "note: not root: licence and notice PDFs need fonts-arphic-uming and fonts-dejavu-core (apt-get install them)"
fi
