"""Log filter that masks identity card numbers and mobile numbers in every record."""

from __future__ import annotations

import logging
import re

from yiwang.core.identifiers import mask_id_card, mask_phone

# Only digits delimit a number: "id=31012019900307123Xabc" or "user31012019900307123X" are masked too.
_ID_RE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
# A mobile number, also with the country code: +86 138…, 0086-138…, +8613800138000.
_PHONE_RE = re.compile(r"(?<![\d+])((?:\+|00)?86[\s-]?)?(1[3-9]\d{9})(?!\d)")


def mask_text(text: str) -> str:
    """Mask every ID card number and mobile number found in free text."""
    text = _ID_RE.sub(lambda m: mask_id_card(m.group(0)), text)
    return _PHONE_RE.sub(lambda m: (m.group(1) or "") + mask_phone(m.group(2)), text)


class MaskPIIFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = ()
        if record.exc_info and not record.exc_text:
            # A traceback shows local values (an ID number in a failing lookup): mask it too. The
            # formatter prints exc_text when it is set; exc_info stays for handlers that need it.
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
        return True
