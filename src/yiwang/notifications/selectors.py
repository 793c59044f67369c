"""Reads of notifications: a person's messages, the unread count, the public sending performance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from yiwang.core import clock
from yiwang.notifications import constants as c
from yiwang.notifications.models import Delivery, Message

FAST_SECONDS = 10  # Notify's public figure: messages sent within 10 seconds


def messages_of(user) -> QuerySet[Message]:
    return Message.objects.filter(recipient=user)


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class DayFigure:
    day: dt.date
    channel: str
    sent: int
    within_10s: int

    @property
    def share(self) -> float | None:
        return round(self.within_10s / self.sent, 4) if self.sent else None


def sending_performance(*, days: int = 7) -> list[DayFigure]:
    """Per day (Shanghai) and channel: messages sent, and how many within 10 s of their event."""
    since = clock.now() - dt.timedelta(days=days)
    figures: dict[tuple[dt.date, str], list[int]] = {}
    rows = (Delivery.objects.filter(sent_at__isnull=False, created_at__gte=since)
            .values_list("channel", "created_at", "sent_at", "message__event_at"))
    for channel, created_at, sent_at, event_at in rows.iterator():
        day = timezone.localtime(created_at).date()
        counts = figures.setdefault((day, channel), [0, 0])
        counts[0] += 1
        counts[1] += (sent_at - (event_at or created_at)).total_seconds() <= FAST_SECONDS
    return [DayFigure(day=day, channel=channel, sent=sent, within_10s=fast)
            for (day, channel), (sent, fast) in sorted(figures.items(), reverse=True)]


def channel_label(channel: str) -> str:
    return str(dict(c.CHANNELS).get(channel, channel))
