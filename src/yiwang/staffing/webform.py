"""The planner page's form as a planner input document, and back (pure: no Django).

The page shows one row per queue: a name, the arrivals per hour and the mean service minutes. A
row's arrivals (or service time) may be one number, or one number per interval separated by
commas or spaces ("12, 18, 15"): the same document the command and the API read, so the three
refuse and answer alike. Blank rows are left out; a value that is not a number is refused here
with the row it is in, since "queues[3].arrivals_per_hour" means nothing to a hall manager.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from yiwang.core.errors import ValidationFailed
from yiwang.staffing import constants as c

__all__ = ["FormRow", "PlannerForm", "document_from_form", "form_from_document", "EMPTY_ROWS"]

EMPTY_ROWS = 3  # rows on a fresh page
MAX_ROWS = c.MAX_QUEUES
_SEPARATORS = re.compile(r"[\s,，、;；]+")


@dataclass
class FormRow:
    name: str = ""
    arrivals: str = ""
    service: str = ""

    @property
    def blank(self) -> bool:
        return not (self.name.strip() or self.arrivals.strip() or self.service.strip())


@dataclass
class PlannerForm:
    """What the page shows in its fields (text, as typed)."""

    wait_seconds: str = "900"
    service_level: str = "0.8"
    patience_minutes: str = ""
    interval_minutes: str = ""
    rows: list[FormRow] = field(default_factory=lambda: [FormRow() for _ in range(EMPTY_ROWS)])

    @classmethod
    def from_post(cls, data: Mapping[str, Any]) -> PlannerForm:
        """The fields of a submitted form (a QueryDict or a dict of lists)."""
        def one(key: str) -> str:
            value = data.get(key, "")
            if isinstance(value, list):
                value = value[-1] if value else ""
            return str(value).strip()

        def many(key: str) -> list[str]:
            getter = getattr(data, "getlist", None)
            values = getter(key) if getter else data.get(key, [])
            return list(values) if isinstance(values, list) else [values]

        names, arrivals, services = many("name"), many("arrivals"), many("service")
        count = min(max(len(names), len(arrivals), len(services)), MAX_ROWS + 1)

        def at(values: list[str], n: int) -> str:
            return values[n] if n < len(values) else ""

        rows = [FormRow(at(names, n), at(arrivals, n), at(services, n)) for n in range(count)]
        return cls(wait_seconds=one("wait_seconds"), service_level=one("service_level"),
                   patience_minutes=one("patience_minutes"), interval_minutes=one("interval_minutes"), rows=rows)

    def with_extra_row(self) -> PlannerForm:
        if len(self.rows) < MAX_ROWS:
            self.rows.append(FormRow())
        return self


def _refuse(message: str, message_en: str, path: str) -> ValidationFailed:
    return ValidationFailed(c.NOT_A_NUMBER, message, message_en, details={"path": path})


def _number(text: str, path: str, what: str, what_en: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _refuse(f"{what}“{text}”不是数字。", f"{what_en}: {text!r} is not a number.", path) from None
    if not math.isfinite(value):
        raise _refuse(f"{what}“{text}”不是数字。", f"{what_en}: {text!r} is not a number.", path)
    return value


def _values(text: str, path: str, what: str, what_en: str) -> float | list[float] | None:
    parts = [part for part in _SEPARATORS.split(text.strip()) if part]
    if not parts:
        return None
    if len(parts) > c.MAX_INTERVALS:
        raise ValidationFailed(c.BAD_INTERVALS, f"{what}的时段过多（至多 {c.MAX_INTERVALS} 个）。",
                               f"{what_en}: too many intervals (at most {c.MAX_INTERVALS}).", details={"path": path})
    numbers = [_number(part, path, what, what_en) for part in parts]
    return numbers[0] if len(numbers) == 1 else numbers


def document_from_form(form: PlannerForm) -> dict[str, Any]:
    """The planner input document the form describes; ValidationFailed for a value that is no number.

    Missing values are left out of the document, so `planner.parse_request` names them.
    """
    target: dict[str, Any] = {}
    for key, text, what, what_en in (("wait_seconds", form.wait_seconds, "目标等候时间", "The target wait"),
                                     ("service_level", form.service_level, "服务水平", "The service level"),
                                     ("patience_minutes", form.patience_minutes, "平均耐心时长", "The mean patience")):
        if text.strip():
            target[key] = _number(text.strip(), f"target.{key}", what, what_en)
    document: dict[str, Any] = {"target": target, "queues": []}
    if form.interval_minutes.strip():
        document["interval_minutes"] = _number(form.interval_minutes.strip(), "interval_minutes", "时段长度",
                                               "The interval length")
    rows = [row for row in form.rows if not row.blank]
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(c.TOO_MANY_QUEUES, f"队列过多（至多 {c.MAX_QUEUES} 个）。",
                               f"Too many queues (at most {c.MAX_QUEUES}).", details={"path": "queues"})
    for position, row in enumerate(rows):
        path = f"queues[{position}]"
        label, label_en = f"第 {position + 1} 行的", f"Row {position + 1}"
        queue: dict[str, Any] = {"name": row.name.strip()}
        arrivals = _values(row.arrivals, f"{path}.arrivals_per_hour", f"{label}到达量", f"{label_en} arrivals")
        service = _values(row.service, f"{path}.mean_service_minutes", f"{label}办理时长", f"{label_en} service time")
        if arrivals is not None:
            queue["arrivals_per_hour"] = arrivals
        if service is not None:
            queue["mean_service_minutes"] = service
        document["queues"].append(queue)
    return document


def _text(value: Any) -> str:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def form_from_document(document: Mapping[str, Any]) -> PlannerForm:
    """The fields that show an input document (a scenario, the hall's history) on the page."""
    target = document.get("target") or {}
    rows = [FormRow(_text(q.get("name")), _text(q.get("arrivals_per_hour")), _text(q.get("mean_service_minutes")))
            for q in document.get("queues") or []]
    return PlannerForm(wait_seconds=_text(target.get("wait_seconds", 900)), service_level=_text(target.get("service_level", 0.8)),
                       patience_minutes=_text(target.get("patience_minutes")),
                       interval_minutes=_text(document.get("interval_minutes")), rows=rows or [FormRow()])
