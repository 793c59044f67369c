"""Licence numbers as people type them (pure): what a verification looks up.

Numbers are issued in upper case (`services.licence_number`), but a resident copies one from paper
or a photo: in lower case, with spaces around it, or with full-width letters, digits and dashes
from a Chinese input method. Each of these still names the same licence.
"""

from __future__ import annotations

import unicodedata

# Dashes a keyboard or a word processor puts where the number has "-" (NFKC leaves them alone):
# hyphen, non-breaking hyphen, figure dash, en and em dashes, horizontal bar, minus sign.
_DASHES = str.maketrans({dash: "-" for dash in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})

# Longer input is cut before it is normalised: no number is near this long.
MAX_TYPED_LENGTH = 200


def normalize_licence_number(typed: str | None) -> str:
    """The number as issued: full-width forms and dashes made ASCII, surrounding spaces removed, upper case.

    '  fx-20260305-abc ' and 'ＦＸ－20260305－ABC' both give 'FX-20260305-ABC'. Nothing else is
    changed: inner spaces or other characters stay, so a malformed number stays malformed.
    """
    text = unicodedata.normalize("NFKC", (typed or "")[:MAX_TYPED_LENGTH])
    return text.translate(_DASHES).strip().upper()
