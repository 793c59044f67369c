"""Reads of the hall: a ticket's place in the queue and its estimated wait, the screens' feed."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q

from yiwang.core import clock
from yiwang.core.errors import ValidationFailed
from yiwang.core.i18n import say
from yiwang.hall import constants as c
from yiwang.hall import rules
from yiwang.hall.models import Call, Handover, ServiceGroup, Site, Ticket, Window

RECENT_SERVICES = 20  # finished tickets whose service times estimate the wait


def ticket_code(ticket_id: int) -> str:
    """The code printed with a ticket's rating QR: holding the paper ticket is what it proves."""
    import hashlib
    import hmac

    digest = hmac.new(settings.SECRET_KEY.encode(), f"hall-ticket-holder:{ticket_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:20]


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
    calls = Call.objects.filter(site=site).select_related("ticket", "window")
    if after_id <= 0:  # a screen starting up shows the latest calls, not the whole day
        return list(reversed(calls.order_by("-id")[:10]))
    return list(calls.filter(id__gt=after_id).order_by("id")[:limit])


def waiting_counts(site: Site, day: dt.date | None = None) -> dict[str, int]:
    """Waiting tickets per group prefix."""
    rows = (Ticket.objects.filter(site=site, day=day or clock.today(), state=c.WAITING)
            .values("group__prefix").annotate(n=Count("id")))
    return {row["group__prefix"]: row["n"] for row in rows}


def active_sites():
    return Site.objects.filter(active=True)


def site_by_code(code: str) -> Site | None:
    """An active site by its code, or None."""
    return Site.objects.filter(code=code, active=True).first()


def windows_of(site: Site):
    return site.windows.select_related("officer").prefetch_related("groups").order_by("code")


def open_slots(site: Site, group) -> list[dict]:
    """The bookable days (next working day to the fifth) with each slot's remaining places."""
    from yiwang.hall.models import Appointment, SlotCapacity
    from yiwang.workcalendar.selectors import current_calendar

    capacity = SlotCapacity.objects.filter(site=site, group=group).first()
    if capacity is None:
        return []
    calendar = current_calendar()
    days = rules.booking_days(clock.today(), calendar)
    counts: dict[tuple, int] = {}
    for day, start in Appointment.objects.filter(site=site, group=group, day__in=days,
                                                 state__in=(c.BOOKED, c.CHECKED_IN)).values_list("day", "start"):
        counts[(day, start)] = counts.get((day, start), 0) + 1
    result = []
    for day in days:
        working, _ = calendar.is_workday(day)
        slots = rules.day_slots(site.opening_hours, day, slot_minutes=capacity.slot_minutes, working_day=working)
        result.append({"day": day, "slots": [{"start": start, "end": end,
                                              "remaining": max(0, capacity.per_slot - counts.get((day, start), 0))}
                                             for start, end in slots]})
    return result


def appointments_of(person):
    from yiwang.hall.models import Appointment

    return Appointment.objects.filter(person=person).select_related("site", "group", "ticket").order_by("-day", "-start")


def items_officer_may_accept(officer):
    """The catalogue items of the groups the officer is qualified for (named, or of the groups' departments)."""
    from yiwang.catalog.models import ServiceItem

    groups = ServiceGroup.objects.filter(qualifications__officer=officer)
    return (ServiceItem.objects.filter(Q(hall_groups__in=groups) | Q(department__hall_groups__in=groups))
            .distinct().order_by("code").only("code", "name", "name_en"))


def counter_case_for(officer, case_id: int):
    """A case the officer took in at a counter (any state), or None."""
    from yiwang.applications.selectors import cases_visible_to, received_at_counter_by

    case = cases_visible_to(officer).filter(pk=case_id).first()
    return case if case is not None and received_at_counter_by(case, officer) else None


def output_window_of(officer) -> Window | None:
    """The unified output window the officer is signed in at, if any."""
    return Window.objects.select_related("site").filter(officer=officer, kind=c.WINDOW_OUTPUT).first()


def uncollected_days() -> int:
    return int(settings.HALL_UNCOLLECTED_DAYS)


def _waiting_for_pickup(site: Site):
    return (Handover.objects.filter(site=site, state=c.AWAITING, method=c.PICKUP)
            .select_related("case__item", "case__applicant").order_by("ready_at", "pk"))


def awaiting_handovers(site: Site):
    """Results waiting at the site's output counter, oldest first."""
    return _waiting_for_pickup(site)[:200]


def uncollected_handovers(site: Site):
    """Results still waiting after HALL_UNCOLLECTED_DAYS, for follow-up (a call, or mailing them)."""
    cutoff = clock.now() - dt.timedelta(days=uncollected_days())
    return _waiting_for_pickup(site).filter(ready_at__lte=cutoff)[:200]


STATISTICS_DIMENSIONS = ("group", "window", "officer", "hour", "item")


def _staffed_seconds(site: Site, day_from: dt.date, day_to: dt.date) -> float:
    """Opening time of the site over the days (working days only): a staffed window's available time.

    Sign-in history is not kept, so a window's utilisation is its service time over the site's
    opening time; windows that served nobody in the period are left out of the spread of load.
    """
    from yiwang.workcalendar.selectors import current_calendar

    calendar = current_calendar()
    days = (day_from + dt.timedelta(days=n) for n in range((day_to - day_from).days + 1))
    return sum(rules.open_seconds(site.opening_hours, day, working_day=calendar.is_workday(day)[0]) for day in days)


def hall_statistics(site: Site, *, day_from: dt.date, day_to: dt.date, by: str) -> dict:
    """Tickets, waits (p50/p90), service time, no-shows and abandoned tickets per `by`, with each
    window's utilisation and the spread of load across windows (coefficient of variation)."""
    from yiwang.hall import statistics as figures

    if by not in STATISTICS_DIMENSIONS:
        raise ValueError(by)
    today = clock.today()
    tickets = (Ticket.objects.filter(site=site, day__gte=day_from, day__lte=day_to)
               .values_list("group__prefix", "group__name", "group__name_en", "window__code", "officer__real_name",
                            "officer__username", "item__code", "state", "taken_at", "called_at", "finished_at", "day"))
    records, per_window = [], {}
    for (prefix, group_name, group_name_en, window, officer_name, officer_username, item_code, state, taken, called, finished,
         day) in tickets:
        key = {"group": f"{prefix} {say(group_name, group_name_en)}", "window": window or "—",
               "officer": officer_name or officer_username or "—",
               "hour": f"{taken.astimezone(clock.LEGAL_TIME_ZONE).hour:02d}:00", "item": item_code or "—"}[by]
        open_state = state in (c.WAITING, c.CALLED, c.HELD)
        service = (finished - called).total_seconds() if state == c.DONE and called and finished else None
        records.append(figures.TicketRecord(
            key=key, state="open" if open_state and day >= today else state,
            wait_seconds=(called - taken).total_seconds() if called else None, service_seconds=service))
        if window and service is not None:
            served, busy = per_window.get(window, (0, 0.0))
            per_window[window] = (served + 1, busy + service)
    staffed = _staffed_seconds(site, day_from, day_to)
    windows = [{"window": code, "served": served, "busy_seconds": round(busy, 1),
                "utilisation": None if (u := figures.utilisation(busy, staffed)) is None else round(u, 3)}
               for code, (served, busy) in sorted(per_window.items())]
    cv = figures.coefficient_of_variation([w["served"] for w in windows])
    return {"site": site.code, "from": day_from.isoformat(), "to": day_to.isoformat(), "by": by,
            "rows": [row.as_dict() for row in figures.summarise(records)],
            "windows": windows, "load_cv": None if cv is None else round(cv, 3)}


def demand_history(site: Site, *, day_from: dt.date, day_to: dt.date) -> dict:
    """The site's own demand, for the staffing planner: per service group, the mean number of
    tickets taken in each hour of the day over the working days of the period, and the mean
    service time of the tickets served (called to finished). Groups without a served ticket have
    no service time (None) and cannot be planned from history alone."""
    from yiwang.workcalendar.selectors import current_calendar

    calendar = current_calendar()
    working = [day for day in (day_from + dt.timedelta(days=n) for n in range((day_to - day_from).days + 1))
               if calendar.is_workday(day)[0]]
    arrivals: dict[int, dict[int, int]] = {}
    service: dict[int, list[float]] = {}
    tickets = (Ticket.objects.filter(site=site, day__in=working)
               .values_list("group_id", "taken_at", "called_at", "finished_at", "state"))
    for group_id, taken, called, finished, state in tickets:
        hour = taken.astimezone(clock.LEGAL_TIME_ZONE).hour
        arrivals.setdefault(group_id, {}).setdefault(hour, 0)
        arrivals[group_id][hour] += 1
        if state == c.DONE and called and finished:
            service.setdefault(group_id, []).append((finished - called).total_seconds())
    hours = sorted({hour for per_hour in arrivals.values() for hour in per_hour})
    hours = list(range(hours[0], hours[-1] + 1)) if hours else []
    groups = []
    for group in ServiceGroup.objects.filter(pk__in=arrivals).order_by("prefix"):
        served = service.get(group.pk, [])
        groups.append({
            "code": group.code, "prefix": group.prefix, "name": group.name, "name_en": group.name_en,
            "arrivals_per_hour": [round(arrivals[group.pk].get(hour, 0) / len(working), 3) for hour in hours],
            "mean_service_minutes": round(sum(served) / len(served) / 60, 3) if served else None,
            "served": len(served),
        })
    return {"site": site.code, "from": day_from.isoformat(), "to": day_to.isoformat(), "working_days": len(working),
            "hours": hours, "groups": groups}


def statistics_query(params) -> tuple[dt.date, dt.date, str]:
    """The period and dimension asked for (default: today, by group); DomainError for bad input."""
    today = clock.today()
    try:
        day_from = dt.date.fromisoformat(params.get("from") or today.isoformat())
        day_to = dt.date.fromisoformat(params.get("to") or day_from.isoformat())
    except ValueError:
        raise ValidationFailed("bad_date", "日期格式应为 YYYY-MM-DD。", "Dates are written YYYY-MM-DD.") from None
    if day_to < day_from or (day_to - day_from).days > 366:
        raise ValidationFailed("bad_period", "统计区间应为一年以内且起始不晚于截止。",
                               "The period must start no later than it ends and last at most a year.")
    by = params.get("by") or "group"
    if by not in STATISTICS_DIMENSIONS:
        raise ValidationFailed("bad_dimension", "统计维度无效。", "Unknown statistics dimension.",
                               details={"allowed": list(STATISTICS_DIMENSIONS)})
    return day_from, day_to, by
