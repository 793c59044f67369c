"""Template helpers for catalogue pages: localized names, code labels, time limits."""

from django import template
from django.utils.translation import get_language, gettext

register = template.Library()


@register.simple_tag
def localized_name(obj, field: str = "name") -> str:
    """`<field>_en` when the active language is English and one exists, else `<field>` (`name` by
    default; `obj` may be a model or a dict, such as a material of a case's rules snapshot)."""
    def value(key: str) -> str:
        return (obj.get(key) if isinstance(obj, dict) else getattr(obj, key, "")) or ""

    language = (get_language() or "").lower()
    if language.startswith("en") and value(f"{field}_en"):
        return value(f"{field}_en")
    return value(field)


@register.simple_tag
def code_label(tables: dict, table: str, code) -> str:
    """The (translated) label of `code` in a code table, or the code itself when unknown."""
    label = tables.get(table, {}).get(str(code))
    return gettext(label) if label else str(code)


@register.simple_tag
def time_limit(value, unit: str, promised: bool = False) -> str:
    """'3 个工作日'; '即办件/当场办结' for a promised 0; '无固定时限' without a limit."""
    if value is None:
        return gettext("无固定时限")
    if value == 0:
        return gettext("即办件/当场办结") if promised else gettext("当场办结")
    if unit == "calendar_day":
        return gettext("%(value)s 个自然日") % {"value": value}
    return gettext("%(value)s 个工作日") % {"value": value}
