"""Background jobs of webhooks: events for subscribers, deliveries, evidence retention."""

import datetime as dt

from yiwang.jobs.events import subscribe
from yiwang.jobs.registry import handler, periodic
from yiwang.webhooks import services, sources

subscribe("case.", "webhooks.on_case_event")


@handler("webhooks.on_case_event")
def on_case_event(*, event_type: str, event_id: str, case_event_id: int) -> dict:
    return {"deliveries": [d.pk for d in sources.deliveries_for_case_event(event_type, event_id, case_event_id)]}


# Not atomic: the receiver is another system, and each attempt's evidence must stay.
@handler("webhooks.deliver", atomic=False, max_attempts=3, timeout=dt.timedelta(minutes=2))
def deliver(*, delivery_id: int, attempt: int) -> dict:
    return {"state": services.deliver(delivery_id=delivery_id, attempt=attempt)}


@handler("webhooks.replay", atomic=False, max_attempts=1, timeout=dt.timedelta(minutes=2))
def replay(*, delivery_id: int) -> dict:
    return {"state": services.replay(delivery_id=delivery_id).state}


@handler("webhooks.forget_old_attempts")
def forget_old_attempts() -> dict:
    return {"deleted": services.forget_old_attempts()}


periodic("webhook-evidence-retention", kind="webhooks.forget_old_attempts", daily_at=dt.time(3, 40))
