"""Writes of webhooks: events for subscribers, signed deliveries with retries, rotation, replay.

Delivery follows Standard Webhooks: headers webhook-id (the event id, the same on every retry),
webhook-timestamp and webhook-signature; only a 2xx is a success; redirects are not followed;
410 disables the endpoint; 429/503 honour Retry-After; other failures retry on the schedule
(`schedule.py`), then the delivery is exhausted and waits for a person's replay.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import logging
import random
import time

import httpcore
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from yiwang.core import clock
from yiwang.core.errors import ValidationFailed
from yiwang.jobs.services import enqueue_job
from yiwang.webhooks import models as m
from yiwang.webhooks import schedule, signing
from yiwang.webhooks.addresses import AddressRefused, GuardedBackend

logger = logging.getLogger("yiwang.webhooks")
_rng = random.Random()
ROTATION_OVERLAP = dt.timedelta(hours=24)
TIMEOUT_SECONDS = 15
EXCERPT = 1000
TYPE_PREFIX = "cn.gov.yiwang."


def create_endpoint(*, name: str, url: str, event_types: list[str], department=None,
                    allow_private_addresses: bool = False) -> m.Endpoint:
    """Register a receiving system; returns it with its new secret (shown to the administrator once)."""
    check_endpoint(url=url, event_types=event_types, allow_private_addresses=allow_private_addresses)
    return m.Endpoint.objects.create(name=name, url=url, event_types=event_types, department=department,
                                     allow_private_addresses=allow_private_addresses, secret=signing.new_secret())


def check_endpoint(*, url: str, event_types, allow_private_addresses: bool) -> None:
    """Refuse an endpoint that is not HTTPS (unless allowed on private addresses) or subscribes to nothing."""
    if not url.startswith("https://") and not (allow_private_addresses and url.startswith("http://")):
        raise ValidationFailed("endpoint_not_https", "接收地址必须使用 HTTPS（仅允许内网地址的端点可用 HTTP）。",
                               "The endpoint must use HTTPS (plain HTTP only for endpoints allowed on private addresses).")
    if not isinstance(event_types, list) or not event_types or not all(isinstance(t, str) and t for t in event_types):
        raise ValidationFailed("event_types_invalid", "请至少订阅一种事件，如 case.*。",
                               "Subscribe to at least one event type, e.g. case.*.")


def rotate_secret(*, endpoint_id: int) -> m.Endpoint:
    """A new secret; the old one keeps signing alongside it for 24 hours."""
    with transaction.atomic():
        endpoint = m.Endpoint.objects.select_for_update().get(pk=endpoint_id)
        endpoint.previous_secret, endpoint.secret = endpoint.secret, signing.new_secret()
        endpoint.previous_secret_until = clock.now() + ROTATION_OVERLAP
        endpoint.save(update_fields=["previous_secret", "secret", "previous_secret_until", "updated_at"])
    return endpoint


def secrets_in_force(endpoint: m.Endpoint) -> list[str]:
    keys = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_until and endpoint.previous_secret_until > clock.now():
        keys.append(endpoint.previous_secret)
    return keys


def _subscribed(endpoint: m.Endpoint, event_type: str) -> bool:
    return any(fnmatch.fnmatchcase(event_type, pattern) for pattern in endpoint.event_types)


def record_event(*, source_event: str, event_type: str, subject: str, data: dict, department_id: int | None) -> list[m.Delivery]:
    """The CloudEvents envelope of a domain event and one delivery per subscribed endpoint (idempotent)."""
    with transaction.atomic():
        existing = m.Event.objects.filter(source_event=source_event).first()
        if existing is not None:
            return []
        event = _new_event(source_event=source_event, event_type=event_type, subject=subject, data=data,
                           department_id=department_id)
        endpoints = m.Endpoint.objects.filter(enabled=True).filter(Q(department__isnull=True) | Q(department_id=department_id))
        deliveries = []
        for endpoint in endpoints:
            if _subscribed(endpoint, event_type):
                deliveries.append(_new_delivery(endpoint, event))
        return deliveries


def _new_event(*, source_event: str, event_type: str, subject: str | None, data: dict, department_id=None) -> m.Event:
    """Store the event with the exact CloudEvents JSON that every delivery of it sends and signs."""
    event = m.Event(source_event=source_event, type=TYPE_PREFIX + event_type, department_id=department_id)
    envelope = {"specversion": "1.0", "id": event.id, "source": settings.PUBLIC_URL, "type": event.type,
                "time": clock.now().isoformat(), "datacontenttype": "application/json", "data": data}
    if subject is not None:
        envelope["subject"] = subject
    event.body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    event.save(force_insert=True)
    return event


def _new_delivery(endpoint: m.Endpoint, event: m.Event) -> m.Delivery:
    delivery = m.Delivery.objects.create(endpoint=endpoint, event=event, next_attempt_at=clock.now())
    _schedule(delivery, attempt=1, at=delivery.next_attempt_at)
    return delivery


def _schedule(delivery: m.Delivery, *, attempt: int, at) -> None:
    enqueue_job(kind="webhooks.deliver", payload={"delivery_id": delivery.pk, "attempt": attempt},
                dedupe_key=f"webhooks.deliver:{delivery.pk}:{attempt}", run_at=at)


def send_test_event(*, endpoint_id: int) -> m.Delivery:
    """The "send test event" button: a webhook.test event to this endpoint only."""
    with transaction.atomic():
        endpoint = m.Endpoint.objects.get(pk=endpoint_id)
        event = _new_event(source_event=f"test-{m.new_event_id()}", event_type="webhook.test", subject=None,
                           data={"endpoint": endpoint.name})
        return _new_delivery(endpoint, event)


def request_replay(*, delivery_id: int):
    """Ask the worker to replay a delivery (the back office's button)."""
    return enqueue_job(kind="webhooks.replay", payload={"delivery_id": delivery_id})


def replay(*, delivery_id: int) -> m.Delivery:
    """Send a delivery again now, whatever its state: the same event id, signed with today's secrets.

    A replay is one attempt of its own: it is not retried and does not disable the endpoint.
    """
    delivery = m.Delivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    status, _ = _attempt(delivery, replay=True)
    if status is not None and 200 <= status < 300:
        m.Delivery.objects.filter(pk=delivery.pk).update(state=m.DELIVERED, delivered_at=clock.now(), next_attempt_at=None)
    delivery.refresh_from_db()
    return delivery


def deliver(*, delivery_id: int, attempt: int) -> str:
    """Attempt number `attempt` of a delivery (a background job); schedules the next one if it fails."""
    delivery = m.Delivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    # One job per attempt: the same attempt seen again means its first run died after it began
    # (the receiver may have had it: it acts on each webhook-id once), so it is made again.
    if delivery.state != m.PENDING or delivery.attempts > attempt:
        return delivery.state  # done, given up, or overtaken by a later attempt
    if not delivery.endpoint.enabled:
        m.Delivery.objects.filter(pk=delivery.pk).update(state=m.ENDPOINT_DISABLED)
        return m.ENDPOINT_DISABLED
    m.Delivery.objects.filter(pk=delivery.pk).update(attempts=attempt)
    status, retry_after = _attempt(delivery, replay=False)
    now = clock.now()
    if status is not None and 200 <= status < 300:
        m.Delivery.objects.filter(pk=delivery.pk).update(state=m.DELIVERED, delivered_at=now, next_attempt_at=None)
        return m.DELIVERED
    if status == 410:
        _disable(delivery.endpoint, "the receiver answered 410 Gone")
        m.Delivery.objects.filter(pk=delivery.pk).update(state=m.ENDPOINT_DISABLED, next_attempt_at=None)
        return m.ENDPOINT_DISABLED
    wait = schedule.next_wait(attempt, retry_after=retry_after if status in (429, 503) else None, rng=_rng)
    if wait is None:
        m.Delivery.objects.filter(pk=delivery.pk).update(state=m.EXHAUSTED, next_attempt_at=None)
        logger.error("webhook delivery %s to %s exhausted after %s attempts", delivery.pk, delivery.endpoint.name, attempt)
        return m.EXHAUSTED
    with transaction.atomic():
        m.Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now + wait)
        _schedule(delivery, attempt=attempt + 1, at=now + wait)
    return m.PENDING


def _disable(endpoint: m.Endpoint, reason: str) -> None:
    m.Endpoint.objects.filter(pk=endpoint.pk).update(enabled=False, disabled_reason=reason[:200], updated_at=clock.now())
    logger.warning("webhook endpoint %s disabled: %s", endpoint.name, reason)


def _attempt(delivery: m.Delivery, *, replay: bool) -> tuple[int | None, dt.timedelta | None]:
    endpoint, event = delivery.endpoint, delivery.event
    body = event.body.encode("utf-8")
    timestamp = int(clock.now().timestamp())
    headers = {
        "content-type": "application/cloudevents+json; charset=utf-8",
        "webhook-id": event.id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.signature_header(secrets_in_force(endpoint), msg_id=event.id, timestamp=timestamp, body=body),
        "user-agent": "yiwang-webhooks/1",
    }
    status, excerpt, error, retry_after = None, "", "", None
    started = time.monotonic()
    try:
        with httpcore.ConnectionPool(network_backend=GuardedBackend(allow_private=endpoint.allow_private_addresses)) as pool:
            answer = pool.request("POST", endpoint.url, headers=list(headers.items()), content=body,
                                  extensions={"timeout": {"connect": 5, "read": TIMEOUT_SECONDS, "write": 5, "pool": 5}})
        status = answer.status
        excerpt = answer.content[:EXCERPT].decode("utf-8", "replace")
        answer_headers = {k.decode().lower(): v.decode() for k, v in answer.headers}
        retry_after = schedule.parse_retry_after(answer_headers.get("retry-after"), now=clock.now())
        if 300 <= status < 400:
            error = f"redirect to {answer_headers.get('location', '?')[:200]} not followed"
    except AddressRefused as refused:
        error = str(refused)
    except httpcore.TimeoutException:
        error = "timeout"
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    duration = int((time.monotonic() - started) * 1000)
    m.Attempt.objects.create(delivery=delivery, replay=replay, request_headers=headers, status=status,
                             response_excerpt=excerpt, error=error[:300], duration_ms=duration)
    m.Delivery.objects.filter(pk=delivery.pk).update(last_status=status, last_error=error[:300])
    logger.info("webhook %s to %s: %s %s", event.id, endpoint.name, status, error)
    return status, retry_after


def forget_old_attempts() -> int:
    """Delivery evidence is kept 30 days."""
    deleted, _ = m.Attempt.objects.filter(at__lt=clock.now() - dt.timedelta(days=30)).delete()
    return deleted


