"""A4 PDF of a licence or decision, drawn from its signed content (pure: no Django).

The document is a deterministic rendering (reportlab's `invariant` mode: no timestamps or
random ids) of the content that was signed, so it can be reproduced at any time and cached.
Chinese text uses the Adobe CID font STSong-Light, which every PDF reader has built in; no font
file is embedded and the text stays extractable. The seal and the QR code are vector graphics.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from typing import Any

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
SEAL_RED = Color(0.80, 0.06, 0.06)
FRAME_RED = Color(0.72, 0.11, 0.11)
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 56
QR_X, QR_Y, QR_SIZE = MARGIN + 8, 150, 92

_FIELD_LABELS = [
    ("holder_name", "持证人（名称）"),
    ("holder_identifier", "证件号码"),
    ("item_name", "办理事项"),
    ("item_code", "事项编码"),
    ("case_number", "办件编号"),
    ("department_name", "发证机关"),
    ("department_credit_code", "机关统一社会信用代码"),
    ("issued_on", "发证日期"),
]


def register_fonts() -> None:
    """Make the built-in CJK font available to reportlab (once per process)."""
    try:
        pdfmetrics.getFont(CJK_FONT)
    except KeyError:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def render_pdf(*, content: dict[str, Any], signature: str, content_sha256: str, verify_url: str) -> bytes:
    """The licence as PDF bytes: title, fields, seal, QR code to `verify_url`, signature block."""
    register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    pdf.setTitle(f"{content.get('title', '')} {content.get('number', '')}")
    pdf.setAuthor(content.get("department_name", ""))
    pdf.setCreator("yiwang")
    pdf.setSubject(content.get("number", ""))

    _draw_frame(pdf)
    _draw_heading(pdf, content)
    bottom_of_fields = _draw_fields(pdf, content)
    _draw_statement(pdf, content, bottom_of_fields - 16)
    _draw_issuer(pdf, content)
    _draw_qr(pdf, verify_url, x=QR_X, y=QR_Y, size=QR_SIZE)
    _draw_signature_block(pdf, content, signature, content_sha256)

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def format_chinese_date(iso_date: str) -> str:
    """2026-11-26 -> 2026年11月26日 (the input is returned unchanged when it is not a date)."""
    try:
        day = dt.date.fromisoformat(iso_date)
    except (TypeError, ValueError):
        return iso_date or ""
    return f"{day.year}年{day.month}月{day.day}日"


def _draw_frame(pdf: canvas.Canvas) -> None:
    pdf.setStrokeColor(FRAME_RED)
    pdf.setLineWidth(2.2)
    pdf.rect(28, 28, PAGE_WIDTH - 56, PAGE_HEIGHT - 56)
    pdf.setLineWidth(0.7)
    pdf.rect(34, 34, PAGE_WIDTH - 68, PAGE_HEIGHT - 68)


def _draw_heading(pdf: canvas.Canvas, content: dict[str, Any]) -> None:
    title = content.get("title", "")
    size = 30
    while size > 16 and pdfmetrics.stringWidth(title, CJK_FONT, size) > PAGE_WIDTH - 2 * MARGIN:
        size -= 2
    pdf.setFillColor(black)
    pdf.setFont(CJK_FONT, size)
    pdf.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 130, title)
    pdf.setFont(CJK_FONT, 11)
    pdf.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 160, f"证照编号：{content.get('number', '')}")
    pdf.setStrokeColor(FRAME_RED)
    pdf.setLineWidth(1)
    pdf.line(MARGIN + 20, PAGE_HEIGHT - 175, PAGE_WIDTH - MARGIN - 20, PAGE_HEIGHT - 175)


def _draw_fields(pdf: canvas.Canvas, content: dict[str, Any]) -> float:
    label_x = MARGIN + 30
    value_x = MARGIN + 190
    value_width = PAGE_WIDTH - MARGIN - 30 - value_x
    y = PAGE_HEIGHT - 220
    for key, label in _FIELD_LABELS:
        value = content.get(key, "") or "—"
        if key == "issued_on":
            value = format_chinese_date(value)
        pdf.setFont(CJK_FONT, 13)
        pdf.drawString(label_x, y, f"{label}：")
        for line in _wrap(value, CJK_FONT, 13, value_width):
            pdf.drawString(value_x, y, line)
            y -= 20
        y -= 10
    return y


def _draw_statement(pdf: canvas.Canvas, content: dict[str, Any], y: float) -> None:
    statement = f"经审查，申请人办理“{content.get('item_name', '')}”符合规定条件，准予办理。特发此证。"
    pdf.setFont(CJK_FONT, 13)
    for line in _wrap(statement, CJK_FONT, 13, PAGE_WIDTH - 2 * MARGIN - 60):
        pdf.drawString(MARGIN + 30, y, line)
        y -= 22


def _draw_issuer(pdf: canvas.Canvas, content: dict[str, Any]) -> None:
    department = content.get("department_name", "")
    radius = 62
    seal_x = PAGE_WIDTH - MARGIN - 30 - radius
    # Issuer and date beside the seal, not under it, so both stay legible in print and text.
    text_right = seal_x - radius - 12
    pdf.setFillColor(black)
    pdf.setFont(CJK_FONT, 14)
    pdf.drawRightString(text_right, 250, department)
    pdf.drawRightString(text_right, 226, format_chinese_date(content.get("issued_on", "")))
    _draw_seal(pdf, department, cx=seal_x, cy=240, radius=radius)


def _draw_seal(pdf: canvas.Canvas, department: str, *, cx: float, cy: float, radius: float) -> None:
    pdf.saveState()
    pdf.setStrokeColor(SEAL_RED)
    pdf.setFillColor(SEAL_RED)
    pdf.setStrokeAlpha(0.85)
    pdf.setFillAlpha(0.85)
    pdf.setLineWidth(3)
    pdf.circle(cx, cy, radius, stroke=1, fill=0)
    _draw_star(pdf, cx, cy + 4, outer=radius * 0.30)

    # The department's name along the upper arc, each character turned to face outwards.
    characters = list(department) or [" "]
    text_radius = radius * 0.74
    span = min(230.0, 26.0 * len(characters))
    arc_length = math.radians(span) * text_radius
    size = max(7.0, min(14.0, 0.9 * arc_length / len(characters)))
    pdf.setFont(CJK_FONT, size)
    for index, character in enumerate(characters):
        angle = 90 + span / 2 - span * (index + 0.5) / len(characters)
        pdf.saveState()
        radians = math.radians(angle)
        pdf.translate(cx + text_radius * math.cos(radians), cy + text_radius * math.sin(radians))
        pdf.rotate(angle - 90)
        pdf.drawCentredString(0, -size * 0.35, character)
        pdf.restoreState()
    pdf.setFont(CJK_FONT, 8)
    pdf.drawCentredString(cx, cy - radius * 0.52, "电子证照专用章")
    pdf.restoreState()


def _draw_star(pdf: canvas.Canvas, cx: float, cy: float, *, outer: float) -> None:
    inner = outer * 0.382
    path = pdf.beginPath()
    for point in range(10):
        r = outer if point % 2 == 0 else inner
        angle = math.radians(90 + 36 * point)
        x, y = cx + r * math.cos(angle), cy + r * math.sin(angle)
        if point == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.close()
    pdf.drawPath(path, stroke=0, fill=1)


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code modules (True = dark, no quiet zone) that the page draws for `url`."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, box_size=1)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def _draw_qr(pdf: canvas.Canvas, url: str, *, x: float, y: float, size: float) -> None:
    matrix = qr_matrix(url)
    module = size / len(matrix)
    pdf.saveState()
    pdf.setFillColor(black)
    path = pdf.beginPath()
    # One rectangle per horizontal run of dark modules keeps the page small.
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        column = 0
        while column < len(row):
            if row[column]:
                start = column
                while column < len(row) and row[column]:
                    column += 1
                path.rect(x + start * module, top, (column - start) * module, module)
            else:
                column += 1
    pdf.drawPath(path, stroke=0, fill=1)
    pdf.setFont(CJK_FONT, 9)
    pdf.drawString(x, y - 14, "扫码核验证照真伪")
    pdf.setFont(LATIN_FONT, 7)
    pdf.drawString(x, y - 26, url)
    pdf.restoreState()


def _draw_signature_block(pdf: canvas.Canvas, content: dict[str, Any], signature: str, content_sha256: str) -> None:
    pdf.setStrokeColor(FRAME_RED)
    pdf.setLineWidth(0.5)
    pdf.line(MARGIN, 96, PAGE_WIDTH - MARGIN, 96)
    pdf.setFillColor(black)
    pdf.setFont(CJK_FONT, 8)
    algorithm = str(content.get("algorithm", "")).upper()
    pdf.drawString(MARGIN, 84, f"电子签名　算法：{algorithm}　密钥标识：{content.get('key_id', '')}")
    pdf.drawString(MARGIN, 72, f"签名值：{signature[:64]}…")
    pdf.drawString(MARGIN, 60, f"内容摘要（SHA-256）：{content_sha256[:48]}…")
    pdf.drawString(MARGIN, 48, "本证照经电子印章签名，可扫描二维码或凭证照编号在线核验真伪及状态。")


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break `text` into lines no wider than `width` (by character: Chinese has no spaces)."""
    lines, current = [], ""
    for character in text:
        if current and pdfmetrics.stringWidth(current + character, font, size) > width:
            lines.append(current)
            current = character
        else:
            current += character
    lines.append(current)
    return lines
