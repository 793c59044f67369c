"""A4 PDF of a licence or decision, drawn from its signed content (pure: no Django).

The document is a deterministic rendering (reportlab's `invariant` mode: no random ids; the
creation date is the licence's issue time, given by the caller) of the content that was signed,
so it can be reproduced at any time and cached. The layout follows the result type
(`documents`: 营业执照, 食品经营许可证, or the generic decision); content signed before documents
existed is drawn in the generic layout from its own fields.

Fonts are embedded as subsets, so the page looks the same in every reader and its text extracts
exactly (no stray spaces inside "FX-2026-…"): reportlab embeds only TrueType (glyf) outlines, so
Chinese is set in AR PL UMing (Debian package fonts-arphic-uming, a 明体/宋体 face as used on
official documents; Noto CJK is CFF and cannot be embedded by reportlab) and the signature and
the address in DejaVu Sans Mono (fonts-dejavu-core). Nothing falls back silently: a missing font
file raises `FontMissing` naming the package to install. The seal and the QR code are vector
graphics; the full signature and content digest are printed at the foot of the page.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from yiwang.core.qr import qr_matrix
from yiwang.licences import documents

CJK_FONT = "UMingCN"
MONO_FONT = "DejaVuSansMono"
# (reportlab name, file, index in a TrueType collection, Debian package that installs it)
FONT_FILES = {
    CJK_FONT: (Path("/usr/share/fonts/truetype/arphic/uming.ttc"), 0, "fonts-arphic-uming"),
    MONO_FONT: (Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"), 0, "fonts-dejavu-core"),
}
PRODUCER = "yiwang 一网通办 (ReportLab)"
SHANGHAI = ZoneInfo("Asia/Shanghai")

SEAL_RED = Color(0.80, 0.06, 0.06)
FRAME_RED = Color(0.72, 0.11, 0.11)
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 56
QR_X, QR_Y, QR_SIZE = MARGIN + 8, 150, 92
FIELDS_TOP = PAGE_HEIGHT - 215
FIELDS_BOTTOM = 312  # above the seal (centre 240, radius 62) and the QR code
FIELD_SIZES = (13, 12, 11, 10, 9, 8)
LABEL_COLUMN_SHARE = 0.45  # 社会信用代码（身份证号码）： fits on one line at 13 pt

# The fields of content signed before documents existed, drawn in the generic layout.
_LEGACY_FIELD_LABELS = [
    ("holder_name", "持证人（名称）"),
    ("holder_identifier", "证件号码"),
    ("item_name", "办理事项"),
    ("item_code", "事项编码"),
    ("case_number", "办件编号"),
    ("department_name", "发证机关"),
    ("department_credit_code", "机关统一社会信用代码"),
    ("issued_on", "发证日期"),
]


class FontMissing(RuntimeError):
    """A font file the PDFs embed is not installed; the message names the Debian package."""


def missing_fonts() -> list[str]:
    """One line per font file that is not installed, naming the package to install (empty when all are)."""
    return [
        f"PDF font {path} is missing: install the Debian package {package} (apt-get install {package})"
        for path, _index, package in FONT_FILES.values()
        if not path.is_file()
    ]


def register_fonts() -> None:
    """Load the embedded fonts into reportlab (once per process); FontMissing when a file is absent."""
    for name, (path, index, _package) in FONT_FILES.items():
        try:
            pdfmetrics.getFont(name)
        except KeyError:
            if not path.is_file():
                raise FontMissing(missing_fonts()[0]) from None
            pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=index))


def new_canvas(buffer: io.BytesIO, *, title: str, author: str, subject: str, keywords: str,
               created_at: dt.datetime) -> canvas.Canvas:
    """An A4 canvas with the document's metadata, dated `created_at` (shown in Shanghai time).

    The initial font is the embedded one, so no unembedded standard font is referenced.
    """
    register_fonts()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1, initialFontName=CJK_FONT)
    pdf.setTitle(title)
    pdf.setAuthor(author)
    pdf.setSubject(subject)
    pdf.setKeywords(keywords)
    pdf.setCreator("yiwang")
    pdf.setProducer(PRODUCER)
    pdf.setDateFormatter(lambda *_ignored: pdf_date(created_at))
    return pdf


def pdf_date(moment: dt.datetime) -> str:
    """A PDF date string in Shanghai time: D:20260310100000+08'00' (naive moments are taken as Shanghai)."""
    local = moment.astimezone(SHANGHAI) if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)
    return f"D:{local:%Y%m%d%H%M%S}+08'00'"


def render_pdf(*, content: dict[str, Any], signature: str, content_sha256: str, verify_url: str,
               created_at: dt.datetime) -> bytes:
    """The licence as PDF bytes: title, the document's fields, seal, QR code to `verify_url`, signature.

    `created_at` (the licence's issue time) is the document's creation date.
    """
    buffer = io.BytesIO()
    pdf = new_canvas(
        buffer,
        title=f"{content.get('title', '')} {content.get('number', '')}",
        author=content.get("department_name", ""),
        subject=f"{content.get('item_name', '')} {content.get('case_number', '')}".strip(),
        keywords=content.get("number", ""),
        created_at=created_at,
    )
    fields = documents.document_fields(content)
    layout = (content.get("document") or {}).get("layout") if fields is not None else documents.LAYOUT_GENERIC
    if fields is None:
        fields = legacy_fields(content)
    statement = generic_statement(content) if layout == documents.LAYOUT_GENERIC else ""

    _draw_frame(pdf)
    _draw_heading(pdf, content)
    _draw_fields(pdf, fields, statement)
    _draw_issuer(pdf, content)
    _draw_qr(pdf, verify_url, x=QR_X, y=QR_Y, size=QR_SIZE)
    _draw_signature_block(pdf, content, signature, content_sha256)

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def legacy_fields(content: dict[str, Any]) -> list[tuple[str, str]]:
    """The printed fields of content signed before documents existed."""
    fields = []
    for key, label in _LEGACY_FIELD_LABELS:
        value = str(content.get(key, "") or "")
        if key == "issued_on":
            value = format_chinese_date(value)
        fields.append((label, value or documents.MISSING))
    return fields


def generic_statement(content: dict[str, Any]) -> str:
    """The decision's sentence under the fields of the generic layout."""
    return f"经审查，申请人办理“{content.get('item_name', '')}”符合规定条件，准予办理。特发此证。"


def format_chinese_date(iso_date: str) -> str:
    """2026-11-26 -> 2026年11月26日 (the input is returned unchanged when it is not a date)."""
    try:
        day = dt.date.fromisoformat(iso_date)
    except (TypeError, ValueError):
        return iso_date or ""
    return documents.chinese_date(day)


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


@dataclass(frozen=True)
class FieldsLayout:
    """How the fields are set: font size, x of the value column, the lines of each field's label
    and value, and the statement's lines (empty when it had to be left out for room)."""

    size: float
    value_x: float
    fields: list[tuple[str, list[str], list[str]]]  # (label, label lines, value lines)
    statement_lines: list[str]

    def values(self) -> dict[str, list[str]]:
        return {label: value_lines for label, _, value_lines in self.fields}


def layout_fields(fields: list[tuple[str, str]], statement: str = "") -> FieldsLayout:
    """Fit the fields between FIELDS_TOP and FIELDS_BOTTOM at the largest size of FIELD_SIZES
    that fits. A label wider than LABEL_COLUMN_SHARE of the text block wraps in its column, so a long label
    never squeezes the values. At the smallest size, what still does not fit is cut, the last
    kept line ending with "…" (the signed content stays whole; the page cannot hold it)."""
    register_fonts()
    label_x = MARGIN + 30
    right = PAGE_WIDTH - MARGIN - 30
    budget = FIELDS_TOP - FIELDS_BOTTOM
    for size in FIELD_SIZES:
        widest = max((pdfmetrics.stringWidth(f"{label}：", CJK_FONT, size) for label, _ in fields), default=0)
        label_width = min(widest, LABEL_COLUMN_SHARE * (right - label_x))
        value_x = label_x + max(label_width + 6, 7 * size)
        wrapped = [
            (label, wrap_text(f"{label}：", CJK_FONT, size, label_width), _wrap_paragraphs(value, CJK_FONT, size, right - value_x))
            for label, value in fields
        ]
        statement_lines = _wrap_paragraphs(statement, CJK_FONT, size, right - label_x) if statement else []
        if _fields_height(wrapped, statement_lines, size) <= budget:
            return FieldsLayout(size, value_x, wrapped, statement_lines)
    return FieldsLayout(size, value_x, _cut_to_fit(wrapped, size, budget), [])


def _line_height(size: float) -> float:
    return size * 1.5


def _field_height(label_lines: list[str], value_lines: list[str], size: float) -> float:
    return max(len(label_lines), len(value_lines)) * _line_height(size) + size * 0.6


def _fields_height(wrapped, statement_lines: list[str], size: float) -> float:
    height = sum(_field_height(label_lines, value_lines, size) for _, label_lines, value_lines in wrapped)
    if statement_lines:
        height += size + len(statement_lines) * _line_height(size)
    return height


def _cut_to_fit(wrapped, size: float, budget: float):
    kept, used = [], 0.0
    for label, label_lines, value_lines in wrapped:
        room = int((budget - used - size * 0.6) // _line_height(size))
        if room < max(1, len(label_lines)):
            break
        if room < len(value_lines):
            kept.append((label, label_lines, value_lines[: room - 1] + [value_lines[room - 1][:-1] + "…"]))
            break
        kept.append((label, label_lines, value_lines))
        used += _field_height(label_lines, value_lines, size)
    return kept


def _draw_fields(pdf: canvas.Canvas, fields: list[tuple[str, str]], statement: str) -> None:
    layout = layout_fields(fields, statement)
    size = layout.size
    label_x = MARGIN + 30
    y = FIELDS_TOP
    pdf.setFillColor(black)
    pdf.setFont(CJK_FONT, size)
    for _label, label_lines, value_lines in layout.fields:
        for index, line in enumerate(label_lines):
            pdf.drawString(label_x, y - index * _line_height(size), line)
        for index, line in enumerate(value_lines):
            pdf.drawString(layout.value_x, y - index * _line_height(size), line)
        y -= _field_height(label_lines, value_lines, size)
    if layout.statement_lines:
        y -= size
        for line in layout.statement_lines:
            pdf.drawString(label_x, y, line)
            y -= _line_height(size)


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


def draw_qr_modules(pdf: canvas.Canvas, url: str, *, x: float, y: float, size: float) -> None:
    """The QR code of `url` as filled rectangles, its lower-left corner at (x, y), nothing else."""
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
    pdf.restoreState()


def _draw_qr(pdf: canvas.Canvas, url: str, *, x: float, y: float, size: float) -> None:
    """The licence's verification QR code with its caption and the address written out."""
    draw_qr_modules(pdf, url, x=x, y=y, size=size)
    pdf.saveState()
    pdf.setFont(CJK_FONT, 9)
    pdf.drawString(x, y - 14, "扫码核验证照真伪")
    size = 7.0
    while size > 5 and pdfmetrics.stringWidth(url, MONO_FONT, size) > PAGE_WIDTH - MARGIN - x:
        size -= 0.5
    pdf.setFont(MONO_FONT, size)
    pdf.drawString(x, y - 26, url)
    pdf.restoreState()


def _draw_signature_block(pdf: canvas.Canvas, content: dict[str, Any], signature: str, content_sha256: str) -> None:
    """The whole signature and digest in small monospace text, wrapped, so the page can be checked by hand."""
    pdf.setStrokeColor(FRAME_RED)
    pdf.setLineWidth(0.5)
    pdf.line(MARGIN, 100, PAGE_WIDTH - MARGIN, 100)
    pdf.setFillColor(black)
    pdf.setFont(CJK_FONT, 8)
    algorithm = str(content.get("algorithm", "")).upper()
    pdf.drawString(MARGIN, 89, f"电子签名　算法：{algorithm}　密钥标识：{content.get('key_id', '')}")
    y = 78
    for label, value in (("签名值（Base64）：", signature), ("内容摘要（SHA-256）：", content_sha256)):
        pdf.setFont(CJK_FONT, 7)
        pdf.drawString(MARGIN, y, label)
        value_x = MARGIN + pdfmetrics.stringWidth(label, CJK_FONT, 7)
        pdf.setFont(MONO_FONT, 6.5)
        for line in wrap_text(value, MONO_FONT, 6.5, PAGE_WIDTH - MARGIN - value_x):
            pdf.drawString(value_x, y, line)
            y -= 9
    pdf.setFont(CJK_FONT, 7)
    pdf.drawString(MARGIN, min(y, 56) - 2, "本证照经电子印章签名，可扫描二维码或凭证照编号在线核验真伪及状态。")


_UNBROKEN_RUN = re.compile(r"[A-Za-z0-9+/=._:\-]+|.", re.DOTALL)


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Break `text` into lines no wider than `width`: Chinese by character (it has no spaces), a
    run of Latin letters and digits (a case number, a code) kept whole when it fits on a line."""
    register_fonts()

    def fits(candidate: str) -> bool:
        return pdfmetrics.stringWidth(candidate, font, size) <= width

    lines, current = [], ""
    for token in _UNBROKEN_RUN.findall(text):
        if fits(current + token):
            current += token
        elif len(token) > 1 and fits(token):
            lines.append(current)
            current = token
        else:  # a character that does not fit, or a run longer than a line: by character
            for character in token:
                if current and not fits(current + character):
                    lines.append(current)
                    current = character
                else:
                    current += character
    lines.append(current)
    return lines


def _wrap_paragraphs(text: str, font: str, size: float, width: float) -> list[str]:
    """`wrap_text` for each line of `text` (a table field has one row per line)."""
    return [line for paragraph in (text.splitlines() or [""]) for line in wrap_text(paragraph, font, size, width)]
