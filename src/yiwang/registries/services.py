"""Writes of data sharing (免交): consents, and fetching a registry record into a case.

`fetch_material_for_case` is the one path by which a record enters a case:

1. the material (case rules if submitted, else the item's current rules) must name a registry
   record in `exemptible_via`;
2. the applicant must hold an active consent for that ``registry:kind`` (for this case, or one
   without a case);
3. the adapter (`adapters.py`) asks the registry for the applicant: a resident by ID number, an
   enterprise by credit code (registries of natural persons only, e.g. the household register,
   refuse enterprise accounts: they upload such materials);
4. the fetch is written to the audit log (`DataAccess`) in its own transaction whatever the
   outcome, so a fetch that happened is never forgotten;
5. on success the record is attached through `applications.services.attach_shared_record`.

No database transaction is open while the registry is asked, so a slow registry holds no lock.
A failure changes nothing but the audit log: the form and the other materials stay as they are,
and the message tells the resident to upload the material instead.

`query_own_record` is the other path: a resident reads their OWN record (pension statement,
contribution history...) at a kiosk, on the web or on the phone, with no case. Asking is the
consent: it records a consent of that one query (`Consent.channel` set, closed once the query is
done, and never counted as consent to fetch into a case), signs the registry's one-time token for
it and logs the query as every fetch is logged (`DataAccess.channel`, `kiosk_code`).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time

from django.db import transaction

from yiwang.accounts.selectors import is_resident_like
from yiwang.accounts.services import lock_account
from yiwang.applications.constants import DRAFT
from yiwang.applications.selectors import get_case_for, material_is_open, received_at_counter_by
from yiwang.applications.services import attach_shared_record
from yiwang.catalog.selectors import item_rules_snapshot, record_kind_names
from yiwang.core import clock
from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from yiwang.jobs.events import publish
from yiwang.jobs.services import enqueue_job
from yiwang.registries import constants as c
from yiwang.registries.adapters import RegistryFailure, Subject, adapter_for, platform_id
from yiwang.registries.consent_key import platform_consent_key
from yiwang.registries.models import Consent, DataAccess
from yiwang.registry_service.consent import TOKEN_VALIDITY, sign_consent, sign_withdrawal

logger = logging.getLogger("yiwang.registries")


def _now() -> dt.datetime:
    return clock.now()


def _require_applicant(user) -> None:
    if not is_resident_like(user):
        raise PermissionDenied(
            "applicants_only", "仅个人或企业用户可以授权调取共享数据。", "Only residents and enterprises can consent to data sharing."
        )


def _split_scope(exemptible_via: str) -> tuple[str, str]:
    names = record_kind_names()
    if not isinstance(exemptible_via, str) or exemptible_via not in names:
        raise ValidationFailed(
            "unknown_record_kind",
            "共享数据类型不存在，请检查材料的免交来源。",
            "Unknown shared record kind; it must be a catalogue registry:kind.",
        )
    registry, kind = exemptible_via.split(":", 1)
    return registry, kind


def _own_case(user, case_id: int):
    case = get_case_for(user, case_id)
    if case.applicant_id != user.pk:
        raise NotFound("case_not_found", "办件不存在。", "Case not found.")
    return case


def _counter_case(officer, case_id: int):
    """A draft the officer is taking in at a counter (the only case staff fetch records for)."""
    case = get_case_for(officer, case_id)
    if case.state != DRAFT or not received_at_counter_by(case, officer):
        raise NotFound("case_not_found", "办件不存在。", "Case not found.")
    return case


def _case_materials(case) -> list[dict]:
    return (case.rules or item_rules_snapshot(case.item))["materials"]


def _exemptible_material(case, position: int) -> dict:
    material = next((m for m in _case_materials(case) if m["position"] == position), None)
    if material is None:
        raise ValidationFailed(
            "unknown_material", f"该事项没有序号为 {position} 的材料。", f"This item has no material number {position}."
        )
    if not material.get("exemptible_via"):
        raise ValidationFailed(
            "not_exemptible",
            f"材料“{material['name']}”不能通过共享数据免交，请上传。",
            f"Material {position} cannot be fetched from a registry; please upload it.",
        )
    return material


def _require_open_material(case, material: dict) -> None:
    # Ask a registry only for a record the case can take now (the same rule as an upload), so
    # nobody's data is fetched for nothing; attach_shared_record checks it again under its lock.
    if not material_is_open(case, position=material["position"], name=material["name"]):
        raise Conflict("materials_closed", "当前状态下不能补充该材料。", "This material cannot be supplied in the case's current state.")


def _check_purpose_length(purpose: str) -> None:
    if len(purpose) > c.PURPOSE_MAX_LENGTH:
        raise ValidationFailed(
            "purpose_too_long",
            f"用途不能超过{c.PURPOSE_MAX_LENGTH}个字。",
            f"The purpose may have at most {c.PURPOSE_MAX_LENGTH} characters.",
        )


def grant_consent(*, user, exemptible_via: str, case_id: int | None, purpose: str, recorded_by=None,
                  purpose_en: str = "") -> Consent:
    """Record the user's consent to fetch `exemptible_via` ("registry:kind"), for a case or in general.

    An active consent of the same user, scope and case is returned instead of a second one.
    The consent expires after CONSENT_VALID_DAYS unless withdrawn earlier. `recorded_by` is the
    window officer who recorded a consent the person gave in person at a counter (then `case_id`
    is the counter case, already checked by the caller).
    """
    _require_applicant(user)
    registry, kind = _split_scope(exemptible_via)
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationFailed("purpose_required", "请说明调取用途。", "A purpose is required.")
    _check_purpose_length(purpose)
    if case_id is not None:
        case = _own_case(user, case_id) if recorded_by is None else _counter_case(recorded_by, case_id)
        if not any(m.get("exemptible_via") == exemptible_via for m in _case_materials(case)):
            raise ValidationFailed(
                "not_exemptible",
                "该办件没有可用此共享数据免交的材料。",
                "No material of this case can be replaced by that shared record.",
            )
    now = _now()
    with transaction.atomic():
        # With no consent yet there is no consent row to lock, and two concurrent grants (a double
        # click on "consent and fetch") must leave one consent.
        lock_account(user)
        existing = (
            Consent.objects
            .filter(user=user, registry=registry, record_kind=kind, case_id=case_id, withdrawn_at__isnull=True,
                    expires_at__gt=now, channel="")
            .first()
        )
        if existing is not None:
            return existing
        return Consent.objects.create(
            user=user, registry=registry, record_kind=kind, case_id=case_id, purpose=purpose,
            purpose_en=(purpose_en or "")[: c.PURPOSE_MAX_LENGTH], recorded_by=recorded_by,
            granted_at=now, expires_at=now + dt.timedelta(days=c.CONSENT_VALID_DAYS),
        )


def withdraw_consent(*, user, consent_id: int) -> Consent:
    """Withdraw one of the user's consents (idempotent: an already withdrawn consent is returned as is).

    Later fetches under it are refused; records already fetched stay with their audit entries.
    Another user's consent answers 404.
    """
    with transaction.atomic():
        consent = Consent.objects.select_for_update().filter(pk=consent_id, user_id=getattr(user, "pk", None)).first()
        if consent is None:
            raise NotFound("consent_not_found", "授权记录不存在。", "Consent not found.")
        if consent.withdrawn_at is None:
            consent.withdrawn_at = _now()
            consent.save(update_fields=["withdrawn_at"])
            enqueue_job(kind="registries.report_withdrawal", payload={"consent_id": consent.pk},
                        dedupe_key=f"registries.report_withdrawal:{consent.pk}")
        return consent


def consent_ref(consent: Consent) -> str:
    """How the registries know a consent of this platform."""
    return f"{platform_id()}-{consent.reference}"


def report_withdrawal(*, consent_id: int) -> None:
    """Tell the consent's registry that it was withdrawn (a background job; raises to be retried).

    The platform never signs another token for a withdrawn consent and each token is good for
    one query, so the withdrawal holds without this notice; it makes the registry refuse the
    consent by its own records as well. Reporting twice is harmless: the registry keeps the first.
    """
    consent = Consent.objects.get(pk=consent_id)
    notice = sign_withdrawal(
        {"platform": platform_id(), "consent_ref": consent_ref(consent), "withdrawn_at": consent.withdrawn_at.isoformat()},
        private_key=platform_consent_key(),
    )
    adapter_for(consent.registry).report_withdrawal(notice=notice)


def _subject_for(user, registry: str) -> Subject:
    if user.kind == "enterprise":
        if registry in c.PERSON_ONLY_REGISTRIES:
            raise ValidationFailed(
                "registry_needs_person",
                "企业账号不能调取个人的户籍、婚姻等信息，请上传该材料。",
                "An enterprise account cannot fetch a person's records (household, marriage, ...); please upload the material.",
            )
        if not user.credit_code:
            raise ValidationFailed("credit_code_missing", "账号缺少统一社会信用代码，请上传该材料。",
                                   "The account has no credit code; please upload the material.")
        return Subject(type=c.SUBJECT_COMPANY, id=user.credit_code)
    if not user.id_number:
        raise ValidationFailed("id_number_missing", "账号缺少身份证号码，请上传该材料。",
                               "The account has no ID number; please upload the material.")
    return Subject(type=c.SUBJECT_PERSON, id=user.id_number)


def _active_consent(user, registry: str, kind: str, case_id: int, record_name: str) -> Consent:
    now = _now()
    # A self query's consent covered that one query: it never lets a record into a case.
    consents = list(Consent.objects.filter(user=user, registry=registry, record_kind=kind, channel="")
                    .order_by("-granted_at", "-id"))
    for consent in consents:
        if consent.is_active(now) and consent.case_id in (None, case_id):
            return consent
    withdrawn = any(x.withdrawn_at is not None and x.case_id in (None, case_id) for x in consents)
    if withdrawn:
        raise PermissionDenied(
            c.ERROR_CONSENT_REQUIRED,
            f"您已撤回调取“{record_name}”的授权。如需免交，请重新勾选同意；也可以上传该材料。已填写的内容不受影响。",
            "You withdrew your consent to fetch this record. Consent again to fetch it, or upload the material; "
            "what you entered is kept.",
            details={"withdrawn": True},
        )
    raise PermissionDenied(
        c.ERROR_CONSENT_REQUIRED,
        f"调取“{record_name}”需要您的授权：请勾选同意后再调取，或上传该材料。",
        "Fetching this record needs your consent: tick the consent box first, or upload the material.",
        details={"withdrawn": False},
    )


def _signed_token(consent: Consent, subject: Subject, case=None, *, case_ref: str = "") -> dict:
    """A one-time token for one query under `consent`, good for minutes, signed with the platform's key.

    `case_ref` tells the registry what the record is for: the case's number (or draft id), or
    e.g. "self-query" when the person reads their own record."""
    now = _now()
    return sign_consent(
        {
            "platform": platform_id(),
            "token_id": f"{platform_id()}-{secrets.token_hex(12)}",
            "consent_ref": consent_ref(consent),
            "subject": {"type": subject.type, "id": subject.id},
            "scope": consent.scope,
            "purpose": consent.purpose,
            "case_ref": case_ref or case.number or f"draft-{case.pk}",
            "granted_at": consent.granted_at.isoformat(),
            "issued_at": now.isoformat(),
            "expires_at": min(now + TOKEN_VALIDITY, consent.expires_at).isoformat(),
        },
        private_key=platform_consent_key(),
    )


def _instant_or_none(text: str) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return value if value.tzinfo else None


# What a refusal says, by outcome: (zh, en) templates for a fetch into a case, and for a self query.
_KEEP = ("已填写的内容和已上传的材料不受影响。", "Everything you entered and uploaded is kept.")
_FAILURE_TEXTS = {
    "fetch": {
        c.OUTCOME_NOT_FOUND: ("未在“{registry}”中查到您的“{record}”，请上传该材料。" + _KEEP[0],
                              "No such record was found in the registry; please upload the material. " + _KEEP[1]),
        c.OUTCOME_MALFORMED: ("“{registry}”返回的数据无法识别，本次未调取。请上传该材料。" + _KEEP[0],
                              "The registry answered with data that cannot be read; nothing was fetched. "
                              "Please upload the material. " + _KEEP[1]),
        c.OUTCOME_REFUSED: ("“{registry}”拒绝了本次调取（平台接入配置问题），请上传该材料。" + _KEEP[0],
                            "The registry refused the request (platform configuration); please upload the material. "
                            + _KEEP[1]),
        c.OUTCOME_UNAVAILABLE: ("“{registry}”暂时无法访问，请上传该材料，或稍后再试。" + _KEEP[0],
                                "The registry is unavailable right now; please upload the material instead, or try "
                                "again later. " + _KEEP[1]),
    },
    "self": {
        c.OUTCOME_NOT_FOUND: ("“{registry}”中没有您的“{record}”。如有疑问，请向该部门咨询。",
                              "The registry holds no such record of yours. If you think it should, ask the department."),
        c.OUTCOME_MALFORMED: ("“{registry}”返回的数据无法识别，本次未能查到。请稍后再试。",
                              "The registry answered with data that cannot be read; please try again later."),
        c.OUTCOME_REFUSED: ("“{registry}”拒绝了本次查询（平台接入配置问题），请稍后再试，或到窗口咨询。",
                            "The registry refused the query (platform configuration); try again later or ask at a counter."),
        c.OUTCOME_UNAVAILABLE: ("“{registry}”暂时无法访问，请稍后再试。",
                                "The registry is unavailable right now; please try again later."),
    },
}


def _failure_error(failure: RegistryFailure, *, registry_name: str, record_name: str, self_query: bool = False) -> DomainError:
    """The refusal for a failed registry call: 404 record_not_found, 502 registry_malformed /
    registry_refused, 503 registry_unavailable; worded for a fetch into a case (upload instead) or
    for a person reading their own record (`self_query`)."""
    outcome = failure.outcome if failure.outcome in _FAILURE_TEXTS["fetch"] else c.OUTCOME_UNAVAILABLE
    zh, en = _FAILURE_TEXTS["self" if self_query else "fetch"][outcome]
    message = zh.format(registry=registry_name, record=record_name)
    if outcome == c.OUTCOME_NOT_FOUND:
        return NotFound(c.ERROR_NOT_FOUND, message, en)
    if outcome == c.OUTCOME_MALFORMED:
        return DomainError(c.ERROR_MALFORMED, message, en, status=502)
    if outcome == c.OUTCOME_REFUSED:
        return DomainError(c.ERROR_REFUSED, message, en, status=502)
    return DomainError(c.ERROR_UNAVAILABLE, message, en, status=503, details={"reason": failure.detail})


def _ask_and_log(*, registry: str, kind: str, subject: Subject, token: dict, person, accessor, consent: Consent,
                 case_id: int | None, position: int | None, channel: str = "", kiosk_code: str = ""):
    """Ask the registry once and write the `DataAccess` row whatever the outcome (its own transaction;
    the person is told of a successful one through the data.accessed event).

    Returns (answer or None, failure or None, the access row)."""
    started = time.monotonic()
    failure: RegistryFailure | None = None
    answer = None
    try:
        answer = adapter_for(registry).query(registry=registry, kind=kind, subject=subject, consent=token)
    except RegistryFailure as exc:
        failure = exc
    latency_ms = int((time.monotonic() - started) * 1000)

    with transaction.atomic():
        access = DataAccess.objects.create(
            accessor=accessor, subject=person, subject_identifier=subject.id, case_id=case_id, material_position=position,
            registry=registry, record_kind=kind, consent=consent, platform=platform_id(), at=_now(),
            outcome=failure.outcome if failure else c.OUTCOME_OK, detail=failure.detail if failure else "",
            record_id=answer.record_id if answer else "", source=answer.source if answer else "",
            latency_ms=latency_ms,
            registry_query_id=answer.query_id if answer else failure.query_id,
            registry_answered_at=_instant_or_none(answer.answered_at) if answer else None,
            channel=channel, kiosk_code=kiosk_code,
        )
        if failure is None:  # the person is told who looked at their records
            publish(event_type="data.accessed", event_id=f"data-access-{access.pk}", payload={"data_access_id": access.pk})
    return answer, failure, access


def _envelope(*, registry: str, kind: str, record_name: str, answer, access: DataAccess) -> dict:
    """A fetched record with where it came from (what a case material stores, and a self query returns)."""
    return {
        "registry": registry,
        "kind": kind,
        "record_name": record_name,
        "record_id": answer.record_id,
        "issuer": answer.issuer,
        "issued_at": answer.issued_at,
        "fetched_at": access.at.isoformat(),
        "source": answer.source,
        "record": answer.record,
    }


def fetch_material_for_case(*, case_id: int, user, position: int):
    """Fetch the registry record that material `position` of the case may be replaced by, and attach it.

    Returns the new `CaseMaterial` (source "registry"). Raises: 404 case_not_found (not the
    user's case), 400 unknown_material / not_exemptible / registry_needs_person, 403
    consent_required (no active consent, or it was withdrawn), 404 record_not_found, 502
    registry_malformed / registry_refused, 503 registry_unavailable (down, slow, or its circuit is
    open). Every registry call, successful or not, leaves one `DataAccess` row.
    """
    _require_applicant(user)
    return _fetch(case=_own_case(user, case_id), person=user, accessor=user, position=position)


def _fetch(*, case, person, accessor, position: int):
    """Fetch and attach `person`'s record for material `position`, logged as looked at by `accessor`."""
    material = _exemptible_material(case, position)
    _require_open_material(case, material)
    exemptible_via = material["exemptible_via"]
    registry, kind = exemptible_via.split(":", 1)
    names = record_kind_names().get(exemptible_via, {})
    record_name = names.get("name", kind)
    registry_name = names.get("registry_name", registry)
    subject = _subject_for(person, registry)
    consent = _active_consent(person, registry, kind, case.pk, record_name)
    token = _signed_token(consent, subject, case)

    answer, failure, access = _ask_and_log(
        registry=registry, kind=kind, subject=subject, token=token, person=person, accessor=accessor, consent=consent,
        case_id=case.pk, position=position,
    )
    if failure is not None:
        raise _failure_error(failure, registry_name=registry_name, record_name=record_name)
    envelope = _envelope(registry=registry, kind=kind, record_name=record_name, answer=answer, access=access)
    return attach_shared_record(
        case_id=case.pk, user=accessor, position=position, exemptible_via=exemptible_via, record=envelope,
        fetched_at=access.at, access_log_id=access.pk,
    )


def record_staff_view(*, viewer, case, material, how: str = c.VIEWED_ON_CASE_PAGE) -> DataAccess | None:
    """Log that `viewer` read a record already fetched into `case` (a `CaseMaterial` of source
    "registry"), as every fetch is logged: accessor, subject, record, case, and the consent it was
    fetched under. The caller shows the record only after this returns.

    `case` must be the case as the viewer may read it (`applications.selectors.get_case_for`);
    the applicant reading their own record is not an access by someone else and is not logged
    (None). `how` is VIEWED_ON_CASE_PAGE or VIEWED_BY_DOWNLOAD. The subject is not sent a message
    for each reading; their "who looked at my data" page lists every one.
    """
    if material.case_id != case.pk or material.source != "registry" or ":" not in material.shared_source:
        raise NotFound("material_not_found", "材料不存在。", "Material not found.")
    if viewer.pk == case.applicant_id:
        return None
    registry, kind = material.shared_source.split(":", 1)
    fetch = DataAccess.objects.filter(pk=material.access_log_id).first() if material.access_log_id else None
    applicant = case.applicant
    with transaction.atomic():
        return DataAccess.objects.create(
            accessor=viewer, subject=applicant,
            subject_identifier=fetch.subject_identifier if fetch else (applicant.id_number or applicant.credit_code or "")[:18],
            case_id=case.pk, material_position=material.material_position, registry=registry, record_kind=kind,
            consent_id=fetch.consent_id if fetch else None, platform=platform_id(), at=_now(),
            outcome=c.OUTCOME_VIEWED, detail=how, record_id=fetch.record_id if fetch else "", source="platform",
        )


def grant_and_fetch(*, case_id: int, user, position: int, purpose: str | None = None, purpose_en: str = ""):
    """Consent for the material's record on this case (or reuse an active consent), then fetch it."""
    _require_applicant(user)
    case = _own_case(user, case_id)
    material = _exemptible_material(case, position)
    if not purpose:
        item_name = (case.rules or {}).get("item_name") or case.item.name
        item_name_en = (case.rules or {}).get("item_name_en") or case.item.name_en or item_name
        purpose = f"办理“{item_name}”（{case.number or f'草稿 {case.pk}'}）：免交“{material['name']}”"[: c.PURPOSE_MAX_LENGTH]
        purpose_en = (f"Applying for “{item_name_en}” ({case.number or f'draft {case.pk}'}): instead of submitting "
                      f"“{material.get('name_en') or material['name']}”")
    grant_consent(user=user, exemptible_via=material["exemptible_via"], case_id=case.pk, purpose=purpose,
                  purpose_en=purpose_en)
    return fetch_material_for_case(case_id=case.pk, user=user, position=position)


def grant_and_fetch_at_counter(*, case_id: int, officer, position: int, purpose: str | None = None):
    """At a counter: record the consent the applicant gives in person (who, when, which officer),
    then fetch their record for the counter case. The access log names the officer as the one who
    looked, on the applicant's behalf; the applicant sees both on their "who looked" page."""
    case = _counter_case(officer, case_id)
    material = _exemptible_material(case, position)
    purpose_en = ""
    if not purpose:
        item_name = case.item.name
        purpose = f"窗口办理“{item_name}”：免交“{material['name']}”（申请人当面同意）"[: c.PURPOSE_MAX_LENGTH]
        purpose_en = (f"Applying at a window for “{case.item.name_en or item_name}”: instead of submitting "
                      f"“{material.get('name_en') or material['name']}” (the applicant agreed in person)")
    grant_consent(user=case.applicant, exemptible_via=material["exemptible_via"], case_id=case.pk, purpose=purpose,
                  recorded_by=officer, purpose_en=purpose_en)
    return _fetch(case=case, person=case.applicant, accessor=officer, position=position)


SELF_QUERY_CASE_REF = "self-query"  # what the registry is told the record is for (no case)


def _self_query_scope(scope) -> tuple[str, str]:
    if not isinstance(scope, str) or scope not in c.SELF_QUERY_SCOPES:
        raise ValidationFailed(
            c.ERROR_NOT_SELF_QUERYABLE, "该记录不能由本人自助查询。", "This record cannot be looked up by the person themself.",
        )
    registry, kind = scope.split(":", 1)
    return registry, kind


def _self_query_channel(channel, kiosk_code) -> tuple[str, str]:
    channels = dict(c.CHANNELS)
    if channel not in channels:
        raise ValidationFailed(
            "invalid_channel", f"查询渠道无效，可选：{'、'.join(channels)}。", f"Unknown channel; use one of {', '.join(channels)}.",
        )
    kiosk_code = (kiosk_code or "").strip() if channel == c.CHANNEL_KIOSK else ""
    if len(kiosk_code) > c.KIOSK_CODE_MAX_LENGTH:
        raise ValidationFailed(
            "invalid_kiosk_code", f"自助终端编号不能超过{c.KIOSK_CODE_MAX_LENGTH}个字符。",
            f"A kiosk code has at most {c.KIOSK_CODE_MAX_LENGTH} characters.",
        )
    return channel, kiosk_code


def self_query_purpose(channel: str, kiosk_code: str = "") -> str:
    """The consent's purpose of a self query, e.g. "本人查询（自助终端 K01）" (stored in Chinese, as
    every purpose is, whatever the asker's language)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        where = str(dict(c.CHANNELS).get(channel, channel))
    return f"本人查询（{where} {kiosk_code}）" if kiosk_code else f"本人查询（{where}）"


def self_query_purpose_en(channel: str, kiosk_code: str = "") -> str:
    """`self_query_purpose` in English, e.g. "Own look-up (Kiosk K01)", for readers who chose English."""
    from django.utils import translation

    with translation.override("en"):
        where = str(dict(c.CHANNELS).get(channel, channel))
    return f"Own look-up ({where} {kiosk_code})" if kiosk_code else f"Own look-up ({where})"


def query_own_record(*, person, scope: str, actor, channel: str, kiosk_code: str = "", purpose: str | None = None) -> dict:
    """`person` reads their own record `scope` ("registry:kind", one of SELF_QUERY_SCOPES) with no case.

    Asking is the consent: a Consent of this one query is recorded (no case, `channel` set, closed
    when the query is done; it never counts as consent to fetch into a case), the registry is asked
    with a one-time token (case_ref "self-query") and one DataAccess row is written whatever the
    outcome, naming `actor` as who looked (the resident, or None when a kiosk acts for them), the
    channel ("kiosk", "web", "app") and `kiosk_code`. A successful query publishes data.accessed.

    Returns {registry, kind, record_name, record_name_en, registry_name, registry_name_en, issuer,
    record_id, issued_at, fetched_at, source, record}. Raises: 403 applicants_only (not an active
    applicant) / own_records_only (`actor` is someone else), 400 self_query_person_only (an
    enterprise or staff account), scope_not_self_queryable, invalid_channel, invalid_kiosk_code,
    purpose_too_long, id_number_missing; 404 record_not_found; 502 registry_malformed /
    registry_refused; 503 registry_unavailable.
    """
    _require_applicant(person)
    if person.kind != "resident":
        raise ValidationFailed("self_query_person_only", "只有个人可以查询本人的社保、医保等记录，企业账号不能查询。",
                               "Only a person can look up their own records; an enterprise account cannot.")
    if actor is not None and actor.pk != person.pk:
        raise PermissionDenied("own_records_only", "只能查询本人的记录。", "You can only look up your own records.")
    registry, kind = _self_query_scope(scope)
    channel, kiosk_code = _self_query_channel(channel, kiosk_code)
    purpose_en = "" if (purpose or "").strip() else self_query_purpose_en(channel, kiosk_code)
    purpose = (purpose or "").strip() or self_query_purpose(channel, kiosk_code)
    _check_purpose_length(purpose)
    if not person.id_number:
        raise ValidationFailed("id_number_missing", "账号缺少身份证号码，无法查询本人记录。",
                               "The account has no ID number, so its records cannot be looked up.")
    names = record_kind_names().get(scope, {})
    record_name = names.get("name", kind)
    registry_name = names.get("registry_name", registry)
    subject = Subject(type=c.SUBJECT_PERSON, id=person.id_number)
    now = _now()
    consent = Consent.objects.create(
        user=person, registry=registry, record_kind=kind, case_id=None, purpose=purpose, purpose_en=purpose_en, channel=channel,
        granted_at=now, expires_at=now + TOKEN_VALIDITY,
    )
    token = _signed_token(consent, subject, case_ref=SELF_QUERY_CASE_REF)
    answer, failure, access = _ask_and_log(
        registry=registry, kind=kind, subject=subject, token=token, person=person, accessor=actor, consent=consent,
        case_id=None, position=None, channel=channel, kiosk_code=kiosk_code,
    )
    # The consent was for this one query, which is done: it lapses now.
    Consent.objects.filter(pk=consent.pk).update(expires_at=min(access.at, consent.expires_at))
    if failure is not None:
        raise _failure_error(failure, registry_name=registry_name, record_name=record_name, self_query=True)
    return {
        **_envelope(registry=registry, kind=kind, record_name=record_name, answer=answer, access=access),
        "record_name_en": c.SELF_QUERY_SCOPES[scope],
        "registry_name": registry_name,
        "registry_name_en": c.REGISTRY_NAMES_EN.get(registry, registry),
    }
