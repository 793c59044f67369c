"""Reads of the catalogue for pages, the API and other apps."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from yiwang.accounts.constants import ROLE_ADMINISTRATOR
from yiwang.accounts.selectors import has_role
from yiwang.catalog.application_forms import parse_form_definition
from yiwang.catalog.blank_form_pdf import render_blank_form_pdf
from yiwang.catalog.models import CodeLabel, Department, Material, RegistryRecordKind, ServiceItem
from yiwang.core.errors import NotFound, ValidationFailed

THEME_NATURAL_PERSON = "natural_person"
THEME_ENTERPRISE = "enterprise"
# Which service objects each theme (个人办事 / 法人办事) covers.
THEMES: dict[str, tuple[str, ...]] = {
    THEME_NATURAL_PERSON: ("natural_person",),
    THEME_ENTERPRISE: ("enterprise", "organization"),
}


def shows_internal_notes(user) -> bool:
    """Whether `user` may read the catalogue's internal notes on the public guides.

    The notes (备注 of items and bundles, and the 演示值 badge they imply) record where a value
    comes from and what is still to be verified: they are for the administrators who maintain the
    catalogue, not for residents nor for other staff.
    """
    return has_role(user, ROLE_ADMINISTRATOR)


def catalog_is_loaded() -> bool:
    """Whether any active service item exists."""
    return ServiceItem.objects.filter(is_active=True).exists()


def get_item(code: str, *, active_only: bool = True) -> ServiceItem:
    """The item with `code`, its department and materials loaded; NotFound("unknown_item") if none."""
    queryset = ServiceItem.objects.select_related("department").prefetch_related(
        Prefetch("materials", queryset=Material.objects.order_by("position"))
    )
    if active_only:
        queryset = queryset.filter(is_active=True)
    try:
        return queryset.get(code=code)
    except ServiceItem.DoesNotExist:
        raise NotFound(
            "unknown_item",
            f"未找到事项“{code}”，该事项不存在或已停用。",
            f"No service item with code {code!r}; it does not exist or is no longer offered.",
        ) from None


def _limit(value: int | None, unit: str) -> dict[str, Any] | None:
    return None if value is None else {"value": value, "unit": unit}


def item_statutory_limit(item: ServiceItem) -> dict[str, Any] | None:
    """{"value", "unit"}, or None when the item has no fixed statutory limit."""
    return _limit(item.statutory_limit_value, item.statutory_limit_unit)


def item_promised_limit(item: ServiceItem) -> dict[str, Any] | None:
    """{"value", "unit"} (value 0: decided on the spot), or None when there is no fixed limit."""
    return _limit(item.promised_limit_value, item.promised_limit_unit)


def item_rules_snapshot(item: ServiceItem) -> dict[str, Any]:
    """The rules a case is handled by, as stored on each case at submission (JSON-ready)."""
    return {
        "item_code": item.code,
        "item_name": item.name,
        "item_name_en": item.name_en,
        "version": item.version,
        "department": item.department.code,
        "department_name": item.department.name,
        "statutory_limit": item_statutory_limit(item),
        "promised_limit": item_promised_limit(item),
        "case_type": item.case_type,
        "flow": [dict(step) for step in item.flow],
        "materials": [
            {
                "position": material.position,
                "name": material.name,
                "name_en": material.name_en,
                "kind": material.kind,
                "source": material.source,
                "necessity": material.necessity,
                "copies": material.copies,
                "exemptible_via": material.exemptible_via or None,
            }
            for material in sorted(item.materials.all(), key=lambda m: m.position)
        ],
        "result": {"type": item.result_type, "name": item.result_name, "name_en": item.result_name_en},
        "form": item.form or {},
    }


def list_items(
    *,
    department: str | None = None,
    theme: str | None = None,
    q: str | None = None,
    active_only: bool = True,
) -> QuerySet[ServiceItem]:
    """Items ordered by code, filtered by department code, theme (see THEMES) and a search text.

    The search matches code, Chinese or English name, case-insensitively. An unknown theme
    matches nothing.
    """
    queryset = ServiceItem.objects.select_related("department").order_by("code")
    if active_only:
        queryset = queryset.filter(is_active=True)
    if department:
        queryset = queryset.filter(department__code=department)
    if theme:
        objects = THEMES.get(theme)
        if objects is None:
            return queryset.none()
        # A JSON list's text contains '"code"' exactly when the list has that code: portable
        # across SQLite and PostgreSQL, unlike the JSON `contains` lookup.
        queryset = queryset.filter(reduce(or_, (Q(service_objects__icontains=f'"{obj}"') for obj in objects)))
    q = (q or "").strip()
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(name_en__icontains=q) | Q(code__icontains=q))
    return queryset


def list_departments(*, with_items_only: bool = False) -> QuerySet[Department]:
    """Departments by code, each annotated with `item_count` (its active items)."""
    queryset = Department.objects.annotate(item_count=Count("items", filter=Q(items__is_active=True))).order_by("code")
    if with_items_only:
        queryset = queryset.filter(item_count__gt=0)
    return queryset


def get_department(code: str) -> Department:
    """The department with `code`; NotFound("unknown_department") if none."""
    try:
        return Department.objects.get(code=code)
    except Department.DoesNotExist:
        raise NotFound(
            "unknown_department", f"未找到部门“{code}”。", f"No department with code {code!r}."
        ) from None


def theme_counts() -> dict[str, int]:
    """Number of active items per theme."""
    return {theme: list_items(theme=theme).count() for theme in THEMES}


def code_labels(table: str) -> dict[str, str]:
    """Code -> label of one code table loaded from the catalogue file."""
    return dict(CodeLabel.objects.filter(table=table).values_list("code", "label"))


def all_code_labels() -> dict[str, dict[str, str]]:
    """Every code table: table -> code -> label, in one query."""
    tables: dict[str, dict[str, str]] = {}
    for table, code, label in CodeLabel.objects.values_list("table", "code", "label"):
        tables.setdefault(table, {})[code] = label
    return tables


def record_kind_names() -> dict[str, dict[str, str]]:
    """"registry:kind" -> {"name": record name, "registry_name": registry name, "name_en",
    "registry_name_en"} (the English may be empty: show it through `core.i18n.say`)."""
    return {
        f"{registry_code}:{kind}": {"name": name, "registry_name": registry_name, "name_en": name_en,
                                     "registry_name_en": registry_name_en}
        for registry_code, registry_name, registry_name_en, kind, name, name_en in RegistryRecordKind.objects.values_list(
            "registry__code", "registry__name", "registry__name_en", "kind", "name", "name_en"
        )
    }


def blank_form_kinds(item: ServiceItem) -> list[str]:
    """For whom the item's blank paper form is offered: a person, a business, or both (a person first)."""
    objects = set(item.service_objects or [])
    kinds = (["resident"] if "natural_person" in objects or not objects else []) + (
        ["enterprise"] if objects & {"enterprise", "organization"} else [])
    return kinds


def blank_application_form(*, code: str, position: int, applicant_kind: str | None = None,
                           apply_url: str = "") -> tuple[str, bytes]:
    """(file name, PDF bytes) of the blank paper form for the item's material at `position`: the
    item's own form fields with the identity and contact fields, as the online form asks them.

    NotFound("unknown_item") for an unknown item; NotFound("no_blank_form") when that material is
    not an application form (申请表格文书); ValidationFailed("invalid_applicant_kind") for a kind
    of applicant the item does not serve.
    """
    item = get_item(code)
    material = next((m for m in item.materials.all() if m.position == position and m.kind == "form"), None)
    if material is None:
        raise NotFound("no_blank_form", f"事项“{item.name}”的第 {position} 项材料不是申请表格，没有空白表可下载。",
                       f"Material {position} of {item.code} is not an application form; there is no blank form to download.")
    kinds = blank_form_kinds(item)
    kind = applicant_kind or kinds[0]
    if kind not in kinds:
        raise ValidationFailed("invalid_applicant_kind",
                               f"申请人类型“{kind[:20]}”无效，本事项可选：{'、'.join(kinds)}（resident 为个人，enterprise 为单位）。",
                               f"Applicant kind “{kind[:20]}” is not offered for this item; choose {' or '.join(kinds)}.")
    data = render_blank_form_pdf(
        item_name=item.name, item_code=item.code, department_name=item.department.name,
        material_name=material.name, definition=parse_form_definition(item.form or {}),
        applicant_kind=kind, created_at=item.updated_at, apply_url=apply_url)
    return f"{item.code}-{position}-{kind}.pdf", data
