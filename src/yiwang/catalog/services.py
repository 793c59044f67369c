"""Writes to the catalogue: importing a catalogue file, and editing an item (admin).

An item's `version` goes up whenever a rule a case depends on changes (time limits, case type,
flow, materials, result), so running cases can tell which rules they were submitted under.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Iterable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError

from yiwang.catalog import constants as c
from yiwang.catalog.application_forms import FormDefinitionError, definition_as_dict, parse_form_definition
from yiwang.catalog.flows import default_flow, validate_flow
from yiwang.catalog.importer import validate_catalog
from yiwang.catalog.models import (
    Bundle,
    BundleMember,
    CodeLabel,
    CrossRegionScope,
    DataRegistry,
    Department,
    Material,
    Region,
    RegistryRecordKind,
    ServiceItem,
)
from yiwang.core import clock
from yiwang.core.errors import ValidationFailed
from yiwang.core.identifiers import normalize_credit_code

# Fields whose change alters how a case is handled, hence bumps `ServiceItem.version`.
RULE_FIELDS = (
    "statutory_limit_value",
    "statutory_limit_unit",
    "promised_limit_value",
    "promised_limit_unit",
    "case_type",
    "approval_levels",
    "flow",
    "result_type",
    "result_name",
    "form",
)
# Everything an import or an edit may set on an item (code is the stable key, version is ours).
ITEM_FIELDS = (
    "name",
    "name_en",
    "department_id",
    "item_type",
    "level",
    "legal_basis",
    "legal_basis_en",
    "description",
    "description_en",
    "statutory_limit_value",
    "statutory_limit_unit",
    "promised_limit_value",
    "promised_limit_unit",
    "case_type",
    "approval_levels",
    "online_depth",
    "max_visits",
    "channels",
    "service_objects",
    "fees",
    "cross_region",
    "cross_region_mode",
    "result_type",
    "result_name",
    "result_name_en",
    "form",
    "notes",
    "is_active",
)
MATERIAL_FIELDS = ("position", "name", "name_en", "kind", "source", "necessity", "copies", "exemptible_via")
_MATERIAL_NAME_EN = MATERIAL_FIELDS.index("name_en")


def _rule_rows(rows) -> list[tuple]:
    """Material rows without their English names: a translation is no new rule (no version bump)."""
    return [row[:_MATERIAL_NAME_EN] + row[_MATERIAL_NAME_EN + 1:] for row in rows]


@dataclass
class Counts:
    """What an import did to one kind of record."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0  # absent from the file but still used (items with cases): kept, inactive
    deleted: int = 0
    kept: int = 0  # absent from the file but still referenced, left in place

    def __str__(self) -> str:
        parts = [f"{name} {getattr(self, name)}" for name in ("created", "updated", "unchanged")]
        parts += [f"{name} {getattr(self, name)}" for name in ("deactivated", "deleted", "kept") if getattr(self, name)]
        return ", ".join(parts)


@dataclass
class ImportReport:
    """Outcome of `import_catalog`: counts per kind of record."""

    region: str = ""
    code_labels: Counts = field(default_factory=Counts)
    regions: Counts = field(default_factory=Counts)
    departments: Counts = field(default_factory=Counts)
    registries: Counts = field(default_factory=Counts)
    items: Counts = field(default_factory=Counts)
    bundles: Counts = field(default_factory=Counts)
    versions_bumped: int = 0

    @property
    def changed(self) -> bool:
        """Whether the import changed anything stored."""
        return any(
            counts.created or counts.updated or counts.deactivated or counts.deleted
            for counts in (getattr(self, f.name) for f in fields(self))
            if isinstance(counts, Counts)
        )

    def summary(self) -> str:
        """One human line, e.g. for the `yiwang import-catalog` command."""
        return (
            f"catalogue {self.region}: items ({self.items}; new rule versions {self.versions_bumped}); "
            f"departments ({self.departments}); bundles ({self.bundles}); registries ({self.registries}); "
            f"regions ({self.regions}); code labels ({self.code_labels})"
        )


# --------------------------------------------------------------------------- import


@transaction.atomic
def import_catalog(*, data: dict) -> ImportReport:
    """Validate and load a catalogue (format yiwang-catalog/1), updating in place.

    Re-importing the same data changes nothing. Items absent from the data are deleted, or only
    deactivated when cases refer to them. Raises ValidationFailed("invalid_catalog") with every
    problem in `details` when the data is invalid; nothing is stored then.
    """
    errors = validate_catalog(data)
    if errors:
        raise ValidationFailed(
            "invalid_catalog",
            f"事项目录文件有 {len(errors)} 处错误，未导入。",
            f"The catalogue has {len(errors)} error(s); nothing was imported.",
            details=errors,
        )
    report = ImportReport(region=f"{data['region']['code']} {data['region']['name']}")
    _import_code_labels(data["code_tables"], report.code_labels)
    partners = _import_regions(data, report.regions)
    departments = _import_departments(data["departments"], report.departments)
    _import_registries(data.get("registries") or [], report.registries)
    items = _import_items(data["items"], departments, report)
    _import_bundles(data.get("bundles") or [], departments, items, report.bundles)
    _import_cross_region_scopes(data, partners, items)
    _remove_absent_items(set(items), report.items)
    _remove_absent_departments(set(departments), report.departments)
    return report


CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


def _sync_by_code(model: type[Model], desired: dict[str, dict[str, Any]]) -> tuple[dict[str, Model], dict[str, str]]:
    """Create or update rows of `model` keyed by `code`.

    Returns the wanted rows by code and what happened to each (created/updated/unchanged).
    """
    existing = {obj.code: obj for obj in model.objects.all()}
    has_updated_at = any(field.name == "updated_at" for field in model._meta.get_fields())
    to_create, to_update, changed_fields = [], [], set()
    status: dict[str, str] = {}
    for code, values in desired.items():
        obj = existing.get(code)
        if obj is None:
            to_create.append(model(code=code, **values))
            status[code] = CREATED
            continue
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            if has_updated_at:  # bulk_update skips auto_now: readers (search) watch this column
                obj.updated_at = clock.now()
                changed.append("updated_at")
            to_update.append(obj)
            changed_fields.update(changed)
        status[code] = UPDATED if changed else UNCHANGED
    model.objects.bulk_create(to_create)
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields))
    return {obj.code: obj for obj in model.objects.filter(code__in=list(desired))}, status


def _tally(counts: Counts, status: dict[str, str]) -> None:
    for outcome in status.values():
        setattr(counts, outcome, getattr(counts, outcome) + 1)


def _delete_unless_protected(objects: Iterable[Model]) -> tuple[list[Model], list[Model]]:
    """Delete each object unless something refers to it; return (deleted, protected)."""
    deleted, protected = [], []
    for obj in objects:
        try:
            with transaction.atomic():
                obj.delete()
            deleted.append(obj)
        except ProtectedError:
            protected.append(obj)
    return deleted, protected


def _import_code_labels(tables: dict[str, dict[str, str]], counts: Counts) -> None:
    desired = {(table, code): label for table, labels in tables.items() for code, label in labels.items()}
    existing = {(row.table, row.code): row for row in CodeLabel.objects.all()}
    to_create, to_update = [], []
    for key, label in desired.items():
        row = existing.get(key)
        if row is None:
            to_create.append(CodeLabel(table=key[0], code=key[1], label=label))
            counts.created += 1
        elif row.label != label:
            row.label = label
            to_update.append(row)
            counts.updated += 1
        else:
            counts.unchanged += 1
    CodeLabel.objects.bulk_create(to_create)
    CodeLabel.objects.bulk_update(to_update, ["label"])
    absent = [row.pk for key, row in existing.items() if key not in desired]
    if absent:
        counts.deleted += CodeLabel.objects.filter(pk__in=absent).delete()[0]


def _import_regions(data: dict, counts: Counts) -> dict[str, Region]:
    """The home region and the partner regions; return partners by code."""
    region = data["region"]
    cross_region = data.get("cross_region") or {}
    desired = {region["code"]: {"name": region["name"], "name_en": region.get("name_en") or "", "is_home": True}}
    for partner in cross_region.get("partners", []):
        desired[partner["code"]] = {"name": partner["name"], "name_en": partner.get("name_en") or "", "is_home": False}
    # Another district's file makes that district home; the old home becomes an ordinary region.
    stale_home = list(Region.objects.filter(is_home=True).exclude(code=region["code"]))
    for old in stale_home:
        old.is_home = False
    Region.objects.bulk_update(stale_home, ["is_home"])
    regions, status = _sync_by_code(Region, desired)
    _tally(counts, status)
    return {code: regions[code] for code in desired if code != region["code"]}


def _import_departments(departments: list[dict], counts: Counts) -> dict[str, Department]:
    desired = {
        raw["code"]: {
            "name": raw["name"],
            "name_en": raw.get("name_en") or "",
            "unit": raw["unit"],
            "credit_code": normalize_credit_code(raw["credit_code"]),
            "notes": raw.get("notes") or "",
        }
        for raw in departments
    }
    departments, status = _sync_by_code(Department, desired)
    _tally(counts, status)
    return departments


def _import_registries(registries: list[dict], counts: Counts) -> None:
    desired = {
        raw["code"]: {"name": raw["name"], "name_en": raw.get("name_en") or "", "provider": raw.get("provider") or "",
                      "custodian": raw.get("custodian") or ""}
        for raw in registries
    }
    by_code, status = _sync_by_code(DataRegistry, desired)
    desired_kinds = {(by_code[raw["code"]].pk, record["kind"]): (record["name"], record.get("name_en") or "")
                     for raw in registries for record in raw["records"]}
    existing_kinds = {(row.registry_id, row.kind): row for row in RegistryRecordKind.objects.all()}
    changed_registries: set[int] = set()
    to_create, to_update = [], []
    for (registry_id, kind), (name, name_en) in desired_kinds.items():
        row = existing_kinds.get((registry_id, kind))
        if row is None:
            to_create.append(RegistryRecordKind(registry_id=registry_id, kind=kind, name=name, name_en=name_en))
            changed_registries.add(registry_id)
        elif (row.name, row.name_en) != (name, name_en):
            row.name, row.name_en = name, name_en
            to_update.append(row)
            changed_registries.add(registry_id)
    RegistryRecordKind.objects.bulk_create(to_create)
    RegistryRecordKind.objects.bulk_update(to_update, ["name", "name_en"])
    absent_kinds = [row for key, row in existing_kinds.items() if key not in desired_kinds]
    changed_registries.update(row.registry_id for row in absent_kinds)
    RegistryRecordKind.objects.filter(pk__in=[row.pk for row in absent_kinds]).delete()
    # A registry whose record kinds changed counts as updated even if its own fields did not.
    for code, registry in by_code.items():
        if registry.pk in changed_registries and status[code] == UNCHANGED:
            status[code] = UPDATED
    _tally(counts, status)
    absent_registries = DataRegistry.objects.exclude(code__in=list(desired))
    deleted, protected = _delete_unless_protected(absent_registries)
    counts.deleted += len(deleted)
    counts.kept += len(protected)


def _limit_fields(limit: dict | None, prefix: str) -> dict[str, Any]:
    if limit is None:
        # The unit means nothing without a value; a fixed unit keeps re-imports unchanged.
        return {f"{prefix}_value": None, f"{prefix}_unit": c.WORKING_DAY}
    return {f"{prefix}_value": limit["value"], f"{prefix}_unit": limit["unit"]}


def _item_values(raw: dict, department_id: int) -> dict[str, Any]:
    result = raw["result"]
    return {
        "name": raw["name"],
        "name_en": raw.get("name_en") or "",
        "department_id": department_id,
        "item_type": raw["type"],
        "level": raw.get("level", 4),
        "legal_basis": raw.get("legal_basis") or "",
        "legal_basis_en": raw.get("legal_basis_en") or "",
        "description": raw.get("description") or "",
        "description_en": raw.get("description_en") or "",
        **_limit_fields(raw["statutory_limit"], "statutory_limit"),
        **_limit_fields(raw["promised_limit"], "promised_limit"),
        "case_type": raw["case_type"],
        "approval_levels": raw["approval_levels"],
        "online_depth": raw["online_depth"],
        "max_visits": raw.get("max_visits", 0),
        "channels": list(raw.get("channels") or []),
        "service_objects": list(raw.get("service_objects") or []),
        "fees": list(raw.get("fees") or []),
        "cross_region": list(raw.get("cross_region") or []),
        "cross_region_mode": raw.get("cross_region_mode") or "",
        "result_type": result["type"],
        "result_name": result.get("name") or "",
        "result_name_en": result.get("name_en") or "",
        "form": _canonical_form(raw.get("form")),
        "notes": raw.get("notes") or "",
        "is_active": True,
    }


def _canonical_form(raw) -> dict:
    """The form as stored: checked and written in one canonical shape, so a re-import of the same
    form changes nothing (and bumps no version)."""
    return definition_as_dict(parse_form_definition(raw))


def _material_rows(raw_materials: list[dict]) -> list[tuple]:
    """Materials as comparable tuples in MATERIAL_FIELDS order, numbered from 1."""
    return [
        (
            position,
            raw["name"],
            raw.get("name_en") or "",
            raw["kind"],
            raw["source"],
            raw["necessity"],
            raw.get("copies", 1),
            raw.get("exemptible_via") or "",
        )
        for position, raw in enumerate(raw_materials, start=1)
    ]


def _existing_material_rows(item_ids: Iterable[int] | None = None) -> dict[int, list[tuple]]:
    queryset = Material.objects.order_by("item_id", "position")
    if item_ids is not None:
        queryset = queryset.filter(item_id__in=list(item_ids))
    rows: dict[int, list[tuple]] = {}
    for row in queryset.values_list("item_id", *MATERIAL_FIELDS):
        rows.setdefault(row[0], []).append(tuple(row[1:]))
    return rows


def _replace_materials(rows_by_item: dict[int, list[tuple]]) -> None:
    if not rows_by_item:
        return
    Material.objects.filter(item_id__in=list(rows_by_item)).delete()
    Material.objects.bulk_create(
        [
            Material(item_id=item_id, **dict(zip(MATERIAL_FIELDS, row)))
            for item_id, rows in rows_by_item.items()
            for row in rows
        ],
        batch_size=500,
    )


def _import_items(raw_items: list[dict], departments: dict[str, Department], report: ImportReport) -> dict[str, ServiceItem]:
    counts = report.items
    existing = {item.code: item for item in ServiceItem.objects.all()}
    existing_materials = _existing_material_rows()
    now = clock.now()
    to_create: list[ServiceItem] = []
    to_update: list[ServiceItem] = []
    changed_fields: set[str] = set()
    new_materials: dict[str, list[tuple]] = {}
    replaced_materials: dict[int, list[tuple]] = {}
    for raw in raw_items:
        values = _item_values(raw, departments[raw["department"]].pk)
        materials = _material_rows(raw["materials"])
        item = existing.get(raw["code"])
        if item is None:
            to_create.append(ServiceItem(code=raw["code"], flow=default_flow(values["approval_levels"]), **values))
            new_materials[raw["code"]] = materials
            counts.created += 1
            continue
        changed = [name for name, value in values.items() if getattr(item, name) != value]
        if "approval_levels" in changed:
            values["flow"] = default_flow(values["approval_levels"])
            if values["flow"] != item.flow:
                changed.append("flow")
        materials_changed = existing_materials.get(item.pk, []) != materials
        if not changed and not materials_changed:
            counts.unchanged += 1
            continue
        for name in changed:
            setattr(item, name, values[name])
        if materials_changed:
            replaced_materials[item.pk] = materials
        rules_changed = _rule_rows(existing_materials.get(item.pk, [])) != _rule_rows(materials)
        if rules_changed or any(name in RULE_FIELDS for name in changed):
            item.version += 1
            changed.append("version")
            report.versions_bumped += 1
        item.updated_at = now
        changed_fields.update(changed)
        changed_fields.add("updated_at")
        to_update.append(item)
        counts.updated += 1
    ServiceItem.objects.bulk_create(to_create, batch_size=200)
    if to_update:
        ServiceItem.objects.bulk_update(to_update, sorted(changed_fields), batch_size=200)
    items = {item.code: item for item in ServiceItem.objects.filter(code__in=[raw["code"] for raw in raw_items])}
    replaced_materials.update({items[code].pk: rows for code, rows in new_materials.items()})
    _replace_materials(replaced_materials)
    return items


def _import_bundles(
    raw_bundles: list[dict], departments: dict[str, Department], items: dict[str, ServiceItem], counts: Counts
) -> None:
    desired = {}
    for raw in raw_bundles:
        window = raw.get("application_window") or {}
        desired[raw["code"]] = {
            "name": raw["name"],
            "name_en": raw.get("name_en") or "",
            "lead_department_id": departments[raw["lead_department"]].pk,
            "window_opens": window.get("opens", ""),
            "window_closes": window.get("closes", ""),
            "questions": raw.get("questions") or [],
            "rules": raw.get("rules") or [],
            "notes": raw.get("notes") or "",
        }
    bundles, status = _sync_by_code(Bundle, desired)
    existing_members: dict[int, list[int]] = {}
    for bundle_id, item_id in BundleMember.objects.order_by("bundle_id", "position").values_list("bundle_id", "item_id"):
        existing_members.setdefault(bundle_id, []).append(item_id)
    to_replace: dict[int, list[int]] = {}
    for raw in raw_bundles:
        bundle = bundles[raw["code"]]
        wanted = [items[code].pk for code in raw["items"]]
        if existing_members.get(bundle.pk, []) != wanted:
            to_replace[bundle.pk] = wanted
            if status[raw["code"]] == UNCHANGED:
                status[raw["code"]] = UPDATED
    BundleMember.objects.filter(bundle_id__in=list(to_replace)).delete()
    BundleMember.objects.bulk_create(
        [
            BundleMember(bundle_id=bundle_id, item_id=item_id, position=position)
            for bundle_id, item_ids in to_replace.items()
            for position, item_id in enumerate(item_ids, start=1)
        ]
    )
    _tally(counts, status)
    deleted, protected = _delete_unless_protected(Bundle.objects.exclude(code__in=list(desired)))
    counts.deleted += len(deleted)
    counts.kept += len(protected)


def _import_cross_region_scopes(data: dict, partners: dict[str, Region], items: dict[str, ServiceItem]) -> None:
    """Partner regions may accept the outbound items (each item lists which partners)."""
    cross_region = data.get("cross_region") or {}
    desired = set()
    for code in cross_region.get("outbound_items", []):
        item = items[code]
        for partner_code in item.cross_region or list(partners):
            if partner_code in partners:
                desired.add((partners[partner_code].pk, item.pk))
    existing = {(row.partner_id, row.item_id): row.pk for row in CrossRegionScope.objects.all()}
    CrossRegionScope.objects.filter(pk__in=[pk for key, pk in existing.items() if key not in desired]).delete()
    CrossRegionScope.objects.bulk_create(
        [CrossRegionScope(partner_id=partner_id, item_id=item_id) for partner_id, item_id in sorted(desired - set(existing))]
    )


def _remove_absent_items(present_codes: set[str], counts: Counts) -> None:
    """Delete items no longer in the file; an item with cases is only deactivated."""
    absent = list(ServiceItem.objects.exclude(code__in=list(present_codes)))
    with_cases = set(
        ServiceItem.objects.filter(pk__in=[item.pk for item in absent], cases__isnull=False).values_list("pk", flat=True)
    )
    to_deactivate = [item for item in absent if item.pk in with_cases and item.is_active]
    counts.unchanged += len([item for item in absent if item.pk in with_cases and not item.is_active])
    deleted, protected = _delete_unless_protected(item for item in absent if item.pk not in with_cases)
    counts.deleted += len(deleted)
    to_deactivate += [item for item in protected if item.is_active]
    counts.unchanged += len([item for item in protected if not item.is_active])
    now = clock.now()
    for item in to_deactivate:
        item.is_active = False
        item.updated_at = now
    ServiceItem.objects.bulk_update(to_deactivate, ["is_active", "updated_at"])
    counts.deactivated += len(to_deactivate)


def _remove_absent_departments(present_codes: set[str], counts: Counts) -> None:
    """Delete departments no longer in the file unless items, cases, staff or licences use them."""
    absent = Department.objects.exclude(code__in=list(present_codes))
    # Staff membership is a many-to-many: deleting would silently drop it, so check it first.
    with_staff = set(absent.filter(staff__isnull=False).values_list("pk", flat=True))
    deleted, protected = _delete_unless_protected(d for d in absent if d.pk not in with_staff)
    counts.deleted += len(deleted)
    counts.kept += len(protected) + len(with_staff)


# --------------------------------------------------------------------------- editing one item


def _rules_state(item: ServiceItem, materials: list[tuple]) -> tuple:
    return tuple(getattr(item, name) for name in RULE_FIELDS) + (tuple(_rule_rows(materials)),)


def clean_materials(materials: list[dict]) -> list[tuple]:
    """Validate materials given as dicts (MATERIAL_FIELDS keys); return rows ordered by position.

    Raises ValidationFailed("invalid_materials") with the problems by list index.
    """
    known_records = {f"{code}:{kind}" for code, kind in RegistryRecordKind.objects.values_list("registry__code", "kind")}
    rows, problems, positions = [], {}, set()
    for index, material in enumerate(materials):
        values = {name: material.get(name) for name in MATERIAL_FIELDS}
        values["position"] = values["position"] if values["position"] is not None else index + 1
        values["copies"] = values["copies"] if values["copies"] is not None else 1
        values["exemptible_via"] = values["exemptible_via"] or ""
        values["name_en"] = values["name_en"] or ""
        candidate = Material(item_id=0, **values)
        try:
            candidate.full_clean(exclude=["item"], validate_unique=False, validate_constraints=False)
        except DjangoValidationError as exc:
            problems[f"materials[{index}]"] = exc.message_dict
            continue
        if values["position"] in positions:
            problems[f"materials[{index}]"] = {"position": ["序号重复。"]}
        if values["exemptible_via"] and values["exemptible_via"] not in known_records:
            problems[f"materials[{index}]"] = {"exemptible_via": [f"未知的共享数据记录 {values['exemptible_via']}。"]}
        positions.add(values["position"])
        rows.append(tuple(values[name] for name in MATERIAL_FIELDS))
    if problems:
        raise ValidationFailed(
            "invalid_materials",
            "申请材料填写有误。",
            "Some materials are invalid.",
            details=problems,
        )
    return sorted(rows)


def _check_item(item: ServiceItem) -> None:
    problems = validate_flow(item.flow)
    if problems:
        raise ValidationFailed("invalid_flow", "审批流程不符合要求。", "The approval flow is invalid.", details=problems)
    try:
        item.form = definition_as_dict(parse_form_definition(item.form))  # one canonical shape
    except FormDefinitionError as exc:
        raise ValidationFailed("invalid_form_definition", "申请表定义有误：" + "；".join(exc.errors),
                               "The application form definition is invalid: " + "; ".join(exc.errors),
                               details=exc.errors) from None
    try:
        item.full_clean()
    except DjangoValidationError as exc:
        raise ValidationFailed(
            "invalid_item", "事项信息填写有误。", "The service item is invalid.", details=exc.message_dict
        ) from None


_EDITABLE = set(ITEM_FIELDS) | {"department", "flow"}


@transaction.atomic
def update_item(*, item: ServiceItem, changes: dict[str, Any]) -> ServiceItem:
    """Apply `changes` (field name -> value; "materials" -> full list of material dicts).

    Bumps `version` when a rule field or the materials change; regenerates the flow when
    `approval_levels` changes and the flow is left as it was, or when the flow is emptied. Raises ValidationFailed on invalid values.
    """
    unknown = set(changes) - _EDITABLE - {"materials"}
    if unknown:
        raise ValidationFailed(
            "unknown_item_fields",
            f"不能修改这些字段：{', '.join(sorted(unknown))}。",
            f"These fields cannot be changed: {', '.join(sorted(unknown))}.",
        )
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    current_materials = _existing_material_rows([item.pk]).get(item.pk, [])
    before = _rules_state(item, current_materials)
    old_levels, old_flow = item.approval_levels, item.flow
    for name, value in changes.items():
        if name != "materials":
            setattr(item, name, value)
    # A new number of levels needs a new flow, unless the editor wrote one along with it.
    if item.approval_levels >= 1 and (not item.flow or (item.approval_levels != old_levels and item.flow == old_flow)):
        item.flow = default_flow(item.approval_levels)
    _check_item(item)
    materials = current_materials
    if "materials" in changes:
        materials = clean_materials(changes["materials"])
    if _rules_state(item, materials) != before:
        item.version += 1
    item.save()
    if materials != current_materials:
        _replace_materials({item.pk: materials})
    return item


@transaction.atomic
def create_item(*, item: ServiceItem, materials: list[dict]) -> ServiceItem:
    """Save a new, unsaved item with its materials; the flow defaults from approval_levels."""
    if not item.flow and item.approval_levels and item.approval_levels >= 1:
        item.flow = default_flow(item.approval_levels)
    item.version = 1
    _check_item(item)
    rows = clean_materials(materials)
    item.save()
    _replace_materials({item.pk: rows})
    return item
