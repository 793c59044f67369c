"""A4 PDF of a standard notice (受理通知书, 补正材料通知书, ...), for printing at the counter (pure: no Django).

Rendered deterministically (reportlab's `invariant` mode) from the notice's stored title and body,
so a reprint is the same document. Chinese text uses the built-in CID font of the licences.
"""

from __future__ import annotations

import io
import textwrap

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from yiwang.licences.pdf import CJK_FONT, register_fonts

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 64
CHARACTERS_PER_LINE = 32  # full-width characters across the text block at 14 pt


def render_notice_pdf(*, title: str, body: str, case_number: str, department_name: str, issued_on: str) -> bytes:
    """The notice as PDF bytes: title, case number, the body wrapped to the page, issuer and date."""
    register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    pdf.setTitle(f"{title} {case_number}")
    pdf.setAuthor(department_name)
    pdf.setCreator("yiwang")
    pdf.setFont(CJK_FONT, 22)
    pdf.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 2 * MARGIN, title)
    pdf.setFont(CJK_FONT, 11)
    pdf.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 2 * MARGIN - 28, f"办件编号：{case_number}")
    y = PAGE_HEIGHT - 2 * MARGIN - 70
    pdf.setFont(CJK_FONT, 14)
    for paragraph in body.splitlines() or [""]:
        for line in textwrap.wrap(paragraph, CHARACTERS_PER_LINE) or [""]:
            if y < 3 * MARGIN:
                pdf.showPage()
                pdf.setFont(CJK_FONT, 14)
                y = PAGE_HEIGHT - 2 * MARGIN
            pdf.drawString(MARGIN, y, line)
            y -= 24
    pdf.setFont(CJK_FONT, 14)
    pdf.drawRightString(PAGE_WIDTH - MARGIN, 2 * MARGIN + 24, department_name)
    pdf.drawRightString(PAGE_WIDTH - MARGIN, 2 * MARGIN, issued_on)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
