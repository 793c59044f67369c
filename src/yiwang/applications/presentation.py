"""What the shared form partial (`applications/_form_fields.html`) renders, and how a posted form
is read back: used by the case pages, the hall's counter and the 一件事 pages (one form for every
member)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from yiwang.catalog import application_forms as forms
from yiwang.catalog.application_forms import FormField
from yiwang.core.i18n import english, say

__all__ = ["FieldRow", "OptionRow", "field_rows", "posted_form_values", "read_only_rows"]


@dataclass
class OptionRow:
    value: str
    label: str
    selected: bool


@dataclass
class FieldRow:
    name: str
    label: str
    required: bool
    multiline: bool
    max_length: int
    value: Any
    error: str = ""
    kind: str = forms.TEXT
    help: str = ""
    options: list[OptionRow] = field(default_factory=list)
    show_if_field: str = ""  # the page shows the field only while that field has one of show_if_values
    show_if_values: str = ""  # space-separated
    hidden: bool = False  # hidden now (its condition fails with the values shown)
    columns: list[FieldRow] = field(default_factory=list)  # a table's columns (label, kind, required)
    rows: list[list[FieldRow]] = field(default_factory=list)  # a table's rows of cells (value, error, input name)
    input_type: str = "text"
    input_mode: str = ""
    minimum: str = ""
    maximum: str = ""


_INPUT_TYPES = {forms.DATE: ("date", ""), forms.NUMBER: ("text", "decimal"), forms.MONEY: ("text", "decimal"),
                forms.MOBILE: ("tel", "tel"), forms.ID_NUMBER: ("text", ""), forms.CREDIT_CODE: ("text", "")}


def _row(f: FormField, value: Any, error: str, *, name: str | None = None, hidden: bool = False) -> FieldRow:
    if isinstance(value, list):
        chosen = {v for v in value if isinstance(v, str)}  # several choices (a table's rows are not choices)
    else:
        chosen = {value} if isinstance(value, str) and value else set()
    input_type, input_mode = _INPUT_TYPES.get(f.kind, ("text", ""))
    return FieldRow(
        name=name or f.name, label=say(f.label, f.label_en), required=f.required, multiline=f.kind == forms.TEXTAREA or f.multiline,
        max_length=f.max_length, value=value if value is not None else "", error=error, kind=f.kind,
        help=say(f.help, f.help_en) if f.help else "",
        options=[OptionRow(o.value, say(o.label, o.label_en), o.value in chosen) for o in f.options],
        show_if_field=f.show_if.field if f.show_if else "", show_if_values=" ".join(f.show_if.values) if f.show_if else "",
        hidden=hidden, input_type=input_type, input_mode=input_mode,
        minimum=f.minimum if f.kind == forms.DATE and f.minimum != "today" else "",
        maximum=f.maximum if f.kind == forms.DATE and f.maximum != "today" else "",
    )


def field_rows(fields: Sequence[FormField], values: Mapping[str, Any], errors: Mapping[str, str] | None = None) -> list[FieldRow]:
    """One row per form field, labelled in the reader's language, with its value and error; a
    table brings its rows (the stored ones and blank ones up to its maximum, at least one)."""
    errors = errors or {}
    shown = {f.name for f in forms.visible_fields(fields, values)}
    rows = []
    for f in fields:
        value = values.get(f.name, [] if f.kind in (forms.CHOICES, forms.TABLE) else "")
        row = _row(f, value, errors.get(f.name, ""), hidden=f.name not in shown)
        if f.kind == forms.TABLE:
            stored = value if isinstance(value, list) else []
            row.columns = [_row(c, "", "") for c in f.columns]
            count = min(max(len(stored) + 1, f.min_rows, 1), f.max_rows)
            row.rows = [[_row(c, (stored[n] if n < len(stored) and isinstance(stored[n], Mapping) else {}).get(c.name, ""),
                              errors.get(f"{f.name}.{n}.{c.name}", ""), name=f"{f.name}.{n}.{c.name}")
                         for c in f.columns] for n in range(count)]
        rows.append(row)
    return rows


def read_only_rows(fields: Sequence[FormField], values: Mapping[str, Any]) -> list[dict[str, str]]:
    """{"label", "value"} of every field asked (its value as a person reads it, "" when empty), for
    a case page or a result document."""
    in_english = english()
    return [{"label": say(f.label, f.label_en), "value": forms.display_value(f, values.get(f.name), english=in_english)}
            for f in forms.visible_fields(fields, values)]


_CELL = re.compile(r"^(?P<field>[a-z][a-z0-9_]*)\.(?P<row>\d{1,2})\.(?P<column>[a-z][a-z0-9_]*)$")


def posted_form_values(post, fields: Sequence[FormField]) -> dict[str, Any]:
    """The form fields present in a posted form (a QueryDict): text as posted, several choices
    as a list (a hidden ``<name>`` marker of "" lets an empty choice be posted), a table as its
    rows from the ``<name>.<row>.<column>`` inputs. Fields not in the post are left out, so a
    partial save keeps the rest."""
    values: dict[str, Any] = {}
    tables = {f.name: f for f in fields if f.kind == forms.TABLE}
    cells: dict[str, dict[int, dict[str, str]]] = {}
    for key in post:
        match = _CELL.match(key)
        if match and match["field"] in tables and int(match["row"]) < tables[match["field"]].max_rows:
            cells.setdefault(match["field"], {}).setdefault(int(match["row"]), {})[match["column"]] = post.get(key, "")
    for f in fields:
        if f.kind == forms.TABLE:
            if f.name in cells:
                values[f.name] = [cells[f.name][n] for n in sorted(cells[f.name])]
        elif f.kind == forms.CHOICES:
            if f.name in post:
                values[f.name] = [v for v in post.getlist(f.name) if v]
        elif f.name in post:
            values[f.name] = post.get(f.name, "")
    return values
