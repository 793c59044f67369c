"""Reading back the QR code a licence PDF draws (for the PDF tests and the demo's browser journey)."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from yiwang.licences import pdf


def drawn_qr_matrix(data: bytes, size: int, *, area: tuple[float, float, float] | None = None) -> list[list[bool]]:
    """Rebuild the module grid from the rectangles the page fills inside the QR area
    (`area` = (x, y, side) of the square; the licence's by default)."""
    qr_x, qr_y, qr_side = area or (pdf.QR_X, pdf.QR_Y, pdf.QR_SIZE)
    stream = PdfReader(io.BytesIO(data)).pages[-1].get_contents().get_data().decode("latin-1")
    module = qr_side / size
    grid = [[False] * size for _ in range(size)]
    for x, y, width, height in re.findall(r"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re", stream):
        x, y, width, height = float(x), float(y), float(width), float(height)
        inside = qr_x - 0.01 <= x < qr_x + qr_side and qr_y - 0.01 <= y < qr_y + qr_side
        if not inside or abs(height - module) > 0.01:
            continue
        row = round((qr_y + qr_side - y) / module) - 1
        first = round((x - qr_x) / module)
        for column in range(first, first + round(width / module)):
            grid[row][column] = True
    return grid
