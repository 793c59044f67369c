"""The default application form of an item, derived from the item's fields (pure).

Until a form designer exists every item asks the same applicant fields; enterprise applicants
are asked for their company's details instead of a person's.
"""

from __future__ import annotations

from dataclasses import dataclass

from yiwang.core.identifiers import IdentifierError, normalize_mobile


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    label_en: str
    required: bool = True
    max_length: int = 200
    multiline: bool = False


def default_form_fields(*, applicant_kind: str) -> list[FormField]:
    """Fields of the default form for an applicant of the given kind (resident/enterprise)."""
    if applicant_kind == "enterprise":
        head = [FormField("contact_name", "经办人姓名", "Contact person", max_length=50)]
    else:
        head = []
    return head + [
        FormField("phone", "联系电话（手机）", "Mobile phone", max_length=11),
        FormField("address", "联系地址", "Address"),
        FormField("remarks", "申请事由及说明", "Purpose and remarks", required=False, max_length=2000, multiline=True),
    ]


MAX_UNKNOWN_NAMES_SHOWN = 10


def check_draft_values(fields: list[FormField], data) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """What a draft may store of `data`: only the form's own fields, each within its length.

    Returns (values to store, errors as (Chinese, English)); a partial form is fine (required
    fields are checked at submission). Unknown names are one error ("__unknown__"), so a request
    with a hundred thousand of them costs one message, and nothing of it is stored.
    """
    if not isinstance(data, dict):
        return {}, {"__all__": ("表单数据必须是对象。", "Form data must be an object.")}
    by_name = {field.name: field for field in fields}
    unknown = sorted(str(name) for name in data if name not in by_name)
    errors: dict[str, tuple[str, str]] = {}
    if unknown:
        shown = "、".join(unknown[:MAX_UNKNOWN_NAMES_SHOWN]) + ("…" if len(unknown) > MAX_UNKNOWN_NAMES_SHOWN else "")
        shown_en = ", ".join(unknown[:MAX_UNKNOWN_NAMES_SHOWN]) + (", …" if len(unknown) > MAX_UNKNOWN_NAMES_SHOWN else "")
        errors["__unknown__"] = (f"申请表没有这些栏目：{shown}（共 {len(unknown)} 个）。",
                                 f"The form has no such fields: {shown_en} ({len(unknown)} in all).")
    values: dict[str, str] = {}
    for name, raw in data.items():
        field = by_name.get(name)
        if field is None or not isinstance(raw, str):
            continue
        if len(raw) > field.max_length:
            errors[name] = (f"“{field.label}”不能超过 {field.max_length} 个字符。",
                            f"'{field.label_en}' must be at most {field.max_length} characters.")
            continue
        values[name] = raw
    return values, errors


def validate_form_data(fields: list[FormField], data: dict) -> tuple[dict, dict[str, tuple[str, str]]]:
    """Return (clean data, errors by field as (Chinese, English) messages). Unknown keys are dropped."""
    if not isinstance(data, dict):
        return {}, {"__all__": ("表单数据必须是对象。", "Form data must be an object.")}
    clean: dict[str, str] = {}
    errors: dict[str, tuple[str, str]] = {}
    for field in fields:
        raw = data.get(field.name, "")
        value = raw.strip() if isinstance(raw, str) else ("" if raw is None else str(raw)).strip()
        if field.required and not value:
            errors[field.name] = (f"请填写“{field.label}”。", f"'{field.label_en}' is required.")
            continue
        if len(value) > field.max_length:
            errors[field.name] = (
                f"“{field.label}”不能超过 {field.max_length} 个字符。",
                f"'{field.label_en}' must be at most {field.max_length} characters.",
            )
            continue
        if field.name == "phone" and value:
            try:
                value = normalize_mobile(value)
            except IdentifierError as error:
                errors[field.name] = (error.message, error.message_en)
                continue
        clean[field.name] = value
    return clean, errors
