"""Background jobs of notifications: messages from events, sending, receipts' time-out, weights."""

import datetime as dt

from django.conf import settings

from yiwang.jobs.events import subscribe
from yiwang.jobs.registry import handler, periodic
from yiwang.notifications import services, sources

subscribe("case.", "notifications.on_case_event")
subscribe("data.accessed", "notifications.on_data_access")


@handler("notifications.on_case_event")
def on_case_event(*, event_type: str, event_id: str, case_event_id: int) -> dict:
    return {"messages": [m.pk for m in sources.messages_for_case_event(case_event_id)]}


@handler("notifications.on_data_access")
def on_data_access(*, event_type: str, event_id: str, data_access_id: int) -> dict:
    return {"messages": [m.pk for m in sources.messages_for_data_access(data_access_id)]}


# Not atomic: the gateway is another system; the delivery's own state makes a rerun safe.
# The job may retry beyond SMS_MAX_ATTEMPTS so that the last run records the technical failure.
@handler("notifications.send_sms", atomic=False, max_attempts=settings.SMS_MAX_ATTEMPTS + 2,
         timeout=dt.timedelta(seconds=60))
def send_sms(*, delivery_id: int) -> dict:
    return {"state": services.send_sms(delivery_id=delivery_id)}


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
