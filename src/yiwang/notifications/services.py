"""Writes of notifications: messages from events, SMS and e-mail deliveries, receipts, choices.

Every function here runs in a background job or a request; each is idempotent:
- a message exists once per (event, recipient) — a second run of the same event finds it;
- a delivery is sent only from `created` (or again from `sending` after a crash, with the same
  client reference, to the same gateway when the first try may have reached it);
- a receipt only moves a delivery forward, so duplicates and late ones change nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F

from yiwang.core import clock
from yiwang.core.identifiers import IdentifierError, mask_phone, normalize_mobile
from yiwang.jobs.services import enqueue_job
from yiwang.notifications import constants as c
from yiwang.notifications import failover, texts
from yiwang.notifications.gateways import GatewayRejected, GatewayUnavailable, configured_gateways, gateway
from yiwang.notifications.models import Delivery, DeliveryReceipt, GatewayWeight, Message, NotificationSettings

logger = logging.getLogger("yiwang.notifications")
_rng = random.Random()

# What a gateway's receipt status means (Notify maps each provider's codes the same way).
RECEIPT_OUTCOMES = {"DELIVRD": c.DELIVERED, "UNDELIV": c.PERMANENT_FAILURE, "EXPIRED": c.TEMPORARY_FAILURE}
FALLBACK = {
    "zh-hans": ("您有一条新消息", "您的办件有新进展，请登录一网通办查看。"),
    "en": ("You have a new message", "There is news about your application; please sign in to see it."),
}


def settings_for(user) -> NotificationSettings:
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


def update_settings(*, user, language: str, sms: bool, email: bool) -> NotificationSettings:
    """Save a person's choices (essential messages go out whatever they choose)."""
    if language not in dict(c.LANGUAGES):
        from yiwang.core.errors import ValidationFailed

        raise ValidationFailed("unknown_language", "不支持该语言。", "That language is not offered.")
    with transaction.atomic():
        chosen, _ = NotificationSettings.objects.select_for_update().get_or_create(user=user)
        chosen.language, chosen.sms, chosen.email = language, bool(sms), bool(email)
        chosen.save()
    return chosen


# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    recipient: object
    kind: str
    event_key: str
    variables: dict
    link: str = ""
    case_id: int | None = None
    sms_allowed: bool = True  # False: the message centre only (e.g. a bundle member's routine news)
    phone_fallback: str = ""  # used when the account has no mobile (the case form's contact number)
    event_at: dt.datetime | None = None  # when it happened (default: now)


def create_message(outgoing: Outgoing) -> Message | None:
    """The recipient's message for an event, with its deliveries recorded (None if it existed)."""
    recipient = outgoing.recipient
    chosen = settings_for(recipient)
    essential = outgoing.kind in c.ESSENTIAL_KINDS
    broken = None
    try:
        rendered = texts.render(outgoing.kind, chosen.language, outgoing.variables)
        title, body = rendered.title, rendered.body
    except texts.UnknownVariable as exc:
        broken = f"unknown_variable:{exc.name}"
        title, body = FALLBACK.get(chosen.language, FALLBACK["zh-hans"])
        logger.error("message %s for event %s names unknown variable %s", outgoing.kind, outgoing.event_key, exc.name)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                recipient=recipient, kind=outgoing.kind, event_key=outgoing.event_key, essential=essential,
                language=chosen.language, title=title, body=body, link=outgoing.link, case_id=outgoing.case_id,
                event_at=outgoing.event_at or clock.now(),
            )
    except IntegrityError:
        return None  # this event already told this person
    channels = []
    if outgoing.sms_allowed and (essential or chosen.sms) and recipient.kind != "staff":
        channels.append((c.CHANNEL_SMS, recipient.phone or outgoing.phone_fallback))
    if recipient.kind == "staff" and recipient.email and (essential or chosen.email):
        channels.append((c.CHANNEL_EMAIL, recipient.email))
    for channel, address in channels:
        _record_delivery(message, channel=channel, address=address, text=body, broken=broken)
    return message


def _record_delivery(message: Message, *, channel: str, address: str, text: str, broken: str | None) -> Delivery:
    state, reason = c.CREATED, ""
    if broken:
        state, reason = c.VALIDATION_FAILED, broken
    elif channel == c.CHANNEL_SMS:
        try:
            address = normalize_mobile(address or "")
        except IdentifierError:
            state, reason = c.VALIDATION_FAILED, "invalid_mobile"
        else:
            if not message.essential and _recent_sms_to(address) >= settings.SMS_PER_NUMBER_PER_HOUR:
                state, reason = c.RATE_LIMITED, f"more than {settings.SMS_PER_NUMBER_PER_HOUR} messages in an hour"
        text = texts.sms_text(message.language, text)
    delivery = Delivery.objects.create(message=message, channel=channel, to=address[:254], text=text, state=state,
                                       failure_reason=reason)
    if state == c.CREATED:
        kind = "notifications.send_sms" if channel == c.CHANNEL_SMS else "notifications.send_email"
        enqueue_job(kind=kind, payload={"delivery_id": delivery.pk}, dedupe_key=f"{kind}:{delivery.pk}")
    else:
        logger.info("delivery %s to %s not sent: %s", delivery.pk, masked_address(channel, address), reason)
    return delivery


def _recent_sms_to(number: str) -> int:
    since = clock.now() - dt.timedelta(hours=1)
    return Delivery.objects.filter(channel=c.CHANNEL_SMS, to=number, created_at__gt=since).exclude(
        state__in=(c.RATE_LIMITED, c.VALIDATION_FAILED)).count()


def masked_address(channel: str, address: str) -> str:
    """A mobile number or e-mail address as staff screens and logs show it."""
    if channel == c.CHANNEL_SMS:
        return mask_phone(address)
    name, _, domain = address.partition("@")
    return f"{name[:1]}***@{domain}"


def mark_read(*, user, message_id: int) -> Message:
    """Mark one of the user's messages read (another's answers 404)."""
    from yiwang.core.errors import NotFound

    message = Message.objects.filter(pk=message_id, recipient=user).first()
    if message is None:
        raise NotFound("message_not_found", "消息不存在。", "Message not found.")
    if message.read_at is None:
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=clock.now())
        message.refresh_from_db()
    return message


def mark_all_read(*, user) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).update(read_at=clock.now())


# ---------------------------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------------------------


class SendLater(Exception):
    """The gateway could not take the message now: the job tries again with backoff."""


def send_sms(*, delivery_id: int) -> str:
    """Send one SMS delivery (a background job). Returns its state afterwards."""
    delivery = Delivery.objects.select_related("message").get(pk=delivery_id)
    if delivery.state not in (c.CREATED, c.SENDING):
        return delivery.state  # sent already, or ended
    if delivery.attempts >= settings.SMS_MAX_ATTEMPTS:
        _finish(delivery, c.TECHNICAL_FAILURE, f"no gateway took it in {delivery.attempts} attempts")
        return c.TECHNICAL_FAILURE
    # A message that may have reached a gateway goes back to that gateway: it knows the reference.
    name = delivery.gateway or failover.choose(current_weights(), rng=_rng)
    Delivery.objects.filter(pk=delivery.pk).update(state=c.SENDING, gateway=name, attempts=F("attempts") + 1,
                                                   updated_at=clock.now())
    try:
        reference = gateway(name).send(reference=str(delivery.pk), to=delivery.to, text=delivery.text,
                                       callback_url=receipt_url(name))
    except GatewayRejected as refused:
        _finish(delivery, c.PERMANENT_FAILURE, refused.reason)
        return c.PERMANENT_FAILURE
    except GatewayUnavailable as down:
        _count_error(name)
        keep = name if down.ambiguous else ""
        Delivery.objects.filter(pk=delivery.pk, state=c.SENDING).update(gateway=keep, failure_reason=down.reason[:200],
                                                                        updated_at=clock.now())
        logger.warning("sms %s to %s via %s failed (%s)", delivery.pk, mask_phone(delivery.to), name, down.reason)
        raise SendLater(f"{name}: {down.reason}") from None
    now = clock.now()
    logger.info("sms %s to %s sent via %s as %s", delivery.pk, mask_phone(delivery.to), name, reference)
    if Delivery.objects.filter(pk=delivery.pk, state=c.SENDING).update(
            state=c.SENT, gateway_reference=reference, sent_at=now, failure_reason="", updated_at=now):
        if not DeliveryReceipt.objects.filter(reference=str(delivery.pk), applied=False).exists():
            return c.SENT
    else:  # a receipt overtook this answer and moved it on already
        Delivery.objects.filter(pk=delivery.pk).update(gateway_reference=reference, sent_at=now, updated_at=now)
    _apply_waiting_receipts(delivery.pk)
    return Delivery.objects.values_list("state", flat=True).get(pk=delivery.pk)


def send_email(*, delivery_id: int) -> str:
    """Send one staff e-mail delivery (a background job)."""
    delivery = Delivery.objects.select_related("message").get(pk=delivery_id)
    if delivery.state not in (c.CREATED, c.SENDING):
        return delivery.state
    Delivery.objects.filter(pk=delivery.pk).update(state=c.SENDING, attempts=F("attempts") + 1, updated_at=clock.now())
    try:
        send_mail(delivery.message.title, delivery.text, settings.DEFAULT_FROM_EMAIL, [delivery.to])
    except OSError as exc:
        raise SendLater(f"mail: {exc}") from None
    now = clock.now()
    # The mail server's acceptance is all we learn: e-mail ends as delivered when it accepted it.
    Delivery.objects.filter(pk=delivery.pk).update(state=c.DELIVERED, sent_at=now, delivered_at=now, updated_at=now)
    return c.DELIVERED


def _finish(delivery: Delivery, state: str, reason: str) -> None:
    Delivery.objects.filter(pk=delivery.pk, state__in=(c.CREATED, c.SENDING)).update(
        state=state, failure_reason=reason[:200], updated_at=clock.now())
    logger.warning("delivery %s to %s ended %s: %s", delivery.pk, masked_address(delivery.channel, delivery.to), state, reason)


def receipt_url(gateway_name: str) -> str:
    return f"{settings.PUBLIC_URL}/api/v1/notifications/sms-receipts/{gateway_name}/"


# ---------------------------------------------------------------------------------------------
# Receipts
# ---------------------------------------------------------------------------------------------


def record_receipt(*, gateway_name: str, reference: str, gateway_reference: str, status: str) -> DeliveryReceipt:
    """Keep a gateway's receipt and apply it if its delivery is waiting for one (idempotent)."""
    outcome = RECEIPT_OUTCOMES.get(status, c.TEMPORARY_FAILURE)
    receipt = DeliveryReceipt.objects.create(gateway=gateway_name, reference=reference[:100],
                                             gateway_reference=gateway_reference[:100], status=status[:40], outcome=outcome)
    if reference.isdigit():
        _apply_waiting_receipts(int(reference))
    return receipt


def _apply_waiting_receipts(delivery_id: int) -> None:
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            return
        waiting = DeliveryReceipt.objects.filter(reference=str(delivery_id), applied=False, gateway=delivery.gateway)
        for receipt in waiting.order_by("received_at", "id"):
            if delivery.state in c.AWAITING_RECEIPT:
                now = clock.now()
                delivery.state = receipt.outcome
                delivery.delivered_at = now if receipt.outcome == c.DELIVERED else None
                delivery.failure_reason = "" if receipt.outcome == c.DELIVERED else f"receipt {receipt.status}"
                delivery.sent_at = delivery.sent_at or now
                delivery.save(update_fields=["state", "delivered_at", "failure_reason", "sent_at", "updated_at"])
            receipt.applied = True  # a duplicate or a late receipt is kept, and changes nothing
            receipt.save(update_fields=["applied"])


def time_out_silent_deliveries() -> int:
    """Messages sent with no receipt for SMS_RECEIPT_WAIT_HOURS become temporary failures."""
    cutoff = clock.now() - dt.timedelta(hours=settings.SMS_RECEIPT_WAIT_HOURS)
    return Delivery.objects.filter(channel=c.CHANNEL_SMS, state__in=(c.SENT, c.SENDING), updated_at__lt=cutoff).update(
        state=c.TEMPORARY_FAILURE, failure_reason=f"no receipt in {settings.SMS_RECEIPT_WAIT_HOURS} h", updated_at=clock.now())


# ---------------------------------------------------------------------------------------------
# Gateway weights (failover)
# ---------------------------------------------------------------------------------------------

ERROR_WINDOW = dt.timedelta(seconds=60)
_error_log: dict[str, list[dt.datetime]] = {}


_weights_cache: dict = {"at": None, "weights": None, "config": None}
WEIGHTS_CACHE_SECONDS = 5.0


def current_weights() -> dict[str, int]:
    """The gateways' current weights (read at most every 5 s per process; changes are rare)."""
    configured = {name: config.weight for name, config in configured_gateways().items()}
    cached_at = _weights_cache["at"]
    if cached_at is not None and _weights_cache["config"] == configured and time.monotonic() - cached_at < WEIGHTS_CACHE_SECONDS:
        return _weights_cache["weights"]
    stored = dict(GatewayWeight.objects.filter(gateway__in=configured).values_list("gateway", "weight"))
    weights = {name: stored.get(name, weight) for name, weight in configured.items()}
    _weights_cache.update(at=time.monotonic(), weights=weights, config=configured)
    return weights


def forget_cached_weights() -> None:
    _weights_cache.update(at=None, weights=None, config=None)


def _count_error(name: str) -> None:
    now = clock.now()
    recent = [at for at in _error_log.get(name, []) if at > now - ERROR_WINDOW] + [now]
    _error_log[name] = recent
    if len(recent) >= failover.ERROR_THRESHOLD:
        shift_weights_after_errors({name: len(recent)})
        _error_log[name] = []


def shift_weights_after_errors(errors: dict[str, int]) -> dict[str, int]:
    """Move weight away from gateways with too many recent errors (at most once a minute)."""
    with transaction.atomic():
        weights = _locked_weights()
        resting = {name: config.weight for name, config in configured_gateways().items()}
        # A weight moved off its resting value within the window: another worker shifted it already.
        if any(row.weight != resting[name] and row.updated_at > clock.now() - ERROR_WINDOW for name, row in weights.items()):
            return {name: row.weight for name, row in weights.items()}
        new = failover.after_errors({name: row.weight for name, row in weights.items()}, errors)
        return _save_weights(weights, new)


def drift_weights_back() -> dict[str, int]:
    """Every quarter of an hour, weights move back towards their configured values."""
    with transaction.atomic():
        weights = _locked_weights()
        resting = {name: config.weight for name, config in configured_gateways().items()}
        return _save_weights(weights, failover.drift_back({name: row.weight for name, row in weights.items()}, resting))


def _locked_weights() -> dict[str, GatewayWeight]:
    configured = configured_gateways()
    for name, config in configured.items():
        GatewayWeight.objects.get_or_create(gateway=name, defaults={"weight": config.weight})
    return {row.gateway: row for row in GatewayWeight.objects.select_for_update().filter(gateway__in=configured)}


def _save_weights(rows: dict[str, GatewayWeight], new: dict[str, int]) -> dict[str, int]:
    forget_cached_weights()
    for name, row in rows.items():
        if row.weight != new[name]:
            row.weight = new[name]
            row.save(update_fields=["weight", "updated_at"])
            logger.warning("sms gateway %s now has weight %s", name, row.weight)
    return new
