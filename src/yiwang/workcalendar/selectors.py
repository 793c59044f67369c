"""Reads: the working calendar in force (package + published schedules) and deadline helpers.

Other apps call these; for many dates at once (a queue page) take `current_calendar()` once and
use the pure functions of `yiwang.workcalendar.rules` on it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Max

from yiwang.core import clock
from yiwang.workcalendar import rules
from yiwang.workcalendar.models import HolidaySchedule, ScheduleDay
from yiwang.workcalendar.rules import DueDate, WorkCalendar

# One (fingerprint, calendar) per process. The fingerprint is read from the database on every
# call (one small aggregate query), so a schedule published through another gunicorn worker is
# seen at once; the calendar is rebuilt only when the fingerprint changed.
_cache: tuple[tuple, WorkCalendar] | None = None


def _schedules_fingerprint() -> tuple:
    # Every write through the services touches the schedule's updated_at; the day count and the
    # newest day id also catch days added or removed without it.
    row = HolidaySchedule.objects.aggregate(
        schedule_count=Count("id", distinct=True),
        latest_update=Max("updated_at"),
        day_count=Count("days"),
        newest_day_id=Max("days__id"),
    )
    return (row["schedule_count"], row["latest_update"], row["day_count"], row["newest_day_id"])


def forget_cached_calendar() -> None:
    """Drop the process's cached calendar (test isolation; the next call rebuilds it)."""
    global _cache
    _cache = None


def published_schedules() -> dict[int, dict[dt.date, bool]]:
    """{year: {date: is_workday}} of every published schedule."""
    schedules: dict[int, dict[dt.date, bool]] = {
        year: {} for year in HolidaySchedule.objects.filter(published=True).values_list("year", flat=True)
    }
    days = ScheduleDay.objects.filter(schedule__published=True).values_list("schedule__year", "date", "kind")
    for year, date, kind in days:
        schedules[year][date] = kind == ScheduleDay.WORKDAY
    return schedules


def current_calendar() -> WorkCalendar:
    """The calendar in force: the package, overridden by published schedules year by year."""
    global _cache
    fingerprint = _schedules_fingerprint()
    cached = _cache
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    # Two threads may both rebuild; the last assignment wins and both results are equal.
    calendar = WorkCalendar(schedules=published_schedules())
    _cache = (fingerprint, calendar)
    return calendar


def compute_deadline(
    *,
    start: dt.date,
    value: int,
    unit: str,
    paused_working_days: int = 0,
    paused_calendar_days: int = 0,
) -> DueDate:
    """Due date of a limit of `value` days in `unit` ("working_day"/"calendar_day") from `start`.

    Day 1 is the first (working) day after `start`; value 0 is `start` itself. Paused days are
    added back (working days for working-day limits, calendar days for calendar-day limits).
    Raises `rules.CalendarError` (a ValueError) for a negative count or an unknown unit.
    """
    return current_calendar().deadline(start, value, unit, paused_working_days, paused_calendar_days)


def count_working_days(*, after: dt.date, until: dt.date) -> tuple[int, bool]:
    """(working days d with after < d <= until, provisional) — for paused or remaining days."""
    return current_calendar().working_days_between(after, until)


def deadline_warning(*, due: dt.date, today: dt.date | None = None, calendar: WorkCalendar | None = None) -> str:
    """"green", "yellow" or "red" for a due date (CSS classes deadline-green/yellow/red).

    Yellow when at most settings.DEADLINE_WARNING_WORKING_DAYS working days remain, red when
    overdue. `today` defaults to the local date; pass `calendar` to avoid a query per call.
    """
    return rules.warning_level(
        today or clock.today(),
        due,
        settings.DEADLINE_WARNING_WORKING_DAYS,
        calendar or current_calendar(),
    )
