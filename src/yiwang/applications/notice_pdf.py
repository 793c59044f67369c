"""A4 PDF of a standard notice (受理通知书, 补正材料通知书, ...), for printing at the counter (pure: no Django).

Rendered deterministically (reportlab's `invariant` mode, dated `created_at`: the notice's issue
time) from the notice's stored title and body, so a reprint is the same document. The text is set
in the licences' embedded fonts (`yiwang.licences.pdf`: subsets of AR PL UMing), wrapped by width.
"""

from __future__ import annotations

import datetime as dt
import io

from reportlab.lib.pagesizes import A4

from yiwang.core import clock
from yiwang.licences.pdf import CJK_FONT, draw_qr_modules, new_canvas, wrap_text

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 64
BODY_SIZE = 14
QR_SIZE = 64


def render_notice_pdf(*, title: str, body: str, case_number: str, department_name: str, issued_on: str,
                      created_at: dt.datetime | None = None, rating_url: str = "") -> bytes:
    """The notice as PDF bytes: title, case number, the body wrapped to the page, issuer and date.

    `created_at` (the notice's issue time; now by `core.clock` when not given) dates the document.
    `rating_url`, when given, is printed as a QR code at the foot for rating the service (好差评).
    """
    buffer = io.BytesIO()
    pdf = new_canvas(
        buffer,
        title=f"{title} {case_number}".strip(),
        author=department_name,
        subject=f"{title}（办件编号：{case_number}）" if case_number else title,
        keywords=case_number,
        created_at=created_at or clock.now(),
    )
    pdf.setFont(CJK_FONT, 22)
    pdf.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 2 * MARGIN, title)
    pdf.setFont(CJK_FONT, 11)
    pdf.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 2 * MARGIN - 28, f"办件编号：{case_number}")
    y = PAGE_HEIGHT - 2 * MARGIN - 70
    pdf.setFont(CJK_FONT, BODY_SIZE)
    for paragraph in body.splitlines() or [""]:
        for line in wrap_text(paragraph, CJK_FONT, BODY_SIZE, PAGE_WIDTH - 2 * MARGIN):
            if y < 3 * MARGIN:
                pdf.showPage()
                pdf.setFont(CJK_FONT, BODY_SIZE)
                y = PAGE_HEIGHT - 2 * MARGIN
            pdf.drawString(MARGIN, y, line)
            y -= 24
    pdf.setFont(CJK_FONT, BODY_SIZE)
    pdf.drawRightString(PAGE_WIDTH - MARGIN, 2 * MARGIN + 24, department_name)
    pdf.drawRightString(PAGE_WIDTH - MARGIN, 2 * MARGIN, issued_on)
    if rating_url:
        draw_qr_modules(pdf, rating_url, x=MARGIN, y=2 * MARGIN - 20, size=QR_SIZE)
        pdf.setFont(CJK_FONT, 10)
        pdf.drawString(MARGIN + QR_SIZE + 10, 2 * MARGIN + QR_SIZE / 2 - 16, "办结后扫码评价（好差评）")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
