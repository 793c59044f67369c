"""Reads of the hall: a ticket's place in the queue and its estimated wait, the screens' feed."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from yiwang.core import clock
from yiwang.hall import constants as c
from yiwang.hall import rules
from yiwang.hall.models import Call, Site, Ticket, Window

RECENT_SERVICES = 20  # finished tickets whose service times estimate the wait


def people_ahead(ticket: Ticket) -> int:
    if ticket.state != c.WAITING:
        return 0
    return Ticket.objects.filter(site=ticket.site_id, group=ticket.group_id, day=ticket.day, state=c.WAITING).filter(
        Q(priority_rank__lt=ticket.priority_rank)
        | Q(priority_rank=ticket.priority_rank, taken_at__lt=ticket.taken_at)
        | Q(priority_rank=ticket.priority_rank, taken_at=ticket.taken_at, pk__lt=ticket.pk)
    ).count()


def estimated_wait_seconds(ticket: Ticket) -> int:
    """From the group's last finished services today and the windows now serving it."""
    ahead = people_ahead(ticket)
    recent = (Ticket.objects.filter(site=ticket.site_id, group=ticket.group_id, day=ticket.day, state=c.DONE)
              .order_by("-finished_at").values_list("called_at", "finished_at")[:RECENT_SERVICES])
    durations = [(end - start).total_seconds() for start, end in recent if start and end]
    serving = Window.objects.filter(site=ticket.site_id, is_open=True, officer__isnull=False,
                                    officer__hall_qualifications__group=ticket.group_id).distinct().count()
    return rules.estimated_wait_seconds(ahead=ahead, recent_service_seconds=durations, serving_windows=serving)


def calls_after(site: Site, after_id: int, *, limit: int = 50) -> list[Call]:
    """The site's announcements after `after_id`, oldest first (a screen catching up)."""
    rows = Call.objects.filter(site=site, id__gt=after_id).select_related("ticket", "window").order_by("id")
    if after_id <= 0:  # a screen starting up shows the latest calls, not the whole day
        return list(reversed(Call.objects.filter(site=site).select_related("ticket", "window").order_by("-id")[:10]))
    return list(rows[:limit])


def waiting_counts(site: Site, day: dt.date | None = None) -> dict[str, int]:
    """Waiting tickets per group prefix."""
    rows = (Ticket.objects.filter(site=site, day=day or clock.today(), state=c.WAITING)
            .values("group__prefix").annotate(n=Count("id")))
    return {row["group__prefix"]: row["n"] for row in rows}


def active_sites():
    return Site.objects.filter(active=True)


def windows_of(site: Site):
    return site.windows.select_related("officer").prefetch_related("groups").order_by("code")
