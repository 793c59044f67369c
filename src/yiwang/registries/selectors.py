"""Reads of data sharing: what a resident can see about their data, the audit log, the report.

Exemption report (`exemption_report`), per item and overall:

- ``exemptible``: the item's materials (current catalogue) whose ``exemptible_via`` names a
  registry record;
- ``exempted``: materials of *submitted* cases that were satisfied by a fetched record (source
  "registry", not replaced by a later upload), counted once per case and material however often
  it was fetched. Drafts do not count: a draft that is never submitted saved nobody anything;
- ``visits_saved``: of those, the ones the applicant would otherwise have had to bring (necessity
  必要 or 容缺后补 in the current catalogue; an optional material is not a trip anyone had to
  make). Each counts as one visit to the issuing department saved, at most once per case and
  material;
- ``cases``: submitted cases with at least one exempted material.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from yiwang.accounts.selectors import has_role
from yiwang.applications.selectors import cases_visible_to, shared_materials_of_submitted_cases
from yiwang.applications.storage import open_material_file
from yiwang.catalog.selectors import list_items, record_kind_names
from yiwang.core import clock
from yiwang.core.errors import PermissionDenied
from yiwang.core.identifiers import mask_id_card, mask_name
from yiwang.registries import constants as c
from yiwang.registries.models import Consent, DataAccess

OUTCOME_LABELS = dict(c.OUTCOMES)
PLATFORM_NAME = _("一网通办平台")
ROLE_NAMES = {"window_officer": _("窗口人员"), "approver": _("审批人员"), "hall_manager": _("大厅管理员"),
              "administrator": _("系统管理员"), "auditor": _("审计人员")}


@dataclass(frozen=True)
class AccessEntry:
    """One fetch of the resident's data, as the resident sees it."""

    id: int
    at: object
    is_self: bool  # the resident fetched it themself (through the platform)
    accessor: str  # masked name (with role for staff); "本人" when is_self
    via: str  # the platform that asked
    registry: str
    registry_name: str
    record_kind: str
    record_name: str
    case_id: int | None
    case_label: str
    purpose: str
    outcome: str
    outcome_label: str
    registry_query_id: str = ""  # the registry's own record of the query ("" for the platform's own licences)
    registry_answered_at: object = None


@dataclass(frozen=True)
class ConsentEntry:
    id: int
    scope: str
    registry_name: str
    record_name: str
    case_id: int | None
    case_label: str
    purpose: str
    granted_at: object
    expires_at: object
    withdrawn_at: object
    active: bool


@dataclass(frozen=True)
class AuditEntry:
    """One fetch in the auditors' log: subject's name and ID number masked."""

    id: int
    at: object
    accessor: str
    subject_name: str
    subject_identifier: str
    registry: str
    record_kind: str
    record_name: str
    case_id: int | None
    consent_id: int | None
    outcome: str
    detail: str
    latency_ms: int
    source: str


@dataclass
class ItemExemption:
    item_code: str
    item_name: str
    item_name_en: str
    exemptible: int = 0
    exempted: int = 0
    visits_saved: int = 0
    cases: int = 0


@dataclass
class ExemptionReport:
    items: list[ItemExemption] = field(default_factory=list)
    total: ItemExemption = field(default_factory=lambda: ItemExemption("", "合计", "Total"))


def _case_labels(user, case_ids: set[int]) -> dict[int, str]:
    if not case_ids:
        return {}
    rows = cases_visible_to(user).filter(pk__in=case_ids).values_list("pk", "number")
    return {pk: number or f"草稿 #{pk}" for pk, number in rows}


SELF_QUERY_LABEL = _("本人查询")
CHANNEL_LABELS = dict(c.CHANNELS)


def _is_self(access: DataAccess) -> bool:
    # A kiosk that looks up the record of the person before it (no account of its own) acts for them.
    return access.accessor_id == access.subject_id or (bool(access.channel) and access.accessor_id is None)


def _via(access: DataAccess) -> str:
    if not access.channel:
        return str(PLATFORM_NAME)
    where = " ".join(x for x in (str(CHANNEL_LABELS.get(access.channel, access.channel)), access.kiosk_code) if x)
    return f"{PLATFORM_NAME}（{where}）"


def _accessor_label(access: DataAccess) -> str:
    accessor = access.accessor
    if _is_self(access):
        return str(_("本人"))
    if accessor is None:
        return str(_("（已注销的账号）"))
    if accessor.pk == access.subject_id:
        return str(_("本人"))
    if accessor.kind == "staff":
        role = ROLE_NAMES.get(accessor.role, _("工作人员"))
        return f"{mask_name(accessor.real_name or accessor.username)}（{role}）"
    return mask_name(accessor.real_name or accessor.username)


def accesses_for_subject(user, *, limit: int = 200) -> list[AccessEntry]:
    """Every fetch of `user`'s data, newest first: who (masked), what, when, for which case, why."""
    accesses = list(
        DataAccess.objects.filter(subject=user).select_related("accessor", "consent").order_by("-at", "-id")[:limit]
    )
    names = record_kind_names()
    labels = _case_labels(user, {a.case_id for a in accesses if a.case_id})
    return [_access_entry(access, names, labels) for access in accesses]


def access_entry(access: DataAccess) -> AccessEntry:
    """One fetch as its subject sees it (for the message that tells them about it)."""
    labels = _case_labels(access.subject, {access.case_id} if access.case_id else set()) if access.subject else {}
    return _access_entry(access, record_kind_names(), labels)


def _access_entry(access: DataAccess, names: dict, labels: dict[int, str]) -> AccessEntry:
    scope = f"{access.registry}:{access.record_kind}"
    return AccessEntry(
        id=access.pk, at=access.at, is_self=_is_self(access),
        accessor=_accessor_label(access), via=_via(access),
        registry=access.registry, registry_name=names.get(scope, {}).get("registry_name", access.registry),
        record_kind=access.record_kind, record_name=names.get(scope, {}).get("name", access.record_kind),
        case_id=access.case_id,
        case_label=(labels.get(access.case_id, f"#{access.case_id}") if access.case_id
                    else str(SELF_QUERY_LABEL) if access.channel else ""),
        purpose=access.consent.purpose if access.consent else "",
        outcome=access.outcome, outcome_label=str(OUTCOME_LABELS.get(access.outcome, access.outcome)),
        registry_query_id=access.registry_query_id, registry_answered_at=access.registry_answered_at,
    )


def consents_of(user) -> list[ConsentEntry]:
    """The user's consents, newest first, with whether each is still active."""
    consents = list(Consent.objects.filter(user=user).order_by("-granted_at", "-id"))
    names = record_kind_names()
    labels = _case_labels(user, {x.case_id for x in consents if x.case_id})
    now = clock.now()
    return [
        ConsentEntry(
            id=x.pk, scope=x.scope, registry_name=names.get(x.scope, {}).get("registry_name", x.registry),
            record_name=names.get(x.scope, {}).get("name", x.record_kind), case_id=x.case_id,
            case_label=(labels.get(x.case_id, f"#{x.case_id}") if x.case_id
                        else str(SELF_QUERY_LABEL) if x.channel else ""),
            purpose=x.purpose, granted_at=x.granted_at, expires_at=x.expires_at, withdrawn_at=x.withdrawn_at,
            active=x.is_active(now),
        )
        for x in consents
    ]


def active_consent_for(user, *, exemptible_via: str, case_id: int | None):
    """The user's active consent for the scope covering the case (or a case-free one), or None."""
    if not exemptible_via or ":" not in exemptible_via:
        return None
    registry, kind = exemptible_via.split(":", 1)
    now = clock.now()
    consents = Consent.objects.filter(user=user, registry=registry, record_kind=kind, channel="")  # not a self query's
    for consent in consents.order_by("-granted_at", "-id"):
        if consent.is_active(now) and consent.case_id in (None, case_id):
            return consent
    return None


def can_read_access_log(user) -> bool:
    return has_role(user, "auditor", "administrator")


def access_log(user, *, limit: int = 500, outcome: str | None = None) -> list[AuditEntry]:
    """The fetch audit log for auditors and administrators; subjects' names and numbers masked."""
    if not can_read_access_log(user):
        raise PermissionDenied("auditors_only", "仅审计人员和系统管理员可以查看调取日志。",
                               "Only auditors and administrators may read the access log.")
    accesses = DataAccess.objects.select_related("accessor", "subject").order_by("-at", "-id")
    if outcome:
        accesses = accesses.filter(outcome=outcome)
    names = record_kind_names()
    entries = []
    for access in accesses[:limit]:
        subject = access.subject
        subject_name = ""
        if subject is not None:
            subject_name = subject.real_name if subject.kind == "enterprise" else mask_name(subject.real_name or "")
        accessor = access.accessor
        entries.append(
            AuditEntry(
                id=access.pk, at=access.at,
                accessor=(mask_name(accessor.real_name or accessor.username) if accessor else ""),
                subject_name=subject_name, subject_identifier=mask_id_card(access.subject_identifier),
                registry=access.registry, record_kind=access.record_kind,
                record_name=names.get(f"{access.registry}:{access.record_kind}", {}).get("name", access.record_kind),
                case_id=access.case_id, consent_id=access.consent_id, outcome=access.outcome, detail=access.detail,
                latency_ms=access.latency_ms, source=access.source,
            )
        )
    return entries


def exemption_report() -> ExemptionReport:
    """Per item and overall: exemptible materials, exempted materials, visits saved (see module doc)."""
    items = list_items(active_only=False)
    necessity: dict[tuple[str, int], str] = {}
    rows: dict[str, ItemExemption] = {}
    for code, name, name_en, position, material_necessity in items.filter(materials__exemptible_via__gt="").values_list(
        "code", "name", "name_en", "materials__position", "materials__necessity"
    ):
        row = rows.setdefault(code, ItemExemption(code, name, name_en))
        row.exemptible += 1
        necessity[(code, position)] = material_necessity

    exempted = shared_materials_of_submitted_cases()
    seen: set[tuple[int, int]] = set()
    cases_per_item: dict[str, set[int]] = defaultdict(set)
    for case_id, position, code, name, name_en in exempted:
        if (case_id, position) in seen:
            continue
        seen.add((case_id, position))
        row = rows.setdefault(code, ItemExemption(code, name, name_en))
        row.exempted += 1
        if necessity.get((code, position), "1") in ("1", "3"):
            row.visits_saved += 1
        cases_per_item[code].add(case_id)

    report = ExemptionReport()
    for code, row in rows.items():
        row.cases = len(cases_per_item.get(code, ()))
        report.total.exemptible += row.exemptible
        report.total.exempted += row.exempted
        report.total.visits_saved += row.visits_saved
        report.total.cases += row.cases
    report.items = sorted(rows.values(), key=lambda r: (-r.exempted, -r.exemptible, r.item_code))
    return report


def one_record_for(user):
    """For `user`'s applications: which shared records are always one and the same whatever an
    item calls them. A person's own records (ID card, household booklet...) are: every item that
    asks a resident for an identity document asks for theirs. An enterprise's people differ
    (legal representative, shareholder, tax officer), and records of things (a licence, a
    property) can be another's, so nothing else is merged."""
    person = getattr(user, "kind", "") != "enterprise"

    def same(exemptible_via: str) -> bool:
        return person and exemptible_via.split(":", 1)[0] in c.PERSON_ONLY_REGISTRIES

    return same


def fetched_record(material) -> dict | None:
    """The envelope stored for a material fetched from a registry (record, issuer, record id...),
    or None when its file is gone. Read it only after `services.record_staff_view` logged the reading."""
    if material.source != "registry" or material.file_removed_at is not None or not material.storage_path:
        return None
    try:
        with open_material_file(material.storage_path) as stored:
            envelope = json.loads(stored.read().decode("utf-8"))
    except (OSError, ValueError):
        return None
    return envelope if isinstance(envelope, dict) else None


def can_fetch_for(user, exemptible_via: str) -> bool:
    """Whether `user` could fetch this kind of record at all (a company has no household register)."""
    if not exemptible_via:
        return False
    registry = exemptible_via.split(":", 1)[0]
    return not (getattr(user, "kind", "") == "enterprise" and registry in c.PERSON_ONLY_REGISTRIES)


def self_query_kinds(language: str) -> list[dict]:
    """The records a person may look up about themself (SELF_QUERY_SCOPES, in that order), for menus:
    [{"scope", "name", "registry_name"}] in `language` ("en..." English, else Chinese)."""
    english = (language or "").lower().startswith("en")
    names = record_kind_names()
    kinds = []
    for scope, name_en in c.SELF_QUERY_SCOPES.items():
        registry = scope.split(":", 1)[0]
        zh = names.get(scope, {})
        kinds.append({
            "scope": scope,
            "name": name_en if english else zh.get("name", scope),
            "registry_name": c.REGISTRY_NAMES_EN.get(registry, registry) if english else zh.get("registry_name", registry),
        })
    return kinds
