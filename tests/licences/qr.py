"""Reading back the QR code a licence PDF draws (for the PDF tests and the demo's browser journey)."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from yiwang.licences import pdf


def drawn_qr_matrix(data: bytes, size: int) -> list[list[bool]]:
    """Rebuild the module grid from the rectangles the page fills inside the QR area."""
    stream = PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data().decode("latin-1")
    module = pdf.QR_SIZE / size
    grid = [[False] * size for _ in range(size)]
    for x, y, width, height in re.findall(r"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re", stream):
        x, y, width, height = float(x), float(y), float(width), float(height)
        inside = pdf.QR_X - 0.01 <= x < pdf.QR_X + pdf.QR_SIZE and pdf.QR_Y - 0.01 <= y < pdf.QR_Y + pdf.QR_SIZE
        if not inside or abs(height - module) > 0.01:
            continue
        row = round((pdf.QR_Y + pdf.QR_SIZE - y) / module) - 1
        first = round((x - pdf.QR_X) / module)
        for column in range(first, first + round(width / module)):
            grid[row][column] = True
    return grid
