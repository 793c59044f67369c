"""What the shared form partial (`applications/_form_fields.html`) renders: used by the case pages
and by the 一件事 pages, which ask the same applicant fields once for every member."""

from __future__ import annotations

from dataclasses import dataclass

from yiwang.applications.forms_schema import FormField
from yiwang.core.i18n import say


@dataclass
class FieldRow:
    name: str
    label: str
    required: bool
    multiline: bool
    max_length: int
    value: str
    error: str = ""


def field_rows(fields: list[FormField], values: dict, errors: dict[str, str] | None = None) -> list[FieldRow]:
    """One row per form field, labelled in the reader's language, with its value and error."""
    errors = errors or {}
    return [
        FieldRow(
            name=f.name,
            label=say(f.label, f.label_en),
            required=f.required,
            multiline=f.multiline,
            max_length=f.max_length,
            value=values.get(f.name, ""),
            error=errors.get(f.name, ""),
        )
        for f in fields
    ]
