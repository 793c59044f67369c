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
from yiwang.core.errors import NotFound, ValidationFailed
from yiwang.kiosks import constants as c
from yiwang.kiosks.models import Kiosk, KioskEvent, KioskTransaction

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


def record_transaction(*, kiosk: Kiosk, kind: str, reference: str, item_code: str = "", outcome: str = "done") -> tuple[KioskTransaction, bool]:
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
                                                   at=clock.now()), True
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
