"""What the fetch control shows for one material row (shared by the template tag and the views)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language

from yiwang.catalog.selectors import item_rules_snapshot, record_kind_names
from yiwang.registries.record_display import RecordField, record_fields
from yiwang.registries.selectors import active_consent_for


@dataclass(frozen=True)
class FetchControl:
    show: bool
    case: object = None
    position: int = 0
    material_name: str = ""
    exemptible_via: str = ""
    record_name: str = ""
    registry_name: str = ""
    fetched: object = None  # the current CaseMaterial when it came from a registry
    has_consent: bool = False
    error: str = ""


def english() -> bool:
    return (get_language() or "").lower().startswith("en")


def _in_language(names: dict, key: str) -> str:
    """A record or registry name of `record_kind_names` in the reader's language ("" when unknown)."""
    return (english() and names.get(f"{key}_en")) or names.get(key, "")


def error_text(error) -> str:
    return error.message_en if english() and error.message_en else error.message


def _case_materials(case) -> list[dict]:
    cached = getattr(case, "_registries_materials", None)
    if cached is None:
        # One snapshot per case and request, not one per row: the tag runs once per material row.
        cached = (case.rules or item_rules_snapshot(case.item))["materials"]
        case._registries_materials = cached
    return cached


def fetch_control(*, user, case, position: int, can_upload: bool, upload=None, error: str = "") -> FetchControl:
    """The control for material `position` of `case`; `show` is False when there is nothing to offer."""
    material = next((m for m in _case_materials(case) if m["position"] == position), None)
    if (
        material is None
        or not material.get("exemptible_via")
        or not getattr(user, "is_authenticated", False)
        or case.applicant_id != user.pk
        or not (can_upload or error)
    ):
        return FetchControl(show=False)
    scope = material["exemptible_via"]
    names = record_kind_names().get(scope, {})
    fetched = upload if upload is not None and getattr(upload, "source", "") == "registry" else None
    return FetchControl(
        show=True, case=case, position=position, material_name=material["name"], exemptible_via=scope,
        record_name=_in_language(names, "name") or scope, registry_name=_in_language(names, "registry_name") or scope.split(":")[0],
        fetched=fetched, has_consent=active_consent_for(user, exemptible_via=scope, case_id=case.pk) is not None,
        error=error,
    )


@dataclass(frozen=True)
class SharedRecordView:
    """A record fetched into a case, as staff read it on the case page (see record_display)."""

    record_name: str
    registry_name: str
    issuer: str
    issued_at: str
    record_id: str
    fields: list[RecordField]


def shared_record_view(envelope: dict, *, scope: str, subject_is_company: bool) -> SharedRecordView:
    """The stored envelope of a fetched record (`registries.services._fetch`) for the case page."""
    names = record_kind_names().get(scope, {})
    record = envelope.get("record") if isinstance(envelope.get("record"), dict) else {}
    return SharedRecordView(
        record_name=_in_language(names, "name") or str(envelope.get("record_name") or scope),
        registry_name=_in_language(names, "registry_name") or scope.split(":")[0],
        issuer=str(envelope.get("issuer") or ""),
        issued_at=str(envelope.get("issued_at") or ""),
        record_id=str(envelope.get("record_id") or ""),
        fields=record_fields(record, subject_is_company=subject_is_company),
    )


@dataclass(frozen=True)
class OwnRecordView:
    """A record a person looked up about themself (`services.query_own_record`), for them to read."""

    scope: str
    record_name: str
    registry_name: str
    issuer: str
    issued_at: object  # datetime, or the registry's text when it is not an ISO time
    record_id: str
    fetched_at: object
    fields: list
    tables: list


def _instant(text):
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(str(text))
    except ValueError:
        return text


def own_record_view(envelope: dict) -> OwnRecordView:
    """The envelope of a self query in the active language: fields, then tables of rows."""
    from yiwang.registries.record_display import own_record_fields, record_tables

    record = envelope.get("record") if isinstance(envelope.get("record"), dict) else {}
    en = english()
    return OwnRecordView(
        scope=f"{envelope.get('registry')}:{envelope.get('kind')}",
        record_name=str(envelope.get("record_name_en" if en else "record_name") or envelope.get("kind") or ""),
        registry_name=str(envelope.get("registry_name_en" if en else "registry_name") or envelope.get("registry") or ""),
        issuer=str(envelope.get("issuer") or ""),
        issued_at=_instant(envelope.get("issued_at")),
        record_id=str(envelope.get("record_id") or ""),
        fetched_at=_instant(envelope.get("fetched_at")),
        fields=own_record_fields(record),
        tables=record_tables(record),
    )
