"""Domain events, delivered by background jobs: an app publishes, other apps subscribe.

Publishing records one job per subscriber in the publisher's transaction (so an event is never
lost nor half-published), deduplicated by the event's id (so publishing twice delivers once)::

    # the notifications app, in ready():
    subscribe("case.", "notifications.on_case_event")      # every event type starting "case."

    # the applications app, in the transaction of the transition:
    publish(event_type="case.request_supplement", event_id="case-event-42", payload={"case_event_id": 42})

The subscriber's handler receives `event_type`, `event_id` and the payload as keyword arguments.
"""

from __future__ import annotations

from yiwang.jobs.models import Job

_subscriptions: list[tuple[str, str]] = []  # (event type or prefix ending in ".", job kind)


def subscribe(event_type: str, kind: str) -> None:
    """Run a job of `kind` for every event of `event_type` (or, ending in ".", of that prefix)."""
    if (event_type, kind) not in _subscriptions:
        _subscriptions.append((event_type, kind))


def subscribers(event_type: str) -> list[str]:
    return [kind for pattern, kind in _subscriptions
            if pattern == event_type or (pattern.endswith(".") and event_type.startswith(pattern))]


def publish(*, event_type: str, event_id: str, payload: dict) -> list[Job]:
    """Record the event's delivery to every subscriber (call inside the business transaction)."""
    from yiwang.jobs.services import enqueue_job

    return [
        enqueue_job(kind=kind, payload={"event_type": event_type, "event_id": event_id, **payload},
                    dedupe_key=f"{kind}:{event_id}")
        for kind in subscribers(event_type)
    ]
