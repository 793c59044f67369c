"""Writes on cases: drafts, materials, submission, and every lifecycle action.

Each public function is atomic; the case row is locked (`select_for_update`) for the whole
transition and the caller names the `version` it saw, so a stale or concurrent action is refused
with a conflict and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import dataclass
from typing import BinaryIO

from django.db import transaction
from django.conf import settings
from django.db.models import F, Max, Q

from yiwang.accounts.constants import ROLE_WINDOW_OFFICER
from yiwang.accounts.selectors import assigned_department_ids, has_role
from yiwang.accounts.services import lock_account
from yiwang.applications import constants as c
from yiwang.applications import lifecycle
from yiwang.catalog.application_forms import (
    check_draft_values, form_fields, parse_form_definition, validate_form_data,
)
from yiwang.applications.models import Case, CaseEvent, CaseMaterial, CaseSerial, Notice
from yiwang.applications.notices import NoticeFacts, compose_notice, compose_notice_en
from yiwang.applications.selectors import initial_form_values, material_is_open, notice_particulars, received_at_counter_by
from yiwang.applications.storage import remove_stored_file, store_material_file, store_shared_record
from yiwang.catalog.constants import ITEM_TYPE_LICENSING, NECESSITY_DEFERRABLE, NECESSITY_REQUIRED
from yiwang.catalog.selectors import get_item, item_rules_snapshot
from yiwang.core import clock
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.jobs.events import publish
from yiwang.jobs.services import enqueue_job
from yiwang.workcalendar.selectors import compute_deadline, count_working_days

logger = logging.getLogger("yiwang.applications")


def _today() -> dt.date:
    return clock.today()


def _applicant_kind(user) -> str:
    return "enterprise" if user.kind == "enterprise" else "resident"


def _require_applicant(user) -> None:
    if not user.is_authenticated or user.kind not in {"resident", "enterprise"}:
        raise PermissionDenied(
            "applicants_only", "只有个人或企业用户可以申报办件。", "Only residents and enterprises can apply."
        )


def _item_fields(user, item) -> list:
    definition = parse_form_definition(item.form) if item is not None and item.form else ()
    return form_fields(applicant_kind=_applicant_kind(user), definition=definition)


def _clean_form(user, form_data: dict, item=None) -> dict:
    clean, errors = validate_form_data(_item_fields(user, item), form_data or {})
    if errors:
        raise ValidationFailed(
            "invalid_form",
            "申请表填写有误：" + "；".join(zh for zh, _ in errors.values()),
            "The application form has errors: " + "; ".join(en for _, en in errors.values()),
            details={name: {"message": zh, "message_en": en} for name, (zh, en) in errors.items()},
        )
    return clean


def draft_form_values(user, form_data, *, item=None, fields=None) -> dict:
    """The part of `form_data` a draft of `user` for `item` may store (or of the given `fields`:
    a 一件事's one form); ValidationFailed (400) for unknown fields or values longer than the form
    allows (nothing is stored then)."""
    values, errors = check_draft_values(fields if fields is not None else _item_fields(user, item), form_data or {})
    if errors:
        raise ValidationFailed(
            "unknown_form_field" if set(errors) == {"__unknown__"} else "invalid_form",
            "申请表填写有误：" + "；".join(zh for zh, _ in errors.values()),
            "The application form has errors: " + "; ".join(en for _, en in errors.values()),
            details={name: {"message": zh, "message_en": en} for name, (zh, en) in errors.items()},
        )
    return values


def _lock_case(case_id: int) -> Case:
    try:
        # of=("self",): lock the case row only, not the joined item, department and applicant rows
        # (which every other case of the same item or department would then queue behind).
        return (
            Case.objects.select_for_update(of=("self",))
            .select_related("item__department", "department", "applicant")
            .get(pk=case_id)
        )
    except Case.DoesNotExist:
        raise NotFound("case_not_found", "办件不存在。", "Case not found.") from None


def _own_case_or_404(case: Case, user) -> None:
    """The applicant, or the officer who opened the application at a counter while it is a draft there."""
    if case.applicant_id == user.pk:
        return
    if case.state == c.DRAFT and received_at_counter_by(case, user):
        return
    # Another person's case is reported as missing, so its existence is not disclosed.
    raise NotFound("case_not_found", "办件不存在。", "Case not found.")


def _require_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != case.version:
        raise Conflict(
            "stale_case",
            "办件已被他人处理或已更新，请刷新后重试。",
            "The case was changed by someone else; reload it and try again.",
            details={"current_version": case.version, "your_version": expected_version},
        )


def create_draft(
    *, applicant, item_code: str, form_data: dict | None = None, actor=None, channel: str = c.CHANNEL_ONLINE,
    in_bundle: bool = False,
) -> Case:
    """Start an application for an item; the form may be incomplete until submission.

    `in_bundle` marks the draft of a 一件事 member: it is not listed on its own and is submitted
    only with its bundle (`submit_application(..., as_bundle_member=True)`).

    Online the applicant acts for themselves. At a counter (`channel` "window") `actor` is the
    window officer who takes the application in for the applicant in front of them (a walk-in,
    see `accounts.services.walk_in_applicant`); the case records them as its receiver and only
    they may fill and submit the draft. Whether the officer may serve that item is the hall's
    decision (`hall.services.open_counter_application`), made before this is called.
    """
    actor = actor or applicant
    _require_applicant(applicant)
    item = get_item(item_code)
    if channel == c.CHANNEL_WINDOW:
        if not has_role(actor, ROLE_WINDOW_OFFICER):
            raise PermissionDenied("window_officers_only", "只有窗口人员可以代为申报。", "Only window officers can apply for someone.")
    elif channel not in dict(c.CASE_CHANNELS):
        raise ValidationFailed("unknown_channel", "未知的申报渠道。", "Unknown application channel.")
    elif actor.pk != applicant.pk:
        raise PermissionDenied("applicants_only", "只有个人或企业用户可以申报办件。", "Only residents and enterprises can apply.")
    elif channel == c.CHANNEL_KIOSK and "kiosk" not in (item.channels or []):
        raise ValidationFailed(
            "not_on_kiosks", "该事项不能在自助终端办理，请到窗口或网上办理。",
            "This item cannot be applied for at a kiosk; apply online or at a window."
        )
    elif channel != c.CHANNEL_KIOSK and "online" not in (item.channels or []):
        raise ValidationFailed(
            "not_online", "该事项不支持网上申报，请到窗口办理。", "This item cannot be applied for online; please visit a window."
        )
    with transaction.atomic():
        return Case.objects.create(
            item=item,
            department=item.department,
            applicant=applicant,
            state=c.DRAFT,
            channel=channel,
            received_by=actor if channel == c.CHANNEL_WINDOW else None,
            form_data={**initial_form_values(applicant, item), **draft_form_values(applicant, form_data, item=item)},
            in_bundle=in_bundle,
        )


def update_draft(*, case_id: int, applicant, form_data: dict) -> Case:
    """Save the form of a draft (partial data allowed); `applicant` is whoever fills it (see create_draft)."""
    with transaction.atomic():
        case = _lock_case(case_id)
        _own_case_or_404(case, applicant)
        if case.state != c.DRAFT:
            raise Conflict("not_a_draft", "办件已提交，不能再修改申请表。", "The case is submitted; its form can no longer change.")
        case.form_data = {**case.form_data, **draft_form_values(case.applicant, form_data, item=case.item)}
        case.save(update_fields=["form_data", "updated_at"])
        return case


def _material_rules(case: Case) -> list[dict]:
    if case.rules:
        return case.rules["materials"]
    return item_rules_snapshot(case.item)["materials"]


def attach_material(*, case_id: int, user, position: int, stream: BinaryIO, original_name: str) -> CaseMaterial:
    """Store a file for material `position` of the case (draft, or a requested supplement)."""
    stored = store_material_file(stream)  # refused files raise before anything is written to the DB
    return _attach(case_id=case_id, user=user, position=position, stored=stored, source=c.SOURCE_UPLOAD,
                   original_name=original_name)


def attach_shared_record(
    *, case_id: int, user, position: int, exemptible_via: str, record: dict, fetched_at, access_log_id: int
) -> CaseMaterial:
    """Attach a record fetched from a data-sharing registry in place of an upload (免交).

    `exemptible_via` ("registry:kind") must be what the item allows for that material; the record
    is kept as a verified e-material with its source, fetch time and the access-log entry.
    """
    stored = store_shared_record(record)
    return _attach(
        case_id=case_id, user=user, position=position, stored=stored, source=c.SOURCE_REGISTRY,
        original_name=f"{exemptible_via}.json", exemptible_via=exemptible_via,
        shared_fields={"shared_source": exemptible_via, "fetched_at": fetched_at, "access_log_id": access_log_id},
    )


def _attach(*, case_id, user, position, stored, source, original_name, exemptible_via=None, shared_fields=None):
    with transaction.atomic():
        case = _lock_case(case_id)
        _own_case_or_404(case, user)
        materials = {m["position"]: m for m in _material_rules(case)}
        if position not in materials:
            raise ValidationFailed(
                "unknown_material", f"该事项没有序号为 {position} 的材料。", f"This item has no material number {position}."
            )
        if exemptible_via is not None and materials[position].get("exemptible_via") != exemptible_via:
            raise ValidationFailed(
                "not_exemptible",
                f"材料“{materials[position]['name']}”不能以该共享数据代替。",
                f"Material {position} cannot be replaced by that shared record.",
            )
        if not material_is_open(case, position=position, name=materials[position]["name"]):
            raise Conflict(
                "materials_closed",
                "当前状态下不能上传该材料。",
                "This material cannot be uploaded in the case's current state.",
            )
        case.materials.filter(material_position=position, superseded=False).update(superseded=True, superseded_at=clock.now())
        name = materials[position]["name"]
        if case.state != c.DRAFT and name in case.owed_materials:
            case.owed_materials = [owed for owed in case.owed_materials if owed != name]
            case.save(update_fields=["owed_materials", "updated_at"])
        return CaseMaterial.objects.create(
            case=case,
            material_position=position,
            material_name=materials[position]["name"],
            source=source,
            original_name=(original_name or "")[:255],
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_path=stored.storage_path,
            uploaded_by=user,
            **(shared_fields or {}),
        )


def _next_case_number(item_code: str, day: dt.date) -> str:
    prefix = item_code.replace("-", "")
    # The counter row may not exist yet: create it without failing the transaction, then lock it.
    CaseSerial.objects.bulk_create([CaseSerial(prefix=prefix, day=day, last=0)], ignore_conflicts=True)
    serial = CaseSerial.objects.select_for_update().get(prefix=prefix, day=day)
    serial.last += 1  # the row stays locked until our transaction ends, so this cannot race
    serial.save(update_fields=["last"])
    return f"{prefix}{day:%Y%m%d}{serial.last:06d}"


def _record(case: Case, *, action: str, from_state: str, actor, actor_role: str, channel: str, opinion: str = "",
            data: dict | None = None, notice_kind: str | None = None, missing: list[str] | None = None,
            on_behalf_of=None) -> CaseEvent:
    sequence = case.version  # version was just increased: one event per version
    event = CaseEvent.objects.create(
        case=case, sequence=sequence, action=action, from_state=from_state, to_state=case.state,
        actor=actor, actor_role=actor_role, opinion=opinion, data=data or {}, channel=channel,
        on_behalf_of=on_behalf_of if on_behalf_of is not None and on_behalf_of.pk != getattr(actor, "pk", None) else None,
    )
    if notice_kind:
        facts = NoticeFacts(
            case_number=case.number or "",
            item_name=case.rules.get("item_name", case.item.name),
            applicant_name=case.applicant.real_name or case.applicant.username,
            department_name=case.rules.get("department_name", case.department.name),
            on=_today(),
            statutory_due=case.statutory_due,
            promised_due=case.promised_due,
            due_provisional=case.due_provisional,
            opinion=opinion,
            missing_materials=missing or [],
            owed_materials=list(case.owed_materials),
            result_name=(case.rules.get("result") or {}).get("name", ""),
            licensing=case.item.item_type == ITEM_TYPE_LICENSING,
            particulars=tuple(notice_particulars(case)),
            **_notice_facts_en(case, missing or []),
        )
        title, body = compose_notice(notice_kind, facts)
        title_en, body_en = compose_notice_en(notice_kind, facts)
        Notice.objects.create(case=case, event=event, kind=notice_kind, title=title, body=body, title_en=title_en,
                              body_en=body_en, missing_materials=missing or [])
    # Told to whoever subscribed (the applicant's messages, departments' webhooks), by the worker.
    publish(event_type=f"case.{action}", event_id=f"case-event-{event.pk}", payload={"case_event_id": event.pk})
    return event


def _notice_facts_en(case: Case, missing: list[str]) -> dict:
    """The English names of a notice's facts (NoticeFacts' *_en fields), from the case's frozen rules."""
    rules = case.rules or {}
    english = {m["name"]: m.get("name_en") or m["name"] for m in rules.get("materials", [])}
    return {
        "item_name_en": rules.get("item_name_en") or case.item.name_en,
        "department_name_en": case.department.name_en,
        "result_name_en": (rules.get("result") or {}).get("name_en", ""),
        "missing_materials_en": [english.get(name, name) for name in missing],
        "owed_materials_en": [english.get(name, name) for name in case.owed_materials],
        "particulars_en": tuple(notice_particulars(case, english=True)),
    }


def _current_materials(case: Case) -> set[int]:
    return set(case.materials.filter(superseded=False).values_list("material_position", flat=True))


def submit_application(
    *, case_id: int, applicant, idempotency_key: str | None = None, awaited_positions: Collection[int] = (),
    actor=None, as_bundle_member: bool = False,
) -> Case:
    """Submit a draft: check the form and materials, freeze the item's rules, number the case.

    `actor` is who submits when not the applicant: the officer who took the application in at a
    counter (the event records them, and the applicant as the one they acted for).
    A retried submission with the same idempotency key returns the case it created.
    `awaited_positions` are materials that another case of the same application (a 一件事 member)
    will produce, e.g. the business licence the seal registration needs: they are not required
    now and are owed until the result is attached. A 一件事 member's draft is submitted only by
    its bundle (`as_bundle_member`); alone it is refused, so a bundle is never left half submitted.
    """
    key = (idempotency_key or "").strip()[:100] or None
    actor = actor or applicant
    with transaction.atomic():
        case = _lock_case(case_id)
        if case.applicant_id != applicant.pk or not (actor.pk == applicant.pk or received_at_counter_by(case, actor)):
            raise NotFound("case_not_found", "办件不存在。", "Case not found.")
        if case.state != c.DRAFT:
            if key and case.submission_key == key:
                return case
            raise Conflict("already_submitted", "该办件已提交，请勿重复提交。", "This case has already been submitted.")
        if case.in_bundle and not as_bundle_member:
            raise Conflict("bundle_member", "该办件是一件事的组成事项，请在一件事中一并提交。",
                           "This case is part of a bundle (一件事); submit it with its bundle.")
        if key and Case.objects.filter(applicant=applicant, submission_key=key).exclude(pk=case.pk).exists():
            raise Conflict(
                "idempotency_key_reused",
                "该幂等键已用于另一份申请。",
                "This idempotency key was already used for another application.",
            )
        case.form_data = _clean_form(case.applicant, case.form_data, case.item)
        rules = item_rules_snapshot(case.item)
        present = _current_materials(case)
        awaited = set(awaited_positions) - present
        missing = [
            m["name"] for m in rules["materials"]
            if m["necessity"] == NECESSITY_REQUIRED and m["position"] not in present | awaited
        ]
        if missing:
            raise ValidationFailed(
                "missing_materials",
                "缺少必要材料：" + "、".join(missing),
                f"Required materials are missing: {len(missing)}",
                details={"missing": missing},
            )
        case.owed_materials = [
            m["name"] for m in rules["materials"]
            if m["position"] not in present and (m["necessity"] == NECESSITY_DEFERRABLE or m["position"] in awaited)
        ]
        now = clock.now()
        case.rules = rules
        case.number = _next_case_number(rules["item_code"], clock.legal_day(now))
        case.state = c.RECEIVED
        case.submitted_at = now
        case.submission_key = key
        case.version += 1
        case.save()
        _record(case, action="submit", from_state=c.DRAFT, actor=actor,
                actor_role=lifecycle.APPLICANT if actor.pk == applicant.pk else actor.role, channel=case.channel,
                on_behalf_of=applicant, notice_kind=c.NOTICE_RECEIPT)
    return case


@dataclass(frozen=True)
class OneCallSubmission:
    case: Case
    created: bool  # False: a retry with the key of an earlier submission, answered with its case


def create_and_submit(*, applicant, item_code: str, form_data: dict, idempotency_key: str) -> OneCallSubmission:
    """One-call application for items that need no uploads; a retry gets the first call's case.

    Concurrent calls with one key are serialised on the applicant's row, and the key is looked up
    inside that transaction: exactly one creates the case, every other one answers with it.
    """
    key = (idempotency_key or "").strip()[:100]
    if not key:
        raise ValidationFailed("idempotency_key_required", "请提供幂等键（Idempotency-Key）。", "An Idempotency-Key is required.")
    with transaction.atomic():
        lock_account(applicant)  # their calls with one key queue here, other applicants' don't
        existing = Case.objects.filter(applicant=applicant, submission_key=key).first()
        if existing is not None:
            return OneCallSubmission(case=existing, created=False)
        draft = create_draft(applicant=applicant, item_code=item_code, form_data=form_data)
        case = submit_application(case_id=draft.pk, applicant=applicant, idempotency_key=key)
        return OneCallSubmission(case=case, created=True)


def _compute_dues(case: Case) -> None:
    if case.accepted_on is None:
        return
    provisional = False
    for limit_key, field in (("statutory_limit", "statutory_due"), ("promised_limit", "promised_due")):
        limit = case.rules.get(limit_key)
        if not limit:
            setattr(case, field, None)
            continue
        due = compute_deadline(
            start=case.accepted_on,
            value=limit["value"],
            unit=limit["unit"],
            paused_working_days=case.paused_working_days,
            paused_calendar_days=case.paused_calendar_days,
        )
        setattr(case, field, due.due)
        provisional = provisional or due.provisional
    case.due_provisional = provisional


def _staff_role_for(case: Case, actor) -> str:
    if not actor.is_authenticated or actor.kind != "staff":
        raise PermissionDenied("staff_only", "该操作只能由工作人员办理。", "Only staff can take this action.")
    if case.department_id not in assigned_department_ids(actor) or case.state == c.DRAFT:
        # Staff never see drafts, nor other departments' cases: both are reported as missing.
        raise NotFound("case_not_found", "办件不存在。", "Case not found.")
    return actor.role


def _pause(case: Case, today: dt.date) -> None:
    if case.accepted_on is not None and case.paused_on is None:
        case.paused_on = today


def _resume(case: Case, today: dt.date) -> dict:
    if case.paused_on is None:
        return {}
    working, _ = count_working_days(after=case.paused_on, until=today)
    calendar_days = (today - case.paused_on).days
    case.paused_working_days += working
    case.paused_calendar_days += calendar_days
    case.paused_on = None
    _compute_dues(case)
    return {"paused_working_days": working, "paused_calendar_days": calendar_days}


def perform_action(
    *,
    case_id: int,
    actor,
    action: str,
    expected_version: int | None,
    opinion: str = "",
    missing_materials: list[int] | None = None,
    channel: str | None = None,
) -> Case:
    """Take a lifecycle action on a case; refuse (and change nothing) if it is invalid or stale.

    `channel` is where the actor took it: by default online for the applicant and the back
    office for staff.
    """
    opinion = (opinion or "").strip()
    with transaction.atomic():
        case = _lock_case(case_id)
        spec = lifecycle.ACTIONS.get(action)
        if spec is not None and spec.own_service:
            # Refused before anything else is looked at: this door never takes such an action.
            try:
                lifecycle.refuse_generic(spec)
            except lifecycle.TransitionRefused as refused:
                raise ValidationFailed(refused.code, refused.message, refused.message_en) from None
        if spec is not None and spec.actor == lifecycle.APPLICANT:
            _own_case_or_404(case, actor)
            role = lifecycle.APPLICANT
        else:
            if actor.kind != "staff":
                _own_case_or_404(case, actor)  # someone else's case stays invisible, not 'forbidden'
            role = _staff_role_for(case, actor)
        _require_version(case, expected_version)
        channel = channel or (c.CHANNEL_ONLINE if role == lifecycle.APPLICANT else c.CHANNEL_BACK_OFFICE)
        _transition(case, action=action, actor=actor, role=role, channel=channel, opinion=opinion,
                    missing_materials=missing_materials)
    logger.info("case %s: %s by %s -> %s", case.number, action, actor.username, case.state)
    return case


def _transition(case: Case, *, action: str, actor, role: str, channel: str, opinion: str = "",
                missing_materials: list[int] | None = None, extra_data: dict | None = None) -> None:
    """The checked state change on a locked case, with its event and notice; `role` is the
    lifecycle role the action is checked against and recorded."""
    try:
        spec = lifecycle.check_transition(
            action_name=action, state=case.state, flow=case.rules.get("flow", []), step=case.step, actor_role=role
        )
    except lifecycle.TransitionRefused as refused:
        raise Conflict(refused.code, refused.message, refused.message_en) from None
    if spec.opinion_required and not opinion:
        raise ValidationFailed(
            "opinion_required", f"“{spec.label}”须填写理由或意见。", f"'{spec.label_en}' needs a reason or opinion."
        )
    handler = _HANDLERS.get(action, _simple)
    from_state = case.state
    data, missing_names = handler(case, spec, actor=actor, opinion=opinion, missing_positions=missing_materials)
    case.version += 1
    case.save()
    _record(case, action=action, from_state=from_state, actor=actor, actor_role=role, channel=channel,
            opinion=opinion, data={**data, **(extra_data or {})}, notice_kind=spec.notice, missing=missing_names)


def deliver_result(*, case_id: int, actor, channel: str, how: dict) -> Case:
    """Record that an issued result reached the applicant (送达), for the hall's unified output.

    `actor` is the output-counter officer who handed it over or mailed it (the hall checks they
    sit at an output window); `how` (method, tracking number, ...) is kept on the event. Refused
    unless the case's result is issued.
    """
    with transaction.atomic():
        case = _lock_case(case_id)
        _transition(case, action="deliver", actor=actor, role=lifecycle.OFFICER, channel=channel, extra_data=how)
    logger.info("case %s: result delivered (%s)", case.number, how.get("method", ""))
    return case


def submit_at_counter(*, case_id: int, officer, idempotency_key: str) -> Case:
    """Submit an application taken in at a counter and accept it there and then (窗口收件即受理).

    Only the officer who opened the counter draft may do this; the case then goes to its
    department's back office like any other accepted case. A retry with the same key returns
    the case as it is.
    """
    with transaction.atomic():
        case = _lock_case(case_id)
        if not received_at_counter_by(case, officer):
            raise NotFound("case_not_found", "办件不存在。", "Case not found.")
        case = submit_application(case_id=case.pk, applicant=case.applicant, actor=officer,
                                  idempotency_key=idempotency_key)
        if case.state != c.RECEIVED:
            return case  # a retry: accepted already (or moved on since); submit and accept are one transaction
        _transition(case, action="accept", actor=officer, role=lifecycle.OFFICER, channel=c.CHANNEL_WINDOW)
    logger.info("case %s: submitted and accepted at a counter by %s", case.number, officer.username)
    return case


def _simple(case, spec, **_):
    case.state = spec.to_state
    return {}, None


def _accept(case, spec, **_):
    case.state = c.ACCEPTED
    case.accepted_on = _today()
    case.step = 0
    _compute_dues(case)
    return {}, None


def _request_supplement(case, spec, *, missing_positions, opinion, **_):
    by_position = {m["position"]: m["name"] for m in case.rules["materials"]}
    positions = sorted(set(missing_positions or []))
    if not positions:
        raise ValidationFailed(
            "missing_materials_required",
            "补正通知须一次性列明全部需补正的材料。",
            "A supplement request must list every missing material at once.",
        )
    unknown = [p for p in positions if p not in by_position]
    if unknown:
        raise ValidationFailed(
            "unknown_material", f"该事项没有序号为 {unknown} 的材料。", f"This item has no materials numbered {unknown}."
        )
    names = [by_position[p] for p in positions]
    # What was on file when the request went out, by row id: a supplement is a material stored
    # after it (row ids only grow; timestamps can tie within one instant).
    on_file = case.materials.aggregate(last=Max("id"))["last"] or 0
    data = {"resume_state": case.state, "missing_positions": positions, "requested_at_version": case.version + 1,
            "materials_before_id": on_file}
    _pause(case, _today())
    case.state = c.SUPPLEMENT_REQUESTED
    return data, names


def _supply(case, spec, **_):
    request = case.events.filter(action="request_supplement").order_by("-sequence").first()
    requested = request.data.get("missing_positions", []) if request else []
    fresh = set()
    if request is not None:
        current = case.materials.filter(superseded=False)
        if "materials_before_id" in request.data:
            current = current.filter(id__gt=request.data["materials_before_id"])
        else:  # requests recorded before the id was kept
            current = current.filter(uploaded_at__gte=request.at)
        fresh = set(current.values_list("material_position", flat=True))
    still_missing = [p for p in requested if p not in fresh]
    if still_missing:
        names = [m["name"] for m in case.rules["materials"] if m["position"] in still_missing]
        raise ValidationFailed(
            "supplement_incomplete",
            "仍缺少补正材料：" + "、".join(names),
            f"Supplements still missing: {len(names)}",
            details={"missing": names},
        )
    resume_state = request.data.get("resume_state", c.RECEIVED) if request else c.RECEIVED
    data = _resume(case, _today())
    case.state = resume_state
    return data, None


def _start_special(case, spec, **_):
    _pause(case, _today())
    case.state = c.SPECIAL_PROCEDURE
    return {}, None


def _end_special(case, spec, **_):
    data = _resume(case, _today())
    case.state = c.ACCEPTED
    return data, None


def _review(case, spec, **_):
    case.step += 1
    return {"step": case.step}, None


def _approve(case, spec, **_):
    case.state = c.APPROVED_MATERIALS_OWED if case.owed_materials else c.APPROVED
    case.decided_at = clock.now()
    return {}, None


def _deny(case, spec, **_):
    case.state = c.DENIED
    case.decided_at = clock.now()
    return {}, None


# Background job kinds run with {"case_id": ...} after a result (e-licence) is issued; other apps
# register here (e.g. a 一件事 passes a member's licence on to the members that need it).
_result_issued_jobs: list[str] = []


def register_result_issued_job(kind: str) -> None:
    """Run a background job of `kind` with the case id after every committed result issuance."""
    if kind not in _result_issued_jobs:
        _result_issued_jobs.append(kind)


def _issue_result(case, spec, *, actor, **_):
    from yiwang.licences.services import issue_licence

    licence = issue_licence(case=case, issued_by=actor)
    case.state = c.RESULT_ISSUED
    for kind in _result_issued_jobs:  # recorded with the issuance: a crash cannot lose them
        enqueue_job(kind=kind, payload={"case_id": case.pk}, dedupe_key=f"{kind}:{case.pk}")
    return {"licence_number": licence.number}, None


_HANDLERS = {
    "accept": _accept,
    "request_supplement": _request_supplement,
    "supply": _supply,
    "start_special": _start_special,
    "end_special": _end_special,
    "review": _review,
    "approve": _approve,
    "deny": _deny,
    "issue_result": _issue_result,
}


def recompute_open_deadlines() -> int:
    """Recompute the deadlines of running cases after a holiday schedule is published, replaced
    or withdrawn; returns how many cases changed. Provisional deadlines become final this way."""
    changed = 0
    running = Case.objects.filter(accepted_on__isnull=False).exclude(
        state__in=c.FINAL_STATES | {c.APPROVED, c.APPROVED_MATERIALS_OWED, c.RESULT_ISSUED}
    )
    for case_id in running.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            before = (case.statutory_due, case.promised_due, case.due_provisional)
            _compute_dues(case)
            if before != (case.statutory_due, case.promised_due, case.due_provisional):
                case.save(update_fields=["statutory_due", "promised_due", "due_provisional", "updated_at"])
                changed += 1
    if changed:
        logger.info("deadlines recomputed for %d cases", changed)
    return changed


@dataclass(frozen=True)
class FilePurge:
    rows: int  # superseded materials whose file is no longer kept for them
    files_removed: int
    bytes_freed: int
    files_kept: int  # still needed by another material (same content) or being uploaded again


def remove_superseded_files() -> FilePurge:
    """Remove the bytes of files replaced before their case was submitted, after the retention period.

    Such a file never formed part of an application: only the applicant saw it. A file replaced
    after submission (a 补正 answer, say) is what an officer examined, so it stays with the case.
    The material row stays in both cases, with its name, size and digest.
    """
    cutoff = clock.now() - dt.timedelta(seconds=settings.SUPERSEDED_FILE_SECONDS)
    removable = CaseMaterial.objects.filter(
        Q(case__submitted_at__isnull=True) | Q(superseded_at__lt=F("case__submitted_at")),
        superseded=True, file_removed_at__isnull=True, superseded_at__lte=cutoff,
    )
    rows = files_removed = bytes_freed = files_kept = 0
    for path in removable.values_list("storage_path", flat=True).distinct().order_by("storage_path"):
        with transaction.atomic():
            holders = list(CaseMaterial.objects.select_for_update().filter(storage_path=path, file_removed_at__isnull=True))
            going = {m.pk for m in removable.filter(pk__in=[m.pk for m in holders])}
            CaseMaterial.objects.filter(pk__in=going).update(file_removed_at=clock.now())
            rows += len(going)
            still_needed = any(m.pk not in going for m in holders)
        if still_needed:
            files_kept += 1
            continue
        # After commit: a crash here leaves an unused file behind, never a row without its file.
        freed = remove_stored_file(path)
        if freed is None:
            files_kept += 1
        elif freed:
            files_removed += 1
            bytes_freed += freed
    if rows:
        logger.info("superseded files: %d rows, %d files removed (%d bytes), %d kept", rows, files_removed, bytes_freed, files_kept)
    return FilePurge(rows=rows, files_removed=files_removed, bytes_freed=bytes_freed, files_kept=files_kept)


def discard_draft(*, case_id: int, applicant) -> bool:
    """Delete an applicant's own unsubmitted draft and its files (a kiosk session that ended unfinished).

    Returns False when there is nothing to discard (already submitted, someone else's, or gone): a
    submitted case is never touched. Registry fetches made for the draft stay in the audit log.
    """
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id, applicant=applicant, state=c.DRAFT, in_bundle=False).first()
        if case is None:
            return False
        paths = {m.storage_path for m in case.materials.all() if m.storage_path}
        case.delete()
        # Files are content-addressed: the same bytes may belong to another case's material too.
        kept = set(CaseMaterial.objects.filter(storage_path__in=paths).values_list("storage_path", flat=True))
        transaction.on_commit(lambda: [remove_stored_file(path) for path in sorted(paths - kept)])
    return True
