"""Application forms (申请表) as data: each item's own fields, checked and cleaned (pure: no database).

An item's form is part of its catalogue entry (``"form": {"fields": [...]}``) and is frozen with
the case at submission like the rest of the item's rules. The applicant's contact fields (phone,
address; the contact person for a company) and the remarks are asked by every form; an item's
own fields come first. A field definition::

    {"name": "business_name", "label": "个体工商户名称", "label_en": "Name of the business",
     "kind": "text", "required": true, "max_length": 50,
     "help": "…", "help_en": "…",                                   # optional
     "show_if": {"field": "has_name", "values": ["yes"]},           # optional: asked only then
     "prefill": "applicant.real_name",                              # optional: see PREFILL_SOURCES
     "options": [{"value": "yes", "label": "是", "label_en": "Yes"}],  # choice / choices
     "min": 0, "max": 100,                                          # number / money / date ("today")
     "columns": [...field definitions...], "min_rows": 1, "max_rows": 10}  # table

Kinds: text, textarea, number, money (元, two decimals), date (YYYY-MM-DD), choice (one of the
options), choices (several), address, id_number and credit_code (check characters verified),
mobile, table (rows of the columns' fields). Values are strings, a list of strings for choices
and a list of rows (objects of strings) for a table. A field hidden by its ``show_if`` is not
required and its value is dropped when the form is cleaned, so a changed answer never leaves a
stale value behind.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from yiwang.core import clock
from yiwang.core.identifiers import IdentifierError, normalize_credit_code, normalize_id_card, normalize_mobile

TEXT, TEXTAREA, NUMBER, MONEY, DATE = "text", "textarea", "number", "money", "date"
CHOICE, CHOICES, ADDRESS, ID_NUMBER, CREDIT_CODE, MOBILE, TABLE = (
    "choice", "choices", "address", "id_number", "credit_code", "mobile", "table")
KINDS = (TEXT, TEXTAREA, NUMBER, MONEY, DATE, CHOICE, CHOICES, ADDRESS, ID_NUMBER, CREDIT_CODE, MOBILE, TABLE)
COLUMN_KINDS = tuple(kind for kind in KINDS if kind not in (TABLE, TEXTAREA, CHOICES))
# Where a field may be prefilled from: the applicant's own account (verified at registration).
PREFILL_SOURCES = ("applicant.real_name", "applicant.id_number", "applicant.phone", "applicant.credit_code")
DEFAULT_MAX_LENGTH = {TEXT: 200, TEXTAREA: 2000, ADDRESS: 200, NUMBER: 20, MONEY: 20, DATE: 10, CHOICE: 50,
                      CHOICES: 50, ID_NUMBER: 18, CREDIT_CODE: 18, MOBILE: 11, TABLE: 200}
MAX_FIELDS = 80
MAX_TABLE_ROWS = 50
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RESERVED_NAMES = frozenset({"contact_name", "phone", "address", "remarks"})


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    label_en: str


@dataclass(frozen=True)
class Condition:
    """Asked only when the earlier field `field` has one of `values` (for choices: contains one)."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    label_en: str
    required: bool = True
    max_length: int = 200
    multiline: bool = False
    kind: str = TEXT
    help: str = ""
    help_en: str = ""
    options: tuple[Option, ...] = ()
    show_if: Condition | None = None
    prefill: str = ""
    minimum: str = ""  # number/money: a number; date: YYYY-MM-DD or "today"
    maximum: str = ""
    columns: tuple[FormField, ...] = ()
    min_rows: int = 0
    max_rows: int = 10

    def option_label(self, value: str, english: bool = False) -> str:
        for option in self.options:
            if option.value == value:
                return (option.label_en or option.label) if english else option.label
        return value


# ---------------------------------------------------------------------------------------------
# The fields every form asks
# ---------------------------------------------------------------------------------------------

def default_form_fields(*, applicant_kind: str) -> list[FormField]:
    """The contact fields every form asks (a company also names its contact person) and the remarks."""
    head = [FormField("contact_name", "经办人姓名", "Contact person", max_length=50)] if applicant_kind == "enterprise" else []
    return head + [
        FormField("phone", "联系电话（手机）", "Mobile phone", max_length=11, kind=MOBILE, prefill="applicant.phone"),
        FormField("address", "联系地址", "Address", kind=ADDRESS),
        FormField("remarks", "申请事由及说明", "Purpose and remarks", required=False, max_length=2000, multiline=True,
                  kind=TEXTAREA),
    ]


def form_fields(*, applicant_kind: str, definition: Sequence[FormField] = ()) -> list[FormField]:
    """An item's whole form: its own fields first, then the contact fields and the remarks."""
    common = default_form_fields(applicant_kind=applicant_kind)
    return [*definition, *common]


def merged_fields(forms: Sequence[Sequence[FormField]]) -> list[FormField]:
    """One form for several items (a 一件事): every field once, first definition wins, in order;
    a field required by any item is required."""
    merged: dict[str, FormField] = {}
    for fields in forms:
        for f in fields:
            if f.name not in merged:
                merged[f.name] = f
            elif f.required and not merged[f.name].required:
                merged[f.name] = replace(merged[f.name], required=True)
    common = [f for f in merged.values() if f.name in RESERVED_NAMES]
    own = [f for f in merged.values() if f.name not in RESERVED_NAMES]
    return own + common


# ---------------------------------------------------------------------------------------------
# Reading a definition (catalogue import, the back office's form editor)
# ---------------------------------------------------------------------------------------------

class FormDefinitionError(ValueError):
    """A form definition that cannot be used; `errors` lists every fault, each naming its field."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _bound(raw: Any, kind: str, where: str, errors: list[str]) -> str:
    if raw in (None, ""):
        return ""
    if kind == DATE:
        if raw == "today":
            return raw
        try:
            dt.date.fromisoformat(str(raw))
        except ValueError:
            errors.append(f"{where}: a date bound is YYYY-MM-DD or \"today\"")
            return ""
        return str(raw)
    try:
        return str(Decimal(str(raw)))
    except InvalidOperation:
        errors.append(f"{where}: min/max must be numbers")
        return ""


def _parse_field(raw: Any, where: str, errors: list[str], *, column: bool = False) -> FormField | None:
    if not isinstance(raw, Mapping):
        errors.append(f"{where}: a field is an object")
        return None
    name = _text(raw.get("name"))
    where = f"{where} ({name})" if name else where
    if not _NAME.fullmatch(name):
        errors.append(f"{where}: name must be lower-case letters, digits and _ (starting with a letter, at most 40)")
    elif not column and name in RESERVED_NAMES:
        errors.append(f"{where}: {name} is asked by every form; choose another name")
    kind = _text(raw.get("kind")) or TEXT
    allowed = COLUMN_KINDS if column else KINDS
    if kind not in allowed:
        errors.append(f"{where}: kind must be one of {', '.join(allowed)}")
        kind = TEXT
    label, label_en = _text(raw.get("label")), _text(raw.get("label_en"))
    if not label or not label_en:
        errors.append(f"{where}: label and label_en are both required")
    options: list[Option] = []
    if kind in (CHOICE, CHOICES):
        for n, option in enumerate(raw.get("options") or []):
            if not isinstance(option, Mapping) or not _text(option.get("value")) or not _text(option.get("label")):
                errors.append(f"{where}: option {n + 1} needs a value and a label")
                continue
            options.append(Option(_text(option.get("value")), _text(option.get("label")),
                                  _text(option.get("label_en")) or _text(option.get("label"))))
        if len(options) < 2:
            errors.append(f"{where}: a choice needs at least two options")
        if len({o.value for o in options}) != len(options):
            errors.append(f"{where}: option values must differ")
    max_length = raw.get("max_length", DEFAULT_MAX_LENGTH[kind])
    if isinstance(max_length, bool) or not isinstance(max_length, int) or not 1 <= max_length <= 5000:
        errors.append(f"{where}: max_length must be a whole number from 1 to 5000")
        max_length = DEFAULT_MAX_LENGTH[kind]
    prefill = _text(raw.get("prefill"))
    if prefill and prefill not in PREFILL_SOURCES:
        errors.append(f"{where}: prefill must be one of {', '.join(PREFILL_SOURCES)}")
    condition = None
    if raw.get("show_if") is not None:
        show_if = raw.get("show_if")
        values = show_if.get("values") if isinstance(show_if, Mapping) else None
        if not isinstance(show_if, Mapping) or not _text(show_if.get("field")) or not isinstance(values, list) or not values:
            errors.append(f"{where}: show_if is {{\"field\": name, \"values\": [...]}}")
        else:
            condition = Condition(_text(show_if.get("field")), tuple(str(v) for v in values))
    columns: list[FormField] = []
    min_rows, max_rows = raw.get("min_rows", 1 if raw.get("required", True) else 0), raw.get("max_rows", 10)
    if kind == TABLE:
        for n, column_raw in enumerate(raw.get("columns") or []):
            parsed = _parse_field(column_raw, f"{where} column {n + 1}", errors, column=True)
            if parsed is not None:
                columns.append(parsed)
        if not columns:
            errors.append(f"{where}: a table needs columns")
        if len({c.name for c in columns}) != len(columns):
            errors.append(f"{where}: column names must differ")
        if not (isinstance(min_rows, int) and isinstance(max_rows, int) and 0 <= min_rows <= max_rows <= MAX_TABLE_ROWS):
            errors.append(f"{where}: 0 <= min_rows <= max_rows <= {MAX_TABLE_ROWS}")
            min_rows, max_rows = 0, 10
    required = raw.get("required", True)
    if not isinstance(required, bool):
        errors.append(f"{where}: required is true or false")
        required = True
    return FormField(
        name=name, label=label, label_en=label_en, required=required, max_length=max_length,
        multiline=kind == TEXTAREA, kind=kind, help=_text(raw.get("help")), help_en=_text(raw.get("help_en")),
        options=tuple(options), show_if=condition, prefill=prefill,
        minimum=_bound(raw.get("min"), kind, where, errors), maximum=_bound(raw.get("max"), kind, where, errors),
        columns=tuple(columns), min_rows=min_rows if kind == TABLE else 0, max_rows=max_rows if kind == TABLE else 0,
    )


def parse_form_definition(raw: Any) -> tuple[FormField, ...]:
    """An item's own fields from its catalogue entry's ``form`` (None or {} for none).

    Raises FormDefinitionError listing every fault: unknown kinds, duplicate or reserved names,
    a choice without options, a ``show_if`` that names no earlier choice field or none of its
    values, an unknown prefill source, bad bounds.
    """
    if raw in (None, {}):
        return ()
    errors: list[str] = []
    if not isinstance(raw, Mapping) or not isinstance(raw.get("fields"), list):
        raise FormDefinitionError(["form must be an object with a list of fields"])
    if len(raw["fields"]) > MAX_FIELDS:
        errors.append(f"a form has at most {MAX_FIELDS} fields")
    fields: list[FormField] = []
    for n, field_raw in enumerate(raw["fields"][:MAX_FIELDS]):
        parsed = _parse_field(field_raw, f"field {n + 1}", errors)
        if parsed is None:
            continue
        if any(f.name == parsed.name for f in fields):
            errors.append(f"field {n + 1} ({parsed.name}): the name is used twice")
        if parsed.show_if is not None:
            earlier = next((f for f in fields if f.name == parsed.show_if.field), None)
            if earlier is None or earlier.kind not in (CHOICE, CHOICES):
                errors.append(f"field {n + 1} ({parsed.name}): show_if must name an earlier choice field")
            elif not set(parsed.show_if.values) <= {o.value for o in earlier.options}:
                errors.append(f"field {n + 1} ({parsed.name}): show_if values must be options of {earlier.name}")
        fields.append(parsed)
    if errors:
        raise FormDefinitionError(errors)
    return tuple(fields)


def field_as_dict(f: FormField) -> dict[str, Any]:
    """One field in the catalogue's shape (what the API and the form editor show)."""
    body: dict[str, Any] = {"name": f.name, "label": f.label, "label_en": f.label_en, "kind": f.kind,
                            "required": f.required, "max_length": f.max_length}
    for key, value in (("help", f.help), ("help_en", f.help_en), ("prefill", f.prefill),
                       ("min", f.minimum), ("max", f.maximum)):
        if value:
            body[key] = value
    if f.options:
        body["options"] = [{"value": o.value, "label": o.label, "label_en": o.label_en} for o in f.options]
    if f.show_if:
        body["show_if"] = {"field": f.show_if.field, "values": list(f.show_if.values)}
    if f.kind == TABLE:
        body.update(columns=[field_as_dict(c) for c in f.columns], min_rows=f.min_rows, max_rows=f.max_rows)
    return body


def definition_as_dict(fields: Sequence[FormField]) -> dict[str, Any]:
    """The catalogue form of parsed fields (the inverse of `parse_form_definition`)."""
    return {"fields": [field_as_dict(f) for f in fields]} if fields else {}


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------

def _selected(value: Any) -> set[str]:
    if isinstance(value, list):
        return {v for v in value if isinstance(v, str)}
    return {value} if isinstance(value, str) and value else set()


def visible_fields(fields: Sequence[FormField], values: Mapping[str, Any]) -> list[FormField]:
    """The fields asked given the answers so far: a field whose condition fails is hidden, and so
    is every field that depends on a hidden one."""
    shown: dict[str, FormField] = {}
    for f in fields:
        if f.show_if is not None:
            if f.show_if.field not in shown or not (_selected(values.get(f.show_if.field)) & set(f.show_if.values)):
                continue
        shown[f.name] = f
    return list(shown.values())


def prefill_values(fields: Sequence[FormField], identity: Mapping[str, str]) -> dict[str, str]:
    """Values a new draft starts with, from the applicant's account (``identity``: real_name,
    id_number, phone, credit_code)."""
    values = {}
    for f in fields:
        if f.prefill and identity.get(f.prefill.removeprefix("applicant.")):
            values[f.name] = identity[f.prefill.removeprefix("applicant.")]
    return values


Message = tuple[str, str]


def _decimal(text: str, f: FormField, *, places: int | None) -> tuple[str | None, Message | None]:
    cleaned = text.replace(",", "").replace("，", "").replace(" ", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None, (f"“{f.label}”应为数字。", f"'{f.label_en}' must be a number.")
    if not number.is_finite():
        return None, (f"“{f.label}”应为数字。", f"'{f.label_en}' must be a number.")
    if places is not None:
        if number.as_tuple().exponent < -places:
            return None, (f"“{f.label}”最多保留 {places} 位小数。", f"'{f.label_en}' has at most {places} decimal places.")
        number = number.quantize(Decimal(1).scaleb(-places))
    if f.minimum and number < Decimal(f.minimum):
        return None, (f"“{f.label}”不能小于 {f.minimum}。", f"'{f.label_en}' cannot be less than {f.minimum}.")
    if f.maximum and number > Decimal(f.maximum):
        return None, (f"“{f.label}”不能大于 {f.maximum}。", f"'{f.label_en}' cannot be more than {f.maximum}.")
    return str(number), None


def _date_bound(bound: str) -> dt.date | None:
    if not bound:
        return None
    return clock.today() if bound == "today" else dt.date.fromisoformat(bound)


def _clean_scalar(f: FormField, raw: Any) -> tuple[Any, Message | None]:
    """(clean value, None) or (None, error) for a non-empty value of a scalar kind."""
    if f.kind == CHOICES:
        chosen = [raw] if isinstance(raw, str) else raw
        if not isinstance(chosen, list) or not all(isinstance(v, str) for v in chosen):
            return None, (f"“{f.label}”的选择无效。", f"'{f.label_en}': invalid choice.")
        allowed = [o.value for o in f.options]
        if any(v not in allowed for v in chosen):
            return None, (f"“{f.label}”的选择无效。", f"'{f.label_en}': invalid choice.")
        return [v for v in allowed if v in chosen], None
    if not isinstance(raw, str):
        return None, (f"“{f.label}”格式无效。", f"'{f.label_en}' has an invalid value.")
    value = raw.strip()
    if len(value) > f.max_length:
        return None, (f"“{f.label}”不能超过 {f.max_length} 个字符。", f"'{f.label_en}' must be at most {f.max_length} characters.")
    if f.kind == CHOICE:
        if value not in {o.value for o in f.options}:
            return None, (f"“{f.label}”的选择无效。", f"'{f.label_en}': invalid choice.")
        return value, None
    if f.kind == NUMBER:
        return _decimal(value, f, places=None)
    if f.kind == MONEY:
        return _decimal(value, f, places=2)
    if f.kind == DATE:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return None, (f"“{f.label}”应为日期，格式 YYYY-MM-DD。", f"'{f.label_en}' must be a date, YYYY-MM-DD.")
        earliest, latest = _date_bound(f.minimum), _date_bound(f.maximum)
        if earliest and day < earliest:
            return None, (f"“{f.label}”不能早于 {earliest.isoformat()}。", f"'{f.label_en}' cannot be before {earliest.isoformat()}.")
        if latest and day > latest:
            return None, (f"“{f.label}”不能晚于 {latest.isoformat()}。", f"'{f.label_en}' cannot be after {latest.isoformat()}.")
        return day.isoformat(), None
    normalizer = {ID_NUMBER: normalize_id_card, CREDIT_CODE: normalize_credit_code, MOBILE: normalize_mobile}.get(f.kind)
    if normalizer is not None:
        try:
            return normalizer(value), None
        except IdentifierError as error:  # its message names what it checked (ID card, credit code, mobile)
            return None, (error.message, error.message_en)
    return value, None


def _empty(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return not value
    return value is None


def _clean_table(f: FormField, raw: Any) -> tuple[list[dict[str, str]] | None, dict[str, Message]]:
    if not isinstance(raw, list) or not all(isinstance(row, Mapping) for row in raw):
        return None, {f.name: (f"“{f.label}”格式无效。", f"'{f.label_en}' has an invalid value.")}
    rows = [row for row in raw if any(not _empty(row.get(c.name, "")) for c in f.columns)]  # blank rows dropped
    errors: dict[str, Message] = {}
    if len(rows) > f.max_rows:
        errors[f.name] = (f"“{f.label}”最多 {f.max_rows} 行。", f"'{f.label_en}' has at most {f.max_rows} rows.")
        return None, errors
    if f.required and len(rows) < max(f.min_rows, 1):
        errors[f.name] = (f"“{f.label}”至少填写 {max(f.min_rows, 1)} 行。",
                          f"'{f.label_en}' needs at least {max(f.min_rows, 1)} rows.")
        return None, errors
    clean_rows = []
    for n, row in enumerate(rows, start=1):
        clean_row = {}
        for column in f.columns:
            value = row.get(column.name, "")
            key = f"{f.name}.{n - 1}.{column.name}"
            if _empty(value):
                if column.required:
                    errors[key] = (f"“{f.label}”第 {n} 行：请填写“{column.label}”。",
                                   f"'{f.label_en}' row {n}: '{column.label_en}' is required.")
                continue
            clean, error = _clean_scalar(column, value)
            if error:
                errors[key] = (f"“{f.label}”第 {n} 行：{error[0]}", f"'{f.label_en}' row {n}: {error[1]}")
            else:
                clean_row[column.name] = clean
        clean_rows.append(clean_row)
    return (None if errors else clean_rows), errors


def validate_form_data(fields: Sequence[FormField], data: Any) -> tuple[dict, dict[str, Message]]:
    """(clean data, errors by field as (Chinese, English)) of a form being submitted.

    Only the visible fields count: a hidden field is neither required nor kept. Unknown keys are
    dropped.
    """
    if not isinstance(data, Mapping):
        return {}, {"__all__": ("表单数据必须是对象。", "Form data must be an object.")}
    clean: dict[str, Any] = {}
    errors: dict[str, Message] = {}
    for f in visible_fields(fields, data):
        raw = data.get(f.name, "")
        if f.kind == TABLE:
            if _empty(raw):
                if f.required:
                    errors[f.name] = (f"请填写“{f.label}”。", f"'{f.label_en}' is required.")
                continue
            rows, table_errors = _clean_table(f, raw)
            errors.update(table_errors)
            if rows is not None:
                clean[f.name] = rows
            continue
        if raw is None or _empty(raw):
            if f.required:
                errors[f.name] = (f"请填写“{f.label}”。", f"'{f.label_en}' is required.")
            elif f.kind not in (CHOICES,):
                clean[f.name] = ""  # an optional field left empty is kept as asked and unanswered
            continue
        value, error = _clean_scalar(f, raw)
        if error:
            errors[f.name] = error
        else:
            clean[f.name] = value
    return clean, errors


MAX_UNKNOWN_NAMES_SHOWN = 10


def check_draft_values(fields: Sequence[FormField], data: Any) -> tuple[dict[str, Any], dict[str, Message]]:
    """What a draft may store of `data`: only the form's own fields, each of its shape and length.

    Returns (values to store, errors as (Chinese, English)); a partial form is fine (required
    fields and formats are checked at submission). Unknown names are one error ("__unknown__"), so
    a request with a hundred thousand of them costs one message, and nothing of it is stored.
    """
    if not isinstance(data, Mapping):
        return {}, {"__all__": ("表单数据必须是对象。", "Form data must be an object.")}
    by_name = {f.name: f for f in fields}
    unknown = sorted(str(name) for name in data if name not in by_name)
    errors: dict[str, Message] = {}
    if unknown:
        shown = "、".join(unknown[:MAX_UNKNOWN_NAMES_SHOWN]) + ("…" if len(unknown) > MAX_UNKNOWN_NAMES_SHOWN else "")
        shown_en = ", ".join(unknown[:MAX_UNKNOWN_NAMES_SHOWN]) + (", …" if len(unknown) > MAX_UNKNOWN_NAMES_SHOWN else "")
        errors["__unknown__"] = (f"申请表没有这些栏目：{shown}（共 {len(unknown)} 个）。",
                                 f"The form has no such fields: {shown_en} ({len(unknown)} in all).")
    values: dict[str, Any] = {}
    for name, raw in data.items():
        f = by_name.get(name)
        if f is None:
            continue
        if f.kind == TABLE:
            if not isinstance(raw, list) or len(raw) > MAX_TABLE_ROWS or not all(
                    isinstance(row, Mapping) and all(isinstance(k, str) and isinstance(v, str) and len(v) <= 5000
                                                     for k, v in row.items()) for row in raw):
                errors[name] = (f"“{f.label}”格式无效。", f"'{f.label_en}' has an invalid value.")
                continue
            allowed = {c.name for c in f.columns}
            values[name] = [{k: v for k, v in row.items() if k in allowed} for row in raw]
            continue
        if f.kind == CHOICES and isinstance(raw, list):
            if not all(isinstance(v, str) and len(v) <= f.max_length for v in raw) or len(raw) > len(f.options):
                errors[name] = (f"“{f.label}”的选择无效。", f"'{f.label_en}': invalid choice.")
                continue
            values[name] = list(raw)
            continue
        if not isinstance(raw, str):
            continue
        if len(raw) > f.max_length:
            errors[name] = (f"“{f.label}”不能超过 {f.max_length} 个字符。",
                            f"'{f.label_en}' must be at most {f.max_length} characters.")
            continue
        values[name] = raw
    return values, errors


def display_value(f: FormField, value: Any, *, english: bool = False) -> str:
    """A stored value as a person reads it (choices by their labels; a table row per line)."""
    if value in (None, "", []):
        return ""
    if f.kind == CHOICE:
        return f.option_label(value, english)
    if f.kind == CHOICES:
        return "、".join(f.option_label(v, english) for v in value) if isinstance(value, list) else str(value)
    if f.kind == TABLE and isinstance(value, list):
        lines = []
        for row in value:
            lines.append("；".join(f"{(c.label_en or c.label) if english else c.label}：{display_value(c, row.get(c.name, ''), english=english)}"
                                  for c in f.columns if row.get(c.name)))
        return "\n".join(lines)
    return str(value)
