"""QR codes (pure): the modules of a URL's code, and the code as inline SVG drawn by the page itself (no script, no CDN)."""

from __future__ import annotations

from html import escape

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code modules of `url` (True = dark, no quiet zone), error correction M."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, box_size=1)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def qr_svg(url: str, *, size_px: int = 160, label: str = "") -> str:
    """An <svg> of the QR code for `url`, with a 4-module quiet zone; `label` becomes its accessible name."""
    matrix = qr_matrix(url)
    side = len(matrix) + 8
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append(f"M{start + 4} {y + 4}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    title = escape(label or url)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{size_px}" height="{size_px}" '
            f'viewBox="0 0 {side} {side}" shape-rendering="crispEdges"><title>{title}</title>'
            f'<rect width="{side}" height="{side}" fill="#fff"/><path fill="#000" d="{"".join(runs)}"/></svg>')
