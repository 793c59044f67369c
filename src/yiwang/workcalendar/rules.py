"""Chinese working-day arithmetic for legal time limits (pure: no Django).

A day is a *working day* unless it is a weekend or a statutory holiday, and a weekend day is a
working day when the State Council's arrangement makes it a make-up working day (调休上班).

Where the answer comes from, for one calendar year:

1. a published schedule for that year (entered by an administrator) — it wins over the package;
2. else the `chinesecalendar` package, for the years it covers (2004–2026 in version 1.11);
3. else nobody knows yet: Monday–Friday count as working days, weekends as days off, and every
   result that looked at such a day is **provisional** (to be recomputed once the year's
   schedule is published).

Counting follows the Administrative Licensing Law and the Civil Code (民法典第二百零一条): the
day a period starts is not counted, so working day 1 is the first working day *after* the start.
For limits in calendar days, when the last day falls on a day off the period ends on the first
working day after it (民法典第二百零三条：期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日;
行政许可法第八十二条 counts its limits in working days and 民事诉讼法第八十五条 says the same for
calendar-day periods).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Mapping

WORKING_DAY = "working_day"
CALENDAR_DAY = "calendar_day"
UNITS = (WORKING_DAY, CALENDAR_DAY)

GREEN = "green"
YELLOW = "yellow"
RED = "red"

# A lookup answers "is this a working day?" for the years it covers and None for the others.
PackageLookup = Callable[[dt.date], "bool | None"]

_ONE_DAY = dt.timedelta(days=1)


class CalendarError(ValueError):
    """Bad input to the arithmetic (negative count, unknown unit, date out of range)."""


@dataclass(frozen=True)
class DueDate:
    """The last day of a time limit; `provisional` when it relied on a year without a schedule."""

    due: dt.date
    provisional: bool


@lru_cache(maxsize=None)
def _package_covers(year: int) -> bool:
    import chinese_calendar

    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def package_is_workday(day: dt.date) -> bool | None:
    """The `chinesecalendar` package's answer, or None for a year the package does not cover."""
    if not _package_covers(day.year):
        return None
    import chinese_calendar

    return chinese_calendar.is_workday(day)


def _weekday_rule(day: dt.date) -> bool:
    return day.weekday() < 5


class WorkCalendar:
    """Working days from the package plus explicit per-year schedules.

    `schedules` maps a year to ``{date: is_workday}`` for its special days (holidays -> False,
    make-up working days -> True); other days of a scheduled year follow Monday–Friday. A
    scheduled year overrides the package for that whole year.
    """

    def __init__(
        self,
        package: PackageLookup | None = package_is_workday,
        schedules: Mapping[int, Mapping[dt.date, bool]] | None = None,
    ):
        self._package = package
        self._schedules = {year: dict(days) for year, days in (schedules or {}).items()}

    def is_known_year(self, year: int) -> bool:
        """True when a schedule or the package says which days of `year` are working days."""
        if year in self._schedules:
            return True
        return self._package is not None and self._package(dt.date(year, 1, 1)) is not None

    def is_workday(self, day: dt.date) -> tuple[bool, bool]:
        """(is it a working day, is that known) — unknown years fall back to Monday–Friday."""
        scheduled = self._schedules.get(day.year)
        if scheduled is not None:
            return scheduled.get(day, _weekday_rule(day)), True
        if self._package is not None:
            answer = self._package(day)
            if answer is not None:
                return answer, True
        return _weekday_rule(day), False

    def add_working_days(self, start: dt.date, n: int) -> DueDate:
        """The n-th working day after `start`; n=0 is `start` itself (decided on the spot)."""
        _check_count(n)
        day, counted, provisional = start, 0, False
        while counted < n:
            day = _next_day(day)
            workday, known = self.is_workday(day)
            provisional = provisional or not known
            if workday:
                counted += 1
        return DueDate(day, provisional)

    def add_calendar_days(self, start: dt.date, n: int) -> DueDate:
        """`start` + n days, moved to the next working day when that day is a day off.

        期间届满的最后一日是法定节假日的，以节假日后的第一日为期间届满的日期: a period in
        calendar days whose last day is a day off ends on the first working day after it.
        Provisional only when one of the days looked at for that move lies in an unknown year.
        n=0 is `start` itself, unmoved (decided on the spot).
        """
        _check_count(n)
        if n == 0:
            return DueDate(start, False)
        try:
            day = start + dt.timedelta(days=n)
        except OverflowError:
            raise CalendarError(f"{start} + {n} days is beyond the calendar") from None
        provisional = False
        while True:
            workday, known = self.is_workday(day)
            provisional = provisional or not known
            if workday:
                return DueDate(day, provisional)
            day = _next_day(day)

    def working_days_between(self, after: dt.date, until: dt.date) -> tuple[int, bool]:
        """Working days d with after < d <= until, and whether any day looked at was unknown."""
        count, provisional, day = 0, False, after
        while day < until:
            day = _next_day(day)
            workday, known = self.is_workday(day)
            provisional = provisional or not known
            if workday:
                count += 1
        return count, provisional

    def deadline(
        self,
        start: dt.date,
        value: int,
        unit: str,
        paused_working_days: int = 0,
        paused_calendar_days: int = 0,
    ) -> DueDate:
        """The due date of a limit of `value` `unit`s from `start`, extended by the paused days.

        Time paused (e.g. while the applicant supplements materials) does not count, so a
        working-day limit is extended by the paused working days and a calendar-day limit by
        the paused calendar days.
        """
        _check_count(paused_working_days)
        _check_count(paused_calendar_days)
        if unit == WORKING_DAY:
            return self.add_working_days(start, value + paused_working_days)
        if unit == CALENDAR_DAY:
            return self.add_calendar_days(start, value + paused_calendar_days)
        raise CalendarError(f"unknown unit {unit!r}; expected one of {UNITS}")


def deadline(
    start: dt.date,
    value: int,
    unit: str,
    paused_working_days: int = 0,
    paused_calendar_days: int = 0,
    *,
    calendar: WorkCalendar | None = None,
) -> DueDate:
    """`WorkCalendar.deadline` on `calendar` (default: the package alone, no schedules)."""
    return (calendar or WorkCalendar()).deadline(start, value, unit, paused_working_days, paused_calendar_days)


def warning_level(today: dt.date, due: dt.date, warn_working_days: int, calendar: WorkCalendar) -> str:
    """"red" when overdue, "yellow" when at most `warn_working_days` working days remain, else "green".

    Remaining working days are those d with today < d <= due, so on the due day itself 0 remain.
    """
    if today > due:
        return RED
    remaining, _ = calendar.working_days_between(today, due)
    return YELLOW if remaining <= warn_working_days else GREEN


def _check_count(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise CalendarError(f"a day count must be a non-negative integer, got {n!r}")


def _next_day(day: dt.date) -> dt.date:
    try:
        return day + _ONE_DAY
    except OverflowError:
        raise CalendarError("the count runs beyond the last representable date") from None


# --- reading a schedule written as text ---------------------------------------------------

HOLIDAY_WORDS = frozenset({"放假", "休", "holiday", "off"})
WORKDAY_WORDS = frozenset({"上班", "班", "调休上班", "workday", "work"})
_LINE = re.compile(
    r"^(?P<first>\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:~|至|到|--)\s*(?P<last>\d{4}-\d{1,2}-\d{1,2}))?"
    r"\s+(?P<kind>\S+)(?:\s+(?P<name>.+?))?\s*$"
)


class ScheduleLineError(ValueError):
    """One line of a schedule text that cannot be read (1-based line number)."""

    def __init__(self, line_number: int, line: str):
        super().__init__(f"line {line_number}: {line!r}")
        self.line_number = line_number
        self.line = line


def parse_schedule_text(text: str) -> tuple[list[tuple[dt.date, str]], list[tuple[dt.date, str]]]:
    """Read ``(holidays, makeup_workdays)`` from lines such as::

        2027-01-01 放假 元旦
        2027-02-06~2027-02-12 放假 春节
        2027-02-14 上班 春节

    Kinds: 放假/休/holiday/off and 上班/班/调休上班/workday/work. Blank lines and lines starting
    with ``#`` are ignored. Raises ScheduleLineError on the first line that cannot be read.
    """
    holidays: list[tuple[dt.date, str]] = []
    workdays: list[tuple[dt.date, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            raise ScheduleLineError(number, raw)
        kind = match["kind"].lower()
        if kind in HOLIDAY_WORDS:
            target = holidays
        elif kind in WORKDAY_WORDS:
            target = workdays
        else:
            raise ScheduleLineError(number, raw)
        try:
            first = dt.date.fromisoformat(_iso(match["first"]))
            last = dt.date.fromisoformat(_iso(match["last"])) if match["last"] else first
        except ValueError:
            raise ScheduleLineError(number, raw) from None
        if last < first or (last - first).days > 366:
            raise ScheduleLineError(number, raw)
        name = (match["name"] or "").strip()
        target.extend((day, name) for day in _days(first, last))
    return holidays, workdays


def _iso(text: str) -> str:
    year, month, day = text.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = first
    while day <= last:
        yield day
        day += _ONE_DAY
