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
from django.db import transaction
from django.db.models import Case, CharField, Count, F, Value, When

from yiwang.core import clock
from yiwang.core.identifiers import IdentifierError, mask_phone, normalize_mobile
from yiwang.jobs.services import enqueue_jobs
from yiwang.notifications import constants as c
from yiwang.notifications import failover, texts
from yiwang.notifications.gateways import GatewayRejected, GatewayUnavailable, Sms, configured_gateways, gateway
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
    return create_messages([outgoing])[0]


def create_messages(outgoings: list[Outgoing]) -> list[Message | None]:
    """Each recipient's message for an event, with its deliveries and their send jobs, written in bulk.

    Returns one entry per outgoing, in order: the new message, or None where this event had
    already told this person (a rerun). A message and its delivery per channel are unique in
    the database, so a concurrent run of the same event cannot send anything twice.
    """
    if not outgoings:
        return []
    with transaction.atomic():
        chosen = _settings_of({o.recipient.pk: o.recipient for o in outgoings})
        keys = {(o.recipient.pk, o.event_key) for o in outgoings}
        existing = set(Message.objects.filter(event_key__in={key for _, key in keys}).values_list("recipient_id", "event_key"))
        new, broken = [], {}
        for outgoing in outgoings:
            key = (outgoing.recipient.pk, outgoing.event_key)
            if key in existing:
                continue
            existing.add(key)  # the same event twice in one batch is one message
            message, broken[key] = _compose(outgoing, chosen[outgoing.recipient.pk])
            new.append((outgoing, message))
        Message.objects.bulk_create([message for _, message in new], ignore_conflicts=True)
        stored = {(m.recipient_id, m.event_key): m for m in Message.objects.filter(
            event_key__in={o.event_key for o, _ in new}, recipient_id__in={o.recipient.pk for o, _ in new})}
        created, planned = {}, []
        for outgoing, _ in new:
            key = (outgoing.recipient.pk, outgoing.event_key)
            message = created[key] = stored[key]
            message.recipient = outgoing.recipient
            planned.append((outgoing, message, chosen[outgoing.recipient.pk], broken[key]))
        _record_deliveries(planned)
    results, given = [], set()
    for outgoing in outgoings:
        key = (outgoing.recipient.pk, outgoing.event_key)
        results.append(created[key] if key in created and key not in given else None)
        given.add(key)
    return results


def _settings_of(recipients: dict[int, object]) -> dict[int, NotificationSettings]:
    found = {row.user_id: row for row in NotificationSettings.objects.filter(user_id__in=recipients)}
    return {pk: found.get(pk) or NotificationSettings(user=user) for pk, user in recipients.items()}


def _compose(outgoing: Outgoing, chosen: NotificationSettings) -> tuple[Message, str | None]:
    """The message in the recipient's language; a template naming an unknown variable gives the
    fallback text, and its deliveries are not sent (the reason is returned)."""
    broken = None
    try:
        rendered = texts.render(outgoing.kind, chosen.language, outgoing.variables)
        title, body = rendered.title, rendered.body
    except texts.UnknownVariable as exc:
        broken = f"unknown_variable:{exc.name}"
        title, body = FALLBACK.get(chosen.language, FALLBACK["zh-hans"])
        logger.error("message %s for event %s names unknown variable %s", outgoing.kind, outgoing.event_key, exc.name)
    message = Message(recipient=outgoing.recipient, kind=outgoing.kind, event_key=outgoing.event_key,
                      essential=outgoing.kind in c.ESSENTIAL_KINDS, language=chosen.language, title=title, body=body,
                      link=outgoing.link, case_id=outgoing.case_id, event_at=outgoing.event_at or clock.now())
    return message, broken


def _record_deliveries(new: list[tuple[Outgoing, Message, NotificationSettings, str | None]]) -> None:
    planned = []
    for outgoing, message, chosen, broken in new:
        recipient = outgoing.recipient
        if outgoing.sms_allowed and (message.essential or chosen.sms) and recipient.kind != "staff":
            planned.append((message, c.CHANNEL_SMS, recipient.phone or outgoing.phone_fallback, broken))
        if recipient.kind == "staff" and recipient.email and (message.essential or chosen.email):
            planned.append((message, c.CHANNEL_EMAIL, recipient.email, broken))
    numbers = {}
    for message, channel, address, _ in planned:
        if channel == c.CHANNEL_SMS:
            try:
                numbers[address] = normalize_mobile(address or "")
            except IdentifierError:
                pass
    sent_lately = _recent_sms_counts(set(numbers.values()))
    deliveries = []
    for message, channel, address, broken in planned:
        state, reason, text = c.CREATED, "", message.body
        if broken:
            state, reason = c.VALIDATION_FAILED, broken
        elif channel == c.CHANNEL_SMS:
            if address not in numbers:
                state, reason = c.VALIDATION_FAILED, "invalid_mobile"
            else:
                address = numbers[address]
                if not message.essential and sent_lately.get(address, 0) >= settings.SMS_PER_NUMBER_PER_HOUR:
                    state, reason = c.RATE_LIMITED, f"more than {settings.SMS_PER_NUMBER_PER_HOUR} messages in an hour"
                else:
                    sent_lately[address] = sent_lately.get(address, 0) + 1
        if channel == c.CHANNEL_SMS:
            text = texts.sms_text(message.language, text)
        deliveries.append(Delivery(message=message, channel=channel, to=address[:254], text=text, state=state,
                                   failure_reason=reason))
        if state != c.CREATED:
            logger.info("delivery for message %s to %s not sent: %s", message.pk, masked_address(channel, address), reason)
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    to_send = list(Delivery.objects.filter(message__in=[d.message for d in deliveries], state=c.CREATED)
                   .order_by("pk").values_list("pk", "channel"))
    for channel, kind in ((c.CHANNEL_SMS, "notifications.send_sms"), (c.CHANNEL_EMAIL, "notifications.send_email")):
        ids = [pk for pk, on in to_send if on == channel]
        enqueue_jobs(kind=kind, payloads=[{"delivery_id": pk} for pk in ids], dedupe_keys=[f"{kind}:{pk}" for pk in ids])


def _recent_sms_counts(numbers: set[str]) -> dict[str, int]:
    if not numbers:
        return {}
    since = clock.now() - dt.timedelta(hours=1)
    rows = (Delivery.objects.filter(channel=c.CHANNEL_SMS, to__in=numbers, created_at__gt=since)
            .exclude(state__in=(c.RATE_LIMITED, c.VALIDATION_FAILED)).values("to").annotate(n=Count("id")))
    return {row["to"]: row["n"] for row in rows}


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
    """Send one SMS delivery. Returns its state afterwards; raises `SendLater` if no gateway took it now."""
    outcome = send_sms_batch(delivery_ids=[delivery_id])[0]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def send_sms_batch(*, delivery_ids: list[int]) -> list:
    """Send SMS deliveries (a batch job), one exchange per gateway.

    Returns, per id in order, the delivery's state afterwards, or the exception that makes its
    job try again later (`SendLater` when the gateway could not take it now).
    """
    found = Delivery.objects.in_bulk(delivery_ids)
    outcomes: dict[int, object] = {}
    by_gateway: dict[str, list[Delivery]] = {}
    for delivery_id in delivery_ids:
        delivery = found.get(delivery_id)
        if delivery is None:
            outcomes[delivery_id] = Delivery.DoesNotExist(f"delivery {delivery_id}")
        elif delivery.state not in (c.CREATED, c.SENDING):
            outcomes[delivery_id] = delivery.state  # sent already, or ended
        elif delivery.attempts >= settings.SMS_MAX_ATTEMPTS:
            _finish(delivery, c.TECHNICAL_FAILURE, f"no gateway took it in {delivery.attempts} attempts")
            outcomes[delivery_id] = c.TECHNICAL_FAILURE
        else:
            # A message that may have reached a gateway goes back to that gateway: it knows the reference.
            name = delivery.gateway or failover.choose(current_weights(), rng=_rng)
            by_gateway.setdefault(name, []).append(delivery)
    for name, deliveries in by_gateway.items():
        outcomes.update(_send_through(name, deliveries))
    return [outcomes[delivery_id] for delivery_id in delivery_ids]


def _send_through(name: str, deliveries: list[Delivery]) -> dict[int, object]:
    ids = [delivery.pk for delivery in deliveries]
    Delivery.objects.filter(pk__in=ids).update(state=c.SENDING, gateway=name, attempts=F("attempts") + 1,
                                               updated_at=clock.now())
    answers = gateway(name).send_many([Sms(reference=str(d.pk), to=d.to, text=d.text) for d in deliveries],
                                      callback_url=receipt_url(name))
    outcomes: dict[int, object] = {}
    sent: dict[int, str] = {}
    errors = 0
    for delivery, answer in zip(deliveries, answers):
        if isinstance(answer, GatewayRejected):
            _finish(delivery, c.PERMANENT_FAILURE, answer.reason)
            outcomes[delivery.pk] = c.PERMANENT_FAILURE
        elif isinstance(answer, GatewayUnavailable):
            errors += 1
            keep = name if answer.ambiguous else ""
            Delivery.objects.filter(pk=delivery.pk, state=c.SENDING).update(
                gateway=keep, failure_reason=answer.reason[:200], updated_at=clock.now())
            logger.warning("sms %s to %s via %s failed (%s)", delivery.pk, mask_phone(delivery.to), name, answer.reason)
            outcomes[delivery.pk] = SendLater(f"{name}: {answer.reason}")
        else:
            sent[delivery.pk] = answer
            logger.info("sms %s to %s sent via %s as %s", delivery.pk, mask_phone(delivery.to), name, answer)
    if errors:
        _count_error(name, errors)
    if sent:
        outcomes.update(_record_sent(sent))
    return outcomes


def _record_sent(sent: dict[int, str]) -> dict[int, str]:
    """Mark deliveries sent with the gateway's ids; apply receipts that overtook the answers."""
    now = clock.now()
    references = Case(*[When(pk=pk, then=Value(reference)) for pk, reference in sent.items()],
                      output_field=CharField())
    Delivery.objects.filter(pk__in=sent, state=c.SENDING).update(
        state=c.SENT, gateway_reference=references, sent_at=now, failure_reason="", updated_at=now)
    states = dict(Delivery.objects.filter(pk__in=sent).values_list("pk", "state"))
    overtaken = [pk for pk, state in states.items() if state != c.SENT]  # a receipt moved it on already
    if overtaken:
        Delivery.objects.filter(pk__in=overtaken).update(gateway_reference=references, sent_at=now, updated_at=now)
    waiting = {int(reference) for reference in DeliveryReceipt.objects.filter(
        reference__in=[str(pk) for pk in sent], applied=False).values_list("reference", flat=True)}
    for pk in sorted(waiting | set(overtaken)):
        _apply_waiting_receipts(pk)
    if waiting or overtaken:
        states.update(Delivery.objects.filter(pk__in=waiting | set(overtaken)).values_list("pk", "state"))
    return {pk: states[pk] for pk in sent}


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


def _count_error(name: str, count: int = 1) -> None:
    now = clock.now()
    recent = [at for at in _error_log.get(name, []) if at > now - ERROR_WINDOW] + [now] * count
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
