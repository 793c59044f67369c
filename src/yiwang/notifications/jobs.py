"""Background jobs of notifications: messages from events, sending, receipts' time-out, weights."""

import datetime as dt

from django.conf import settings

from yiwang.jobs.events import subscribe
from yiwang.jobs.registry import handler, periodic
from yiwang.notifications import services, sources

subscribe("case.", "notifications.on_case_event")
subscribe("data.accessed", "notifications.on_data_access")


def _messages_for(payloads: list[dict], outgoing_of) -> list:
    """One batch of events: each event's messages built on its own (a failure is that job's), then written together."""
    built = []
    for payload in payloads:
        try:
            built.append(outgoing_of(payload))
        except Exception as exc:  # that event's job retries; the others go on
            built.append(exc)
    created = iter(services.create_messages([o for item in built if not isinstance(item, Exception) for o in item]))
    return [item if isinstance(item, Exception) else {"messages": [m.pk for m in (next(created) for _ in item) if m]}
            for item in built]


# In batches: a flood of events (a schedule published, a mass 补正) is written a hundred at a time.
@handler("notifications.on_case_event", batch_size=100)
def on_case_event(payloads: list[dict]) -> list:
    return _messages_for(payloads, lambda payload: sources.outgoing_for_case_event(payload["case_event_id"]))


@handler("notifications.on_data_access", batch_size=100)
def on_data_access(payloads: list[dict]) -> list:
    return _messages_for(payloads, lambda payload: sources.outgoing_for_data_access(payload["data_access_id"]))


# Not atomic: the gateway is another system; the delivery's own state makes a rerun safe.
# The job may retry beyond SMS_MAX_ATTEMPTS so that the last run records the technical failure.
# In batches: one exchange with each gateway for up to SMS_BATCH_SIZE messages.
@handler("notifications.send_sms", atomic=False, max_attempts=settings.SMS_MAX_ATTEMPTS + 2,
         timeout=dt.timedelta(seconds=60), batch_size=settings.SMS_BATCH_SIZE)
def send_sms(payloads: list[dict]) -> list:
    states = services.send_sms_batch(delivery_ids=[payload["delivery_id"] for payload in payloads])
    return [state if isinstance(state, Exception) else {"state": state} for state in states]


@handler("notifications.send_email", atomic=False, max_attempts=10, timeout=dt.timedelta(seconds=60))
def send_email(*, delivery_id: int) -> dict:
    return {"state": services.send_email(delivery_id=delivery_id)}


@handler("notifications.deadline_warnings", timeout=dt.timedelta(minutes=30))
def deadline_warnings() -> dict:
    return {"messages": len(sources.deadline_warnings())}


@handler("notifications.time_out_silent_deliveries")
def time_out_silent_deliveries() -> dict:
    return {"timed_out": services.time_out_silent_deliveries()}


@handler("notifications.drift_gateway_weights")
def drift_gateway_weights() -> dict:
    return services.drift_weights_back()


periodic("deadline-warnings", kind="notifications.deadline_warnings", daily_at=dt.time(8, 30))
periodic("sms-receipt-time-outs", kind="notifications.time_out_silent_deliveries", every=dt.timedelta(hours=1))
periodic("sms-gateway-weights", kind="notifications.drift_gateway_weights", every=dt.timedelta(minutes=15))
