"""Checks of uploaded bytes beyond their type (pure: no Django).

A scan or photo has no business running code. A PDF that names an action or a script (/JavaScript,
/JS, /OpenAction, /AA, /Launch, /SubmitForm, /ImportData, /RichMedia, /EmbeddedFile, /XFA) is
refused, also when the name is spelled with #xx escapes or hidden inside a compressed object
stream; so is an image that is also a PDF (a polyglot: readers find a "%PDF-" header anywhere in
the first kilobyte).
"""

from __future__ import annotations

import re
import zlib

ACTIVE_PDF_NAMES = (b"javascript", b"js", b"openaction", b"aa", b"launch", b"submitform", b"importdata",
                    b"richmedia", b"embeddedfile", b"xfa")
_NAME = re.compile(rb"/([A-Za-z0-9#]+)")
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
MAX_INFLATED = 20 * 1024 * 1024  # per stream, so a compression bomb cannot exhaust memory


def _names(data: bytes) -> set[bytes]:
    return {_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1)).lower() for match in _NAME.finditer(data)}


def _inflated_streams(data: bytes):
    for match in _STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            yield inflater.decompress(match.group(1), MAX_INFLATED)
        except zlib.error:
            continue  # not a Flate stream (an image, DCT): nothing to read in it


def pdf_active_content(data: bytes) -> str | None:
    """The first active name found in a PDF's bytes (e.g. "javascript"), or None."""
    for chunk in (data, *_inflated_streams(data)):
        found = _names(chunk) & set(ACTIVE_PDF_NAMES)
        if found:
            return sorted(found)[0].decode("ascii")
    return None


def is_image_pdf_polyglot(head: bytes) -> bool:
    """True when an image's first kilobyte also carries a PDF header."""
    return b"%PDF-" in head[:1024]
