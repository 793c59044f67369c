"""Writes of the kiosk fleet: registration with a token, heartbeats, transactions, the silence alert.

A kiosk acts under its own credential (a token shown once, kept as a digest). A heartbeat carries
its devices' status; a transaction is recorded once per kiosk reference, so a kiosk that lost the
network and sends it again records nothing twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction

from yiwang.core import clock
from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from yiwang.kiosks import constants as c
from yiwang.kiosks.models import Kiosk, KioskEvent, KioskSignIn, KioskTransaction

logger = logging.getLogger("yiwang.kiosks")


def token_digest(token: str) -> str:
    return hashlib.sha256(f"kiosk:{token}".encode()).hexdigest()


def register_kiosk(*, code: str, name: str, site, item_codes: list[str] = ()) -> tuple[Kiosk, str]:
    """A new kiosk of a site with the items it offers; returns it and its token (shown once)."""
    from yiwang.catalog.models import ServiceItem

    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        if Kiosk.objects.filter(code=code).exists():
            raise ValidationFailed("kiosk_exists", f"终端编号 {code} 已登记。", f"Kiosk {code} is already registered.")
        kiosk = Kiosk.objects.create(code=code, name=name, site=site, token_digest=token_digest(token), created_at=clock.now())
        items = list(ServiceItem.objects.filter(code__in=item_codes))
        missing = sorted(set(item_codes) - {i.code for i in items})
        if missing:
            raise ValidationFailed("unknown_items", f"事项不存在：{'、'.join(missing)}。", f"Unknown items: {', '.join(missing)}.")
        kiosk.items.set(items)
    return kiosk, token


def reissue_token(*, kiosk_id: int) -> str:
    """A new token for a kiosk (set up again after a revocation, or each demo start); the old one stops working."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        updated = Kiosk.objects.filter(pk=kiosk_id).update(token_digest=token_digest(token), active=True)
        if not updated:
            raise NotFound("kiosk_not_found", "终端不存在。", "No such kiosk.")
    return token


def revoke_kiosk(*, kiosk_id: int) -> Kiosk:
    """The kiosk's token stops working at once (a stolen or retired terminal)."""
    with transaction.atomic():
        kiosk = Kiosk.objects.select_for_update().get(pk=kiosk_id)
        kiosk.active = False
        kiosk.token_digest = token_digest(secrets.token_urlsafe(32))  # the old token matches nothing now
        kiosk.save(update_fields=["active", "token_digest"])
        KioskEvent.objects.create(kiosk=kiosk, kind="token_revoked", at=clock.now())
    return kiosk


def _status(value, device: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in c.STATUS_LABELS:
        raise ValidationFailed("invalid_status", f"{device} 的状态码无效（应为 -1 至 4）。",
                               f"The status of {device} must be a code from -1 to 4.")
    return value


def record_heartbeat(*, kiosk: Kiosk, card_reader: int, printer: int, printer_detail: str = "") -> Kiosk:
    """The kiosk is alive; its devices' status is stored, and each change is kept as an event."""
    card_reader, printer = _status(card_reader, "card_reader"), _status(printer, "printer")
    if printer_detail not in c.PRINTER_DETAILS:
        raise ValidationFailed("invalid_printer_detail", "打印机说明无效。", "Unknown printer detail.")
    now = clock.now()
    events = []
    if kiosk.silent_since is not None:
        events.append(KioskEvent(kiosk=kiosk, kind="back_online", detail=f"silent since {kiosk.silent_since.isoformat()}", at=now))
    if kiosk.printer_status != printer or kiosk.printer_detail != printer_detail:
        events.append(KioskEvent(kiosk=kiosk, kind="printer", detail=f"{printer} {printer_detail}".strip(), at=now))
    if kiosk.card_reader_status != card_reader:
        events.append(KioskEvent(kiosk=kiosk, kind="card_reader", detail=str(card_reader), at=now))
    # One UPDATE of the kiosk's own row: heartbeats of different kiosks never wait for each other.
    Kiosk.objects.filter(pk=kiosk.pk).update(last_heartbeat_at=now, card_reader_status=card_reader, printer_status=printer,
                                             printer_detail=printer_detail, silent_since=None)
    if events:
        KioskEvent.objects.bulk_create(events)
    kiosk.last_heartbeat_at, kiosk.card_reader_status, kiosk.printer_status = now, card_reader, printer
    kiosk.printer_detail, kiosk.silent_since = printer_detail, None
    return kiosk


def record_transaction(*, kiosk: Kiosk, kind: str, reference: str, item_code: str = "", outcome: str = "done",
                       person=None, case=None) -> tuple[KioskTransaction, bool]:
    """What a person did at the kiosk, once per kiosk reference; returns (row, created)."""
    from yiwang.catalog.models import ServiceItem

    if kind not in c.TRANSACTION_KINDS:
        raise ValidationFailed("invalid_kind", "业务类型无效。", f"Unknown transaction kind; use one of {', '.join(c.TRANSACTION_KINDS)}.")
    if outcome not in c.OUTCOMES:
        raise ValidationFailed("invalid_outcome", "结果无效。", f"Unknown outcome; use one of {', '.join(c.OUTCOMES)}.")
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        raise ValidationFailed("invalid_reference", "终端流水号须为 1 至 64 个字符。", "reference must be 1 to 64 characters.")
    item = None
    if item_code:
        item = ServiceItem.objects.filter(code=item_code).first()
        if item is None or not kiosk.items.filter(pk=item.pk).exists():
            raise NotFound("item_not_on_kiosk", "本终端不办理该事项。", "This kiosk does not offer that item.")
    existing = KioskTransaction.objects.filter(kiosk=kiosk, reference=reference).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return KioskTransaction.objects.create(kiosk=kiosk, kind=kind, item=item, outcome=outcome, reference=reference,
                                                   person=person, case=case, at=clock.now()), True
    except IntegrityError:
        return KioskTransaction.objects.get(kiosk=kiosk, reference=reference), False


def alert_silent_kiosks() -> int:
    """Kiosks silent for longer than KIOSK_SILENT_SECONDS are marked and their site's managers told, once per silence."""
    from yiwang.accounts import constants as roles
    from yiwang.accounts.models import User
    from yiwang.notifications import constants as kinds
    from yiwang.notifications.services import Outgoing, create_messages

    now = clock.now()
    cutoff = now - dt.timedelta(seconds=settings.KIOSK_SILENT_SECONDS)
    silent = list(Kiosk.objects.filter(active=True, silent_since__isnull=True, last_heartbeat_at__lt=cutoff).select_related("site"))
    if not silent:
        return 0
    managers = list(User.objects.filter(kind=roles.KIND_STAFF, is_active=True, role=roles.ROLE_HALL_MANAGER))
    outgoing = []
    for kiosk in silent:
        with transaction.atomic():
            updated = Kiosk.objects.filter(pk=kiosk.pk, silent_since__isnull=True).update(silent_since=kiosk.last_heartbeat_at)
            if not updated:
                continue
            KioskEvent.objects.create(kiosk=kiosk, kind="silent", detail=f"last heartbeat {kiosk.last_heartbeat_at.isoformat()}", at=now)
        minutes = max(1, round((now - kiosk.last_heartbeat_at).total_seconds() / 60))
        for manager in managers:
            outgoing.append(Outgoing(recipient=manager, kind=kinds.KIOSK_SILENT,
                                     event_key=f"kiosk-silent-{kiosk.pk}-{kiosk.last_heartbeat_at.timestamp():.0f}",
                                     variables={"kiosk": f"{kiosk.code} {kiosk.name}", "site": kiosk.site.name,
                                                "site_en": kiosk.site.name_en or kiosk.site.name, "minutes": str(minutes)},
                                     link="/kiosks/fleet/", sms_allowed=False))
        logger.warning("kiosk %s silent since %s", kiosk.code, kiosk.last_heartbeat_at.isoformat())
    create_messages(outgoing)
    return len(silent)


# ---- A person's visit to a kiosk: sign in by card or phone, ticket, application, printing ----

def _settings() -> dict:
    return settings.KIOSK


def sign_in_with_card(*, kiosk: Kiosk, card: dict):
    """The person whose ID card the kiosk's reader read (the agent's parsed fields).

    Refused: a card past its validity (expired_card), an ID number whose check character is wrong
    or a name that does not match the record (identity_mismatch). A first visitor with no account
    is recorded as an unregistered person, as at a counter.
    """
    from yiwang.accounts.services import card_holder

    if not isinstance(card, dict) or not all(isinstance(card.get(k), str) and card.get(k) for k in ("name", "id_number")):
        raise ValidationFailed("card_fields_missing", "读卡结果缺少姓名或证件号码，请重新放置证件。",
                               "The card read has no name or ID number; place the card again.")
    until = card.get("valid_until")
    if until:
        try:
            valid_until = dt.date.fromisoformat(until)
        except (TypeError, ValueError):
            raise ValidationFailed("card_fields_missing", "证件有效期无法识别，请重新放置证件。",
                                   "The card's validity cannot be read; place the card again.") from None
        if valid_until < clock.today():
            raise ValidationFailed("expired_card", "该身份证已过有效期，请使用有效证件，或到窗口办理。",
                                   "This ID card has expired; use a valid card or go to a window.")
    person = card_holder(real_name=card["name"], id_number=card["id_number"], kiosk_code=kiosk.code).person
    logger.info("kiosk %s: card sign-in of person %s", kiosk.code, person.pk)
    return person


def _code_digest(code: str) -> str:
    return hashlib.sha256(f"kiosk-sign-in:{code}".encode()).hexdigest()


def start_qr_sign_in(*, kiosk: Kiosk) -> tuple[KioskSignIn, str]:
    """A fresh one-time code for the kiosk's QR sign-in; returns the row and the code (for the QR only)."""
    code = secrets.token_urlsafe(24)
    now = clock.now()
    sign_in = KioskSignIn.objects.create(kiosk=kiosk, code_digest=_code_digest(code), created_at=now,
                                         expires_at=now + dt.timedelta(seconds=_settings()["qr_sign_in_seconds"]))
    return sign_in, code


def _open_sign_in(code: str) -> KioskSignIn:
    sign_in = KioskSignIn.objects.select_for_update().select_related("kiosk__site").filter(
        code_digest=_code_digest(code or "")).first()
    if sign_in is None:
        raise NotFound("sign_in_not_found", "二维码无效，请在自助终端上重新生成。", "This QR code is not valid; show a new one on the kiosk.")
    if sign_in.confirmed_at is not None or sign_in.claimed_at is not None:
        raise Conflict("sign_in_used", "此二维码已使用过，请在自助终端上重新生成。", "This QR code was already used; show a new one on the kiosk.")
    if sign_in.expires_at <= clock.now():
        raise Conflict("sign_in_expired", "此二维码已过期，请在自助终端上重新生成。", "This QR code has expired; show a new one on the kiosk.")
    if not sign_in.kiosk.active:
        raise Conflict("kiosk_revoked", "该自助终端已停用。", "That kiosk is out of service.")
    return sign_in


def peek_qr_sign_in(*, code: str) -> KioskSignIn:
    """The sign-in a phone is about to confirm (the same refusals as confirming it)."""
    with transaction.atomic():
        return _open_sign_in(code)


def confirm_qr_sign_in(*, code: str, person) -> KioskSignIn:
    """The signed-in phone confirms the kiosk's code: the kiosk may now act for `person` (once)."""
    if person.kind != "resident":
        raise PermissionDenied("residents_only", "只有个人用户可以扫码登录自助终端。", "Only residents can sign in to a kiosk by QR code.")
    with transaction.atomic():
        sign_in = _open_sign_in(code)
        sign_in.confirmed_by, sign_in.confirmed_at = person, clock.now()
        sign_in.save(update_fields=["confirmed_by", "confirmed_at"])
    logger.info("kiosk %s: QR sign-in confirmed by person %s", sign_in.kiosk.code, person.pk)
    return sign_in


def claim_qr_sign_in(*, kiosk: Kiosk, sign_in_id: int):
    """The kiosk takes the person a phone confirmed, once; None while nobody has confirmed."""
    with transaction.atomic():
        sign_in = KioskSignIn.objects.select_for_update().filter(pk=sign_in_id, kiosk=kiosk).first()
        if sign_in is None:
            raise NotFound("sign_in_not_found", "二维码无效，请重新生成。", "This QR code is not valid; show a new one.")
        if sign_in.claimed_at is not None:
            raise Conflict("sign_in_used", "此二维码已使用过，请重新生成。", "This QR code was already used; show a new one.")
        if sign_in.confirmed_at is None:
            if sign_in.expires_at <= clock.now():
                raise Conflict("sign_in_expired", "二维码已过期，请重新生成。", "The QR code has expired; show a new one.")
            return None
        sign_in.claimed_at = clock.now()
        sign_in.save(update_fields=["claimed_at"])
        return sign_in.confirmed_by


def take_ticket_at_kiosk(*, kiosk: Kiosk, person, group_id: int, reference: str):
    """A hall number of the kiosk's own site for the signed-in person; a retry of `reference` gets the same."""
    from yiwang.hall import constants as hall_c
    from yiwang.hall.models import ServiceGroup, Ticket
    from yiwang.hall.services import take_ticket

    group = ServiceGroup.objects.filter(pk=group_id).first()
    if group is None:
        raise NotFound("group_not_found", "本场所没有该业务分组。", "No such service group at this site.")
    with transaction.atomic():
        if KioskTransaction.objects.filter(kiosk=kiosk, reference=reference, kind="ticket").exists():
            # The answer to the first try was lost with the network: the same number again.
            earlier = Ticket.objects.filter(site=kiosk.site, group=group, taken_by=person).order_by("-taken_at").first()
            if earlier is not None:
                return earlier
        ticket = take_ticket(site=kiosk.site, group=group, id_number=person.id_number or "", channel=hall_c.CHANNEL_KIOSK,
                             taken_by=person)
        record_transaction(kiosk=kiosk, kind="ticket", reference=reference, person=person)
    return ticket


def _kiosk_item(kiosk: Kiosk, item_code: str):
    item = kiosk.items.filter(code=item_code).first()
    if item is None or "kiosk" not in (item.channels or []):
        raise NotFound("item_not_on_kiosk", "本终端不办理该事项。", "This kiosk does not offer that item.")
    return item


def start_application_at_kiosk(*, kiosk: Kiosk, person, item_code: str, address: str = ""):
    """A draft of one of the kiosk's items for the signed-in person (channel kiosk); the address on
    their ID card fills the form's address."""
    from yiwang.applications.services import create_draft

    _kiosk_item(kiosk, item_code)
    return create_draft(applicant=person, item_code=item_code, channel="kiosk", form_data={"address": address} if address else None)


def submit_application_at_kiosk(*, kiosk: Kiosk, person, case_id: int, form_data: dict, consented: bool, reference: str):
    """Save the kiosk form, fetch the records the item may be spared (with the person's consent on
    screen), and submit — or nothing: a retry of `reference` (the network lost the first answer)
    returns the case that first try submitted, and a failure leaves an unsubmitted draft that the
    end of the session discards.
    """
    from yiwang.applications.models import Case
    from yiwang.applications.selectors import case_materials
    from yiwang.applications.services import submit_application, update_draft
    from yiwang.registries.services import grant_and_fetch

    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        raise ValidationFailed("invalid_reference", "终端流水号须为 1 至 64 个字符。", "reference must be 1 to 64 characters.")

    def submitted_before():
        return Case.objects.filter(applicant=person, submission_key=reference).exclude(state="draft").first()

    if (earlier := submitted_before()) is not None:
        return earlier
    try:
        case = Case.objects.filter(pk=case_id, applicant=person, channel="kiosk", state="draft").select_related("item").first()
        if case is None:
            raise NotFound("case_not_found", "办件不存在。", "Case not found.")
        _kiosk_item(kiosk, case.item.code)
        update_draft(case_id=case.pk, applicant=person, form_data=form_data)
        for material in case_materials(case):
            if material.get("exemptible_via") and not material.get("upload") and consented:
                grant_and_fetch(case_id=case.pk, user=person, position=material["position"],
                                purpose=f"自助终端 {kiosk.code} 办理“{case.item.name}”：免交“{material['name']}”"[:200],
                                purpose_en=(f"At kiosk {kiosk.code}, applying for “{case.item.name_en or case.item.name}”: "
                                            f"instead of submitting “{material.get('name_en') or material['name']}”"))
        with transaction.atomic():
            case = submit_application(case_id=case.pk, applicant=person, idempotency_key=reference)
            record_transaction(kiosk=kiosk, kind="apply", reference=reference, item_code=case.item.code, person=person, case=case)
    except DomainError:
        # A retry of the same reference that arrived together with this one may have submitted it.
        if (earlier := submitted_before()) is not None:
            return earlier
        raise
    return case


def end_visit(*, kiosk: Kiosk, person, draft_ids: list[int]) -> int:
    """The person's session at the kiosk ends (they left, or it sat idle): their unsubmitted kiosk
    drafts and files go, so nothing of theirs is left half-done on the terminal. Returns how many."""
    from yiwang.applications.services import discard_draft

    removed = sum(discard_draft(case_id=case_id, applicant=person) for case_id in draft_ids)
    logger.info("kiosk %s: visit ended, %d unsubmitted draft(s) discarded", kiosk.code, removed)
    return removed
