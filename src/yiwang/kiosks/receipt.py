"""Kiosk receipts as ESC/POS bytes for a 58/80 mm thermal printer (pure: python-escpos's Dummy printer).

Chinese text goes out as GB18030 (python-escpos sends any text with CJK characters that way); a
receipt ends with a feed and a partial cut. A QR code (the case's status page, or 好差评) is
printed natively by the printer (GS ( k), so it is sharp at any size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from escpos.printer import Dummy

WIDTH_CHARS = 32  # a 58 mm printer's line in ASCII columns (a Chinese character takes two)


@dataclass(frozen=True)
class Receipt:
    title: str
    lines: Sequence[tuple[str, str]]  # (label, value)
    footer: str = ""
    qr_url: str = ""


def receipt_bytes(receipt: Receipt) -> bytes:
    """The ESC/POS program that prints `receipt`."""
    printer = Dummy()
    printer.hw("INIT")
    printer.set(align="center", bold=True, double_height=True, double_width=True)
    printer.textln(receipt.title)
    printer.set(align="left", bold=False, normal_textsize=True)
    printer.textln("-" * WIDTH_CHARS)
    for label, value in receipt.lines:
        printer.textln(f"{label}：{value}")
    if receipt.qr_url:
        printer.set(align="center")
        printer.qr(receipt.qr_url, size=5, native=True)
    if receipt.footer:
        printer.set(align="center")
        printer.textln(receipt.footer)
    printer.cut(mode="PART", feed=True)
    return printer.output
