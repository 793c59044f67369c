"""Writes on bundle cases: start (guidance + window + one draft per item), the one form, shared
materials, the all-or-none submission and the shared supplement.

Every member case is an ordinary case of the applications app, made and moved only through its
services; this module never writes a case row itself. Each public function is atomic: a refusal
of any member leaves every member (and the bundle case) as it was.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import BinaryIO

from django.conf import settings
from django.db import IntegrityError, transaction

from yiwang.accounts.selectors import is_resident_like
from yiwang.applications import constants as case_states
from yiwang.applications import services as applications
from yiwang.applications.selectors import form_fields_for, requested_supplement_positions
from yiwang.bundles import constants as c
from yiwang.bundles import guidance
from yiwang.bundles import selectors
from yiwang.bundles.models import BundleCase, BundleCaseMember
from yiwang.catalog.constants import NECESSITY_REQUIRED
from yiwang.catalog.selectors import item_rules_snapshot
from yiwang.core import clock
from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from yiwang.registries.selectors import one_record_for
from yiwang.registries.services import fetch_material_for_case, grant_consent

logger = logging.getLogger("yiwang.bundles")


# ---------------------------------------------------------------------------------------------
# Checks shared by the writes
# ---------------------------------------------------------------------------------------------


def _require_applicant(user) -> None:
    if not is_resident_like(user):
        raise PermissionDenied("applicants_only", "只有个人或企业用户可以申报办件。", "Only residents and enterprises can apply.")


def guidance_refusal(result: guidance.GuidanceResult) -> ValidationFailed:
    """One refusal naming every guidance error at once (details list them per question)."""
    return ValidationFailed(
        result.error_code(),
        "引导问题的回答有误：" + "；".join(e.message for e in result.errors),
        "The guidance answers have problems: " + "; ".join(e.message_en for e in result.errors),
        details={
            "errors": [
                {"code": e.code, "question": e.question_id or None, "item": e.item_code or None,
                 "message": e.message, "message_en": e.message_en}
                for e in result.errors
            ],
            "missing": result.missing_questions,
        },
    )


def check_windows(windows: list[guidance.Window]) -> None:
    """Refuse (400 outside_application_window) when any window is closed today, saying when it opens."""
    closed = guidance.first_closed_window(windows, clock.today())
    if closed is None:
        return
    status, window = closed.status, closed.window
    raise ValidationFailed(
        "outside_application_window",
        f"“{window.owner}”每年{_md_zh(window.opens)}至{_md_zh(window.closes)}受理申请，当前不在受理期内；"
        f"下次开放日期为{status.next_opens.year}年{status.next_opens.month}月{status.next_opens.day}日。",
        f"“{window.owner}” accepts applications from {window.opens} to {window.closes} (MM-DD) each year; "
        f"it is closed now and next opens on {status.next_opens:%Y-%m-%d}.",
        details={
            "next_opens": status.next_opens.isoformat(),
            "closes_on": status.closes_on.isoformat(),
            "opens": window.opens,
            "closes": window.closes,
        },
    )


def _md_zh(month_day: str) -> str:
    month, day = guidance.parse_month_day(month_day)
    return f"{month}月{day}日"


def _lock_bundle_case(bundle_case_id: int) -> BundleCase:
    try:
        return BundleCase.objects.select_for_update(of=("self",)).select_related("bundle").get(pk=bundle_case_id)
    except (BundleCase.DoesNotExist, ValueError, TypeError):
        raise NotFound("bundle_case_not_found", "一件事办件不存在。", "Bundle case not found.") from None


def _own_or_404(bundle_case: BundleCase, user) -> None:
    if bundle_case.applicant_id != getattr(user, "pk", None):
        # Another person's bundle case is reported as missing, so its existence is not disclosed.
        raise NotFound("bundle_case_not_found", "一件事办件不存在。", "Bundle case not found.")


def _require_draft(bundle_case: BundleCase) -> None:
    if not bundle_case.is_draft:
        raise Conflict("bundle_submitted", "该一件事已提交，不能再修改。", "This bundle case has been submitted and can no longer change.")


def _values(data) -> dict:
    """The posted values of a form: text, or a list (several choices, table rows)."""
    return {str(k): v for k, v in (data or {}).items() if isinstance(v, (str, list))}


def _item_forms(item_form_data) -> dict[str, dict]:
    return {str(code): _values(fields) for code, fields in (item_form_data or {}).items() if isinstance(fields, dict)}


def _checked_forms(applicant, form_data, item_form_data, items) -> tuple[dict, dict]:
    """The shared and per-item fields a bundle may store: the one form's own fields (every member
    item's, once), and each member's own fields for its own members only."""
    shared = applications.draft_form_values(applicant, _values(form_data),
                                            fields=selectors.bundle_form_fields(applicant, items))
    per_item = _item_forms(item_form_data)
    by_code = {item.code: item for item in items}
    strangers = sorted(set(per_item) - set(by_code))
    if strangers:
        raise ValidationFailed(
            "unknown_member_item", f"本一件事不含事项：{'、'.join(strangers[:10])}。",
            f"This bundle case has no member item {', '.join(strangers[:10])}.",
        )
    return shared, {code: applications.draft_form_values(applicant, fields, item=by_code[code])
                    for code, fields in per_item.items()}


def member_form(applicant, item, form_data: dict, item_form_data: dict) -> dict:
    """An item's application form: the shared fields it asks, overridden by that item's own fields."""
    names = {f.name for f in form_fields_for(applicant, item)}
    shared = {name: value for name, value in _values(form_data).items() if name in names}
    return {**shared, **_item_forms(item_form_data).get(item.code, {})}


def _members(bundle_case: BundleCase) -> list[BundleCaseMember]:
    return list(bundle_case.members.select_related("item__department", "case").order_by("position"))


# ---------------------------------------------------------------------------------------------
# Start and the one form
# ---------------------------------------------------------------------------------------------


def start_bundle_application(
    *, applicant, bundle_code: str, answers: dict, form_data: dict | None = None, item_form_data: dict | None = None
) -> BundleCase:
    """Open a bundle application: check the answers and the window, make one draft per applicable item.

    Items that cannot be applied for online become window members (no case; the resident is told
    to visit the window). The shared form is mapped into every draft; the form may be incomplete
    until submission.
    """
    _require_applicant(applicant)
    bundle = selectors.get_bundle(bundle_code)
    guide = selectors.guide_for(bundle, answers)
    if not guide.ok:
        raise guidance_refusal(guide.result)
    check_windows(selectors.application_windows(bundle, [row.item for row in guide.items]))
    if not any(row.online for row in guide.items):
        raise ValidationFailed(
            "no_online_items",
            "按您的回答，本一件事的事项均需到窗口办理，请携带材料前往窗口。",
            "With these answers every item of this bundle is handled at a window; please visit one.",
        )
    shared, per_item = _checked_forms(applicant, form_data, item_form_data, [row.item for row in guide.items])
    with transaction.atomic():
        bundle_case = BundleCase.objects.create(
            bundle=bundle,
            applicant=applicant,
            answers=dict(guide.result.answers),  # what the result rests on: no answer to a question made irrelevant
            form_data=shared,
            item_form_data=per_item,
            skipped=[{"code": row.code, "reason": row.reason, "reason_en": row.reason_en} for row in guide.skipped],
        )
        for position, row in enumerate(guide.items, start=1):
            case = None
            if row.online:
                case = applications.create_draft(
                    applicant=applicant, item_code=row.item.code, form_data=member_form(applicant, row.item, shared, per_item),
                    in_bundle=True,
                )
            BundleCaseMember.objects.create(
                bundle_case=bundle_case, position=position, item=row.item, case=case,
                channel=c.CHANNEL_ONLINE if row.online else c.CHANNEL_WINDOW,
                reason=row.reason, reason_en=row.reason_en,
            )
    return bundle_case


@dataclass(frozen=True)
class FormEdit:
    """Which page sent a save of the one form, and that page's running number of the save."""

    page: str
    seq: int


def update_bundle_form(
    *, bundle_case_id: int, applicant, form_data: dict, item_form_data: dict | None = None, edit: FormEdit | None = None
) -> BundleCase:
    """Save the one form of a draft into every member draft (partial data allowed).

    With `edit`, a save numbered at or below the last applied save of the same page is stale (it
    was overtaken on the way, e.g. an aborted autosave the server still received) and changes
    nothing. Saves of another page (a reload, a second tab) apply in the order they arrive.
    """
    with transaction.atomic():
        bundle_case = _lock_bundle_case(bundle_case_id)
        _own_or_404(bundle_case, applicant)
        _require_draft(bundle_case)
        if edit is not None:
            if edit.page == bundle_case.form_page and edit.seq <= bundle_case.form_seq:
                logger.info("bundle case %s: stale form save %s of page %s ignored", bundle_case.pk, edit.seq, edit.page)
                return bundle_case
            bundle_case.form_page, bundle_case.form_seq = edit.page, edit.seq
        shared, per_item = _checked_forms(applicant, form_data, item_form_data,
                                          [m.item for m in bundle_case.members.select_related("item")])
        bundle_case.form_data = {**bundle_case.form_data, **shared}
        forms = dict(bundle_case.item_form_data)
        for code, fields in per_item.items():
            forms[code] = {**forms.get(code, {}), **fields}
        bundle_case.item_form_data = forms
        bundle_case.save(update_fields=["form_data", "item_form_data", "form_page", "form_seq", "updated_at"])
        for member in _members(bundle_case):
            if member.case is not None:
                applications.update_draft(
                    case_id=member.case_id, applicant=applicant,
                    form_data=member_form(applicant, member.item, bundle_case.form_data, bundle_case.item_form_data),
                )
    return bundle_case


# ---------------------------------------------------------------------------------------------
# Materials: one upload (or one fetch) for every member that needs it
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberMaterial:
    member: BundleCaseMember
    position: int
    exemptible_via: str
    name: str  # the member item's own name for it


def _material_name_en(target: MemberMaterial) -> str:
    """The English name of a member's material (its case's frozen rules), "" when there is none."""
    rules = (target.member.case.rules if target.member.case is not None else None) or {}
    return next((m.get("name_en", "") for m in rules.get("materials", []) if m["position"] == target.position), "")


def _rewindable(stream: BinaryIO) -> BinaryIO:
    if getattr(stream, "seekable", lambda: False)():
        return stream
    # One byte over the limit is enough for the size check to refuse it.
    return io.BytesIO(stream.read(settings.MATERIAL_MAX_BYTES + 1))


def _draft_targets(bundle_case: BundleCase, material_name: str) -> list[MemberMaterial]:
    """Every member material the named one stands for: the same name, and every use of the same
    shared record under any name where that record is always one (`registries.selectors.one_record_for`,
    as `selectors.draft_materials` shows them: one row per such record)."""
    per_member = [(member, item_rules_snapshot(member.item)["materials"]) for member in _members(bundle_case)
                  if member.case is not None]
    same_record = one_record_for(bundle_case.applicant)
    records = {material.get("exemptible_via") for _, materials in per_member for material in materials
               if material["name"] == material_name and material.get("exemptible_via")
               and same_record(material["exemptible_via"])}
    targets = []
    for member, materials in per_member:
        taken = False
        for material in materials:
            via = material.get("exemptible_via") or ""
            same_record = via in records and not taken
            if material["name"] == material_name or same_record:
                targets.append(MemberMaterial(member, material["position"], via, material["name"]))
                taken = taken or same_record
    if not targets:
        raise ValidationFailed(
            "unknown_material",
            f"本一件事的事项均不需要材料“{material_name}”。",
            f"No item of this bundle needs a material named “{material_name}”.",
        )
    return targets


def attach_bundle_material(
    *, bundle_case_id: int, user, material_name: str, stream: BinaryIO, original_name: str
) -> list:
    """Store one upload into every member draft that needs the material; returns the CaseMaterials.

    Files are content-addressed, so the bytes are kept once however many members need them.
    """
    stream = _rewindable(stream)
    with transaction.atomic():
        bundle_case = _lock_bundle_case(bundle_case_id)
        _own_or_404(bundle_case, user)
        _require_draft(bundle_case)
        stored = []
        for target in _draft_targets(bundle_case, material_name):
            stream.seek(0)
            stored.append(applications.attach_material(
                case_id=target.member.case_id, user=user, position=target.position, stream=stream, original_name=original_name
            ))
    return stored


def fetch_bundle_material(*, bundle_case_id: int, user, material_name: str, consent: bool, purpose: str = "") -> list:
    """Fetch a material from data sharing (免交) into every member draft that needs it.

    Consent is granted per member case, and every member's fetch is its own audited registry
    call, so this is deliberately not one transaction: rolling back would erase the access log of
    calls that did happen, and no lock is held while a registry answers. If the registry refuses
    part-way, the members fetched so far keep their record and a retry fetches only the others.
    `consent` must be the applicant's explicit agreement (a ticked box, `"consent": true`).
    """
    if not consent:
        raise PermissionDenied(
            "consent_required", "请先勾选同意调取，再由数据共享调取该材料。",
            "Consent is required before the material is fetched from data sharing.",
        )
    try:
        bundle_case = BundleCase.objects.select_related("bundle").get(pk=bundle_case_id)
    except (BundleCase.DoesNotExist, ValueError, TypeError):
        raise NotFound("bundle_case_not_found", "一件事办件不存在。", "Bundle case not found.") from None
    _own_or_404(bundle_case, user)
    _require_draft(bundle_case)
    targets = [t for t in _draft_targets(bundle_case, material_name) if t.exemptible_via]
    if not targets:
        raise ValidationFailed(
            "not_exemptible",
            f"材料“{material_name}”不能由数据共享调取，请上传。",
            f"“{material_name}” cannot be fetched from data sharing; please upload it.",
        )
    fetched = []
    for target in targets:
        # One agreement, one consent per use, each naming what it is for.
        why = purpose or f"办理“{bundle_case.bundle.name}”之“{target.member.item.name}”：免交“{target.name}”"
        bundle_en = bundle_case.bundle.name_en or bundle_case.bundle.name
        item_en = target.member.item.name_en or target.member.item.name
        why_en = "" if purpose else (f"Applying for “{bundle_en}”, item “{item_en}”: instead of submitting "
                                     f"“{_material_name_en(target) or target.name}”")
        case = target.member.case
        already = case.materials.filter(
            superseded=False, material_position=target.position, shared_source=target.exemptible_via
        ).first()
        if already is not None:
            fetched.append(already)
            continue
        grant_consent(user=user, exemptible_via=target.exemptible_via, case_id=case.pk, purpose=why[:200], purpose_en=why_en)
        fetched.append(fetch_material_for_case(case_id=case.pk, user=user, position=target.position))
    return fetched


# ---------------------------------------------------------------------------------------------
# Submission: every member in one transaction
# ---------------------------------------------------------------------------------------------


def _missing_required(members: list[BundleCaseMember], awaited: dict[str, dict[int, str]]) -> dict[str, list[str]]:
    """Required materials without a file (and not awaited from another member): name -> item names."""
    missing: dict[str, list[str]] = {}
    for member in members:
        if member.case is None:
            continue
        present = set(member.case.materials.filter(superseded=False).values_list("material_position", flat=True))
        present |= set(awaited.get(member.item.code, {}))
        for material in item_rules_snapshot(member.item)["materials"]:
            if material["necessity"] == NECESSITY_REQUIRED and material["position"] not in present:
                missing.setdefault(material["name"], []).append(member.item.name)
    return missing


def _bundle_number(bundle_case: BundleCase) -> str:
    # Like case numbers (<code without dashes><legal day of submission><serial>); the row id is
    # unique already. Dated from submitted_at, the same instant the member cases are dated from.
    return f"{bundle_case.bundle.code.replace('-', '')}{clock.legal_day(bundle_case.submitted_at):%Y%m%d}{bundle_case.pk:06d}"


def submit_bundle(*, bundle_case_id: int, applicant, idempotency_key: str | None = None) -> BundleCase:
    """Submit every member case at once (all or none) and number the bundle case.

    A retry with the same idempotency key returns the bundle case it submitted.
    """
    key = (idempotency_key or "").strip()[:100] or None
    try:
        with transaction.atomic():
            bundle_case = _lock_bundle_case(bundle_case_id)
            _own_or_404(bundle_case, applicant)
            if not bundle_case.is_draft:
                if key and bundle_case.submission_key == key:
                    return bundle_case
                raise Conflict("already_submitted", "该一件事已提交，请勿重复提交。", "This bundle case has already been submitted.")
            if key and BundleCase.objects.filter(applicant=applicant, submission_key=key).exclude(pk=bundle_case.pk).exists():
                raise Conflict(
                    "idempotency_key_reused", "该幂等键已用于另一份申请。", "This idempotency key was already used for another application."
                )
            members = _members(bundle_case)
            check_windows(selectors.application_windows(bundle_case.bundle, [m.item for m in members]))
            awaited = selectors.passed_on_within(members)
            missing = _missing_required(members, awaited)
            if missing:
                raise ValidationFailed(
                    "missing_materials",
                    "缺少必要材料：" + "；".join(f"{name}（{'、'.join(items)}）" for name, items in missing.items()),
                    f"Required materials are missing: {len(missing)}",
                    details={"missing": list(missing), "by_material": missing},
                )
            for member in members:
                if member.case is not None:
                    # A key per member, derived, so a retried bundle never submits a member twice.
                    applications.submit_application(
                        case_id=member.case_id, applicant=applicant, idempotency_key=f"yjs-{bundle_case.pk}-{member.case_id}",
                        awaited_positions=awaited.get(member.item.code, {}).keys(), as_bundle_member=True,
                    )
            _consent_to_pass_results_on(applicant, members, awaited)
            bundle_case.submitted_at = clock.now()
            bundle_case.submission_key = key
            bundle_case.number = _bundle_number(bundle_case)
            bundle_case.save(update_fields=["submitted_at", "submission_key", "number", "updated_at"])
    except IntegrityError:
        # A concurrent submission of another bundle case took the same key first.
        raise Conflict(
            "idempotency_key_reused", "该幂等键已用于另一份申请。", "This idempotency key was already used for another application."
        ) from None
    logger.info("bundle case %s submitted with %d members", bundle_case.number, len(members))
    return bundle_case


def _consent_to_pass_results_on(applicant, members: list[BundleCaseMember], awaited: dict[str, dict[int, str]]) -> None:
    # Submitting the bundle is the applicant's consent that a licence issued to them by one member
    # is handed to the members that need it; recorded like any other consent, so it is audited.
    if not awaited:
        return
    materials = {member.item.code: item_rules_snapshot(member.item)["materials"] for member in members}
    for member in members:
        for position in awaited.get(member.item.code, {}):
            via = next(m["exemptible_via"] for m in materials[member.item.code] if m["position"] == position)
            grant_consent(user=applicant, exemptible_via=via, case_id=member.case_id,
                          purpose="一件事内已签发证照复用 reuse of a licence issued within this bundle",
                          purpose_en="Reuse of a licence issued within this bundle")


class ResultNotPassedOn(Exception):
    """A registry was unavailable: the background job tries these members again later."""


@dataclass
class PassedOn:
    attached: list = field(default_factory=list)  # the new materials
    refused: dict[int, str] = field(default_factory=dict)  # case id -> why it cannot take the result
    retry_later: dict[int, str] = field(default_factory=dict)  # case id -> temporary failure


def pass_result_on(case_id: int) -> PassedOn:
    """After a member's result is issued, attach it to the other members that were waiting for it.

    Runs as a background job after the issuing commit. A member that cannot take it (closed, or
    the record refused) keeps the material owed: the applicant or the window can still supply
    it. A member whose registry was unavailable is listed in `retry_later`; running this again
    skips the members that already took it.
    """
    passed = PassedOn()
    member = BundleCaseMember.objects.select_related("bundle_case", "item").filter(case_id=case_id).first()
    if member is None or not member.bundle_case.submitted_at:
        return passed
    members = _members(member.bundle_case)
    awaited = selectors.passed_on_within(members)
    for other in members:
        for position, producer in awaited.get(other.item.code, {}).items():
            if producer != member.item.code or other.case is None:
                continue
            if position in _present_positions(other.case):
                continue  # taken on an earlier run
            try:
                passed.attached.append(
                    fetch_material_for_case(case_id=other.case_id, user=member.bundle_case.applicant, position=position)
                )
            except DomainError as refused:
                bucket = passed.retry_later if refused.status >= 500 else passed.refused
                bucket[other.case_id] = refused.code
                logger.warning("result of case %s not passed on to case %s: %s", case_id, other.case_id, refused.code)
    return passed


def _present_positions(case) -> set[int]:
    return set(case.materials.filter(superseded=False).values_list("material_position", flat=True))


# ---------------------------------------------------------------------------------------------
# Supplements: one upload for every member that asked for the same material
# ---------------------------------------------------------------------------------------------


@dataclass
class SupplementResult:
    bundle_case: BundleCase
    uploaded_case_ids: list[int] = field(default_factory=list)
    resumed_case_ids: list[int] = field(default_factory=list)
    waiting: dict[int, list[str]] = field(default_factory=dict)  # case id -> materials still owed


def supply_bundle_supplement(
    *, bundle_case_id: int, user, material_name: str, stream: BinaryIO, original_name: str
) -> SupplementResult:
    """Upload once into every member awaiting a supplement of that material, then hand back
    (action "supply") each member whose requested materials are now all present."""
    stream = _rewindable(stream)
    with transaction.atomic():
        bundle_case = _lock_bundle_case(bundle_case_id)
        _own_or_404(bundle_case, user)
        result = SupplementResult(bundle_case=bundle_case)
        targets = []
        for member in _members(bundle_case):
            case = member.case
            if case is None or case.state != case_states.SUPPLEMENT_REQUESTED:
                continue
            requested = set(requested_supplement_positions(case))
            for material in case.rules.get("materials", []):
                if material["position"] in requested and material["name"] == material_name:
                    targets.append((case.pk, material["position"]))
        if not targets:
            raise ValidationFailed(
                "material_not_requested",
                f"没有事项要求补正材料“{material_name}”。",
                f"No member asked for a supplement of “{material_name}”.",
            )
        for case_id, position in targets:
            stream.seek(0)
            applications.attach_material(case_id=case_id, user=user, position=position, stream=stream, original_name=original_name)
            result.uploaded_case_ids.append(case_id)
        for case_id in dict.fromkeys(case_id for case_id, _ in targets):
            try:
                applications.perform_action(case_id=case_id, actor=user, action="supply", expected_version=None)
            except ValidationFailed as refused:
                if refused.code != "supplement_incomplete":
                    raise
                result.waiting[case_id] = list((refused.details or {}).get("missing", []))
            else:
                result.resumed_case_ids.append(case_id)
    return result
