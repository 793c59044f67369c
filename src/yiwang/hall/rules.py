"""Rules of the hall that need no database: ticket numbers, calling order, the estimated wait.

Pure functions, unit-tested on their own (tests/hall/test_rules.py).
"""

from __future__ import annotations

import datetime as dt
import re
import statistics

from yiwang.hall import constants as c

# Calling order: 绿色通道 first, then appointments inside their slot, then everyone by take time.
PRIORITY_RANK = {c.PRIORITY_GREEN: 0, c.PRIORITY_APPOINTMENT: 1, c.PRIORITY_NORMAL: 2}
# With no service finished recently, a ticket is assumed to take this long.
DEFAULT_SERVICE_SECONDS = 300


def ticket_number(prefix: str, sequence: int) -> str:
    """Hall-style number: the group's letter and the day's sequence, three digits at least (A001)."""
    if len(prefix) != 1 or not prefix.isascii() or not prefix.isupper():
        raise ValueError(f"a ticket prefix is one capital letter, not {prefix!r}")
    if sequence < 1:
        raise ValueError("ticket sequences start at 1")
    return f"{prefix}{sequence:03d}"


def call_text(number: str, window_label: str) -> tuple[str, str]:
    """What the calling screen shows and speaks, in Chinese and English."""
    return f"请{number}号到{window_label}号窗口办理", f"Ticket {number}, please go to window {window_label}"


def estimated_wait_seconds(*, ahead: int, recent_service_seconds: list[float], serving_windows: int) -> int:
    """People ahead × the median of recent service times, shared by the windows serving the group."""
    if ahead <= 0:
        return 0
    per_ticket = statistics.median(recent_service_seconds) if recent_service_seconds else DEFAULT_SERVICE_SECONDS
    return round(ahead * per_ticket / max(1, serving_windows))


def opening_periods(opening_hours: dict, day: dt.date) -> list[tuple[dt.time, dt.time]]:
    """The day's opening periods by its weekday; a weekday with no entry (a make-up Saturday) uses Monday's."""
    periods = opening_hours.get(str(day.isoweekday())) or opening_hours.get("1") or []
    return [(dt.time.fromisoformat(start), dt.time.fromisoformat(end)) for start, end in periods]


def open_seconds(opening_hours: dict, day: dt.date, *, working_day: bool) -> float:
    """How long the site is open on the day (0 on a non-working day)."""
    if not working_day:
        return 0.0
    return sum((dt.datetime.combine(day, end) - dt.datetime.combine(day, start)).total_seconds()
               for start, end in opening_periods(opening_hours, day))


def is_open(opening_hours: dict, at: dt.datetime, *, working_day: bool) -> bool:
    """Whether a site is open at a Shanghai wall time: a working day and inside one of its periods.

    `opening_hours` maps ISO weekday numbers ("1" = Monday) to periods ``[["09:00", "17:00"], ...]``;
    a working day whose weekday has no entry (a make-up Saturday) uses Monday's hours.
    """
    if not working_day:
        return False
    clock_time = at.time().replace(tzinfo=None)
    return any(start <= clock_time < end for start, end in opening_periods(opening_hours, at.date()))


def validate_opening_hours(opening_hours) -> list[str]:
    """Problems with an opening-hours table (empty when it is well formed)."""
    problems = []
    if not isinstance(opening_hours, dict):
        return ["opening hours must map weekdays 1-7 to lists of [start, end] periods"]
    for day, periods in opening_hours.items():
        if day not in {str(n) for n in range(1, 8)}:
            problems.append(f"unknown weekday {day!r} (1 = Monday … 7 = Sunday)")
            continue
        for period in periods if isinstance(periods, list) else [None]:
            try:
                start, end = (dt.time.fromisoformat(p) for p in period)
            except (TypeError, ValueError):
                problems.append(f"weekday {day}: {period!r} is not a [\"HH:MM\", \"HH:MM\"] period")
                continue
            if start >= end:
                problems.append(f"weekday {day}: {period[0]}–{period[1]} ends before it starts")
    return problems


def day_slots(opening_hours: dict, day: dt.date, *, slot_minutes: int, working_day: bool) -> list[tuple[dt.time, dt.time]]:
    """Appointment slots of a day: each opening period cut into `slot_minutes` pieces (none on a
    non-working day; a last piece shorter than a slot is not offered)."""
    if not working_day or slot_minutes <= 0:
        return []
    slots = []
    for start, end in opening_periods(opening_hours, day):
        cursor = dt.datetime.combine(day, start)
        closing = dt.datetime.combine(day, end)
        while cursor + dt.timedelta(minutes=slot_minutes) <= closing:
            slots.append((cursor.time(), (cursor + dt.timedelta(minutes=slot_minutes)).time()))
            cursor += dt.timedelta(minutes=slot_minutes)
    return slots


def booking_days(today: dt.date, calendar, *, first: int = 1, last: int = 5) -> list[dt.date]:
    """The days one may book: from the `first` to the `last` working day after today."""
    return [calendar.add_working_days(today, n).due for n in range(first, last + 1)]


def may_still_change(slot_start: dt.datetime, now: dt.datetime, *, hours: float = 2) -> bool:
    """An appointment may be cancelled or moved until `hours` before its slot."""
    return now <= slot_start - dt.timedelta(hours=hours)


def check_in_open(slot_start: dt.datetime, now: dt.datetime, *, early_minutes: int, grace_minutes: int) -> bool:
    """Check-in at the hall is open from `early_minutes` before the slot to `grace_minutes` after its start."""
    return slot_start - dt.timedelta(minutes=early_minutes) <= now <= slot_start + dt.timedelta(minutes=grace_minutes)


def suspension_due(*, no_shows: int, cancellations: int, max_no_shows: int, max_cancellations: int) -> bool:
    """Whether a person's month of no-shows (爽约) and cancellations suspends their online booking."""
    return no_shows >= max_no_shows or cancellations >= max_cancellations


_TRACKING_NUMBER = re.compile(r"[A-Za-z0-9]{8,30}")


def valid_tracking_number(text: str) -> bool:
    """A carrier's tracking number as the post and couriers print them: 8 to 30 ASCII letters or digits."""
    return bool(_TRACKING_NUMBER.fullmatch(text or ""))
