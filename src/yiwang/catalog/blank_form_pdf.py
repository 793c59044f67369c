"""The blank paper application form (申请书) of an item, as an A4 PDF to print and fill by hand (pure: no Django).

Drawn from the item's form definition (`catalog.application_forms`), so the paper form asks
exactly what the online form asks: the applicant's identity, the item's own fields in their order
(a choice as boxes to tick, an ID number or credit code as one box per character, a table as a
ruled grid), the contact fields, then the declaration and the signature and date lines. A field
asked only after some answer says so beside its label. Text is set in the licences' embedded
fonts, so the page prints the same everywhere; the document is dated by the caller (the item's
last change), so the same form is the same file.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth

from yiwang.catalog.application_forms import (
    CHOICE,
    CHOICES,
    CREDIT_CODE,
    DATE,
    ID_NUMBER,
    MOBILE,
    TABLE,
    TEXTAREA,
    FormField,
    form_fields,
)
from yiwang.licences.pdf import CJK_FONT, new_canvas, wrap_text

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 50
LABEL_WIDTH = 150
ROW_HEIGHT = 23
LABEL_SIZE = 10.5
NOTE_SIZE = 8
GREY = Color(0.45, 0.45, 0.45)
TABLE_BLANK_ROWS = 3
# Boxes, one per character, for the identifiers a clerk types in from the paper.
CHARACTER_BOXES = {ID_NUMBER: 18, CREDIT_CODE: 18, MOBILE: 11}
DECLARATION = "本人（本单位）承诺：所填内容及提交的材料真实、合法、有效，如有虚假，愿承担相应的法律责任。"


def identity_fields(applicant_kind: str) -> list[FormField]:
    """Who applies: on paper the identity is written in, where online it comes from the account."""
    if applicant_kind == "enterprise":
        return [FormField("applicant_name", "申请单位名称", "Applicant"),
                FormField("applicant_credit_code", "统一社会信用代码", "Unified social credit code", kind=CREDIT_CODE)]
    return [FormField("applicant_name", "申请人姓名", "Applicant"),
            FormField("applicant_id_number", "公民身份号码", "ID card number", kind=ID_NUMBER)]


def render_blank_form_pdf(*, item_name: str, item_code: str, department_name: str, material_name: str,
                          definition: Sequence[FormField], applicant_kind: str, created_at: dt.datetime,
                          apply_url: str = "") -> bytes:
    """The blank form as PDF bytes. `definition` is the item's own fields; the identity and contact
    fields are added for `applicant_kind` ("resident" or "enterprise"). `apply_url`, when given, is
    printed as where the same form can be filled online."""
    buffer = io.BytesIO()
    pdf = new_canvas(buffer, title=f"{material_name}（空白）", author=department_name,
                     subject=f"{item_name}（事项编码：{item_code}）", keywords=item_code, created_at=created_at)
    page = _Page(pdf, heading=f"{item_name} · {material_name}")
    page.title(material_name, f"事项：{item_name}（{item_code}）    受理部门：{department_name}")
    asked = [*identity_fields(applicant_kind), *form_fields(applicant_kind=applicant_kind, definition=definition)]
    labels = {f.name: f for f in asked}
    for f in asked:
        page.field(f, condition=_condition_text(f, labels))
    page.note("带 * 的为必填项。选择项请在相应方框内打“√”。" + (f"本表也可在线填写：{apply_url}" if apply_url else ""))
    page.declaration()
    pdf.save()
    return buffer.getvalue()


def _condition_text(f: FormField, fields: dict[str, FormField]) -> str:
    if f.show_if is None:
        return ""
    earlier = fields.get(f.show_if.field)
    if earlier is None:
        return ""
    chosen = "或".join(f"“{earlier.option_label(value)}”" for value in f.show_if.values)
    return f"（“{earlier.label}”选{chosen}时填写）"


class _Page:
    """Rows drawn downwards, a new page (with the running heading) when the next row does not fit."""

    def __init__(self, pdf, *, heading: str):
        self.pdf = pdf
        self.heading = heading
        self.number = 1
        self.y = PAGE_HEIGHT - MARGIN

    def _room(self, height: float) -> None:
        if self.y - height < MARGIN + 20:
            self._footer()
            self.pdf.showPage()
            self.number += 1
            self.pdf.setFont(CJK_FONT, NOTE_SIZE)
            self.pdf.setFillColor(GREY)
            self.pdf.drawString(MARGIN, PAGE_HEIGHT - MARGIN + 12, self.heading)
            self.pdf.setFillColor(black)
            self.y = PAGE_HEIGHT - MARGIN

    def _footer(self) -> None:
        self.pdf.setFont(CJK_FONT, NOTE_SIZE)
        self.pdf.setFillColor(GREY)
        self.pdf.drawCentredString(PAGE_WIDTH / 2, MARGIN - 20, f"第 {self.number} 页")
        self.pdf.setFillColor(black)

    def title(self, text: str, subtitle: str) -> None:
        self.pdf.setFont(CJK_FONT, 20)
        self.pdf.drawCentredString(PAGE_WIDTH / 2, self.y - 20, text)
        self.pdf.setFont(CJK_FONT, 9)
        for line in wrap_text(subtitle, CJK_FONT, 9, PAGE_WIDTH - 2 * MARGIN):
            self.y -= 14
            self.pdf.drawCentredString(PAGE_WIDTH / 2, self.y - 30, line)
        self.y -= 50

    def field(self, f: FormField, *, condition: str) -> None:
        label = ("* " if f.required and not f.show_if else "") + f.label + condition
        if f.kind == TABLE:  # the label spans the grid below it
            self._table(f, wrap_text(label, CJK_FONT, LABEL_SIZE, PAGE_WIDTH - 2 * MARGIN - 12))
            return
        label_lines = wrap_text(label, CJK_FONT, LABEL_SIZE, LABEL_WIDTH - 12)
        value_height = ROW_HEIGHT * (3 if f.kind == TEXTAREA else 1)
        if f.kind in (CHOICE, CHOICES):
            option_lines = self._option_lines(f)
            value_height = max(value_height, 16 * len(option_lines) + 10)
        height = max(value_height, 13 * len(label_lines) + 10)
        self._room(height)
        top, left, right = self.y, MARGIN, PAGE_WIDTH - MARGIN
        self.pdf.rect(left, top - height, right - left, height)
        self.pdf.line(left + LABEL_WIDTH, top, left + LABEL_WIDTH, top - height)
        self._label(label_lines, top, height)
        value_x = left + LABEL_WIDTH + 8
        if f.kind in CHARACTER_BOXES:
            self._character_boxes(value_x, top - height / 2 - 8, CHARACTER_BOXES[f.kind])
        elif f.kind == DATE:
            self.pdf.setFont(CJK_FONT, LABEL_SIZE)
            self.pdf.drawString(value_x + 60, top - height / 2 - 4, "年          月          日")
        elif f.kind in (CHOICE, CHOICES):
            self._options(option_lines, value_x, top)
        self.y -= height

    def _label(self, lines: list[str], top: float, height: float) -> None:
        self.pdf.setFont(CJK_FONT, LABEL_SIZE)
        y = top - (height - 13 * len(lines)) / 2 - 10
        for line in lines:
            self.pdf.drawString(MARGIN + 6, y, line)
            y -= 13

    def _option_lines(self, f: FormField) -> list[list[str]]:
        """The options laid out in lines that fit the value column (each option: a box and its label)."""
        width = PAGE_WIDTH - 2 * MARGIN - LABEL_WIDTH - 16
        lines, current, used = [], [], 0.0
        suffix = ["（可多选）"] if f.kind == CHOICES else []
        for label in [option.label for option in f.options] + suffix:
            needed = stringWidth(label, CJK_FONT, LABEL_SIZE) + 24
            if current and used + needed > width:
                lines.append(current)
                current, used = [], 0.0
            current.append(label)
            used += needed
        lines.append(current)
        return lines

    def _options(self, lines: list[list[str]], x: float, top: float) -> None:
        self.pdf.setFont(CJK_FONT, LABEL_SIZE)
        y = top - 18
        for line in lines:
            cursor = x
            for label in line:
                if label != "（可多选）":
                    self.pdf.rect(cursor, y - 1, 9, 9)
                    cursor += 13
                self.pdf.drawString(cursor, y, label)
                cursor += stringWidth(label, CJK_FONT, LABEL_SIZE) + 11
            y -= 16

    def _character_boxes(self, x: float, y: float, count: int) -> None:
        size = 16
        for n in range(count):
            self.pdf.rect(x + n * size, y, size, size)

    def _table(self, f: FormField, label_lines: list[str]) -> None:
        columns = list(f.columns)
        rows = max(f.min_rows, TABLE_BLANK_ROWS)
        width = PAGE_WIDTH - 2 * MARGIN
        cell_width = width / max(len(columns), 1)
        header_lines = [wrap_text(column.label, CJK_FONT, 9, cell_width - 6) for column in columns]
        header_height = 12 * max((len(lines) for lines in header_lines), default=1) + 8
        height = 13 * len(label_lines) + 10 + header_height + rows * ROW_HEIGHT
        self._room(height)
        top, left = self.y, MARGIN
        self.pdf.rect(left, top - height, width, height)
        self.pdf.setFont(CJK_FONT, LABEL_SIZE)
        y = top - 14
        for line in label_lines:
            self.pdf.drawString(left + 6, y, line)
            y -= 13
        grid_top = top - 13 * len(label_lines) - 10
        self.pdf.line(left, grid_top, left + width, grid_top)
        self.pdf.setFont(CJK_FONT, 9)
        for n, lines in enumerate(header_lines):
            if n:
                self.pdf.line(left + n * cell_width, grid_top, left + n * cell_width, top - height)
            for k, line in enumerate(lines):
                self.pdf.drawString(left + n * cell_width + 4, grid_top - 12 - 12 * k, line)
        row_top = grid_top - header_height
        for _ in range(rows):
            self.pdf.line(left, row_top, left + width, row_top)
            row_top -= ROW_HEIGHT
        self.y -= height

    def note(self, text: str) -> None:
        lines = wrap_text(text, CJK_FONT, NOTE_SIZE + 1, PAGE_WIDTH - 2 * MARGIN)
        self._room(12 * len(lines) + 8)
        self.pdf.setFont(CJK_FONT, NOTE_SIZE + 1)
        self.pdf.setFillColor(GREY)
        for line in lines:
            self.y -= 12
            self.pdf.drawString(MARGIN, self.y, line)
        self.pdf.setFillColor(black)
        self.y -= 8

    def declaration(self) -> None:
        lines = wrap_text(DECLARATION, CJK_FONT, LABEL_SIZE, PAGE_WIDTH - 2 * MARGIN)
        self._room(16 * len(lines) + 80)
        self.pdf.setFont(CJK_FONT, LABEL_SIZE)
        for line in lines:
            self.y -= 16
            self.pdf.drawString(MARGIN, self.y, line)
        self.y -= 40
        self.pdf.drawString(PAGE_WIDTH / 2, self.y, "申请人签字（盖章）：")
        self.y -= 28
        self.pdf.drawString(PAGE_WIDTH / 2, self.y, "日期：          年      月      日")
        self._footer()
        self.pdf.showPage()
