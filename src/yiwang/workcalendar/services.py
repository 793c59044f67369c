"""Writes: publishing, replacing and withdrawing a year's holiday schedule.

Recompute job
-------------
Deadlines computed while a year had no schedule are provisional. Whoever stores such deadlines
registers a background job kind here; every change of a schedule (publish, replace, withdraw)
records one job of each kind in the same transaction, and the worker runs it (with no payload)::

    # yiwang/applications/apps.py
    def ready(self):
        from yiwang.workcalendar.services import register_schedule_job
        register_schedule_job("applications.recompute_open_deadlines")

The workcalendar app imports no other domain app (only the jobs ground): the dependency points
from the storer to here. A failing job is retried by the worker and never undoes the schedule;
it must be safe to run again.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Sequence

from django.db import transaction

from yiwang.core.errors import NotFound, ValidationFailed
from yiwang.jobs.services import enqueue_job
from yiwang.workcalendar import rules
from yiwang.workcalendar.models import HolidaySchedule, ScheduleDay

logger = logging.getLogger(__name__)

MIN_YEAR = 2000
MAX_YEAR = 2100
_NAME_MAX = ScheduleDay._meta.get_field("name").max_length
_SOURCE_MAX = HolidaySchedule._meta.get_field("source").max_length

# Background job kinds recorded after every schedule change (see module docstring).
schedule_change_jobs: list[str] = []


def register_schedule_job(kind: str) -> None:
    """Record a job of `kind` with every schedule change (once per kind, however often `ready()` runs)."""
    if kind not in schedule_change_jobs:
        schedule_change_jobs.append(kind)


def check_schedule(
    *,
    year: int,
    holidays: Sequence[tuple[dt.date, str]],
    makeup_workdays: Sequence[tuple[dt.date, str]],
    source: str = "",
) -> None:
    """Raise ValidationFailed unless the days make a sensible schedule for `year`.

    Rules: the year is within 2000–2100; at least one holiday; every date lies in `year`; no
    date twice; no date both a holiday and a make-up working day; a make-up working day is a
    Saturday or Sunday (a weekday is a working day already). A holiday may fall on a weekend:
    the State Council's notices list the whole break, weekends included.
    """
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(
            "invalid_year",
            f"年份应在{MIN_YEAR}年至{MAX_YEAR}年之间。",
            f"The year must be between {MIN_YEAR} and {MAX_YEAR}.",
        )
    if not holidays:
        raise ValidationFailed(
            "no_holidays",
            "节假日安排至少应包含一个放假日期。",
            "A holiday schedule needs at least one holiday.",
        )
    if len(source) > _SOURCE_MAX:
        raise ValidationFailed(
            "source_too_long",
            f"依据（通知文号）不能超过{_SOURCE_MAX}个字。",
            f"The source may have at most {_SOURCE_MAX} characters.",
        )
    seen: dict[dt.date, str] = {}
    for kind, days in ((ScheduleDay.HOLIDAY, holidays), (ScheduleDay.WORKDAY, makeup_workdays)):
        for day, name in days:
            if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
                raise ValidationFailed("invalid_date", "日期格式不正确。", "A date is not valid.", details={"date": str(day)})
            iso = day.isoformat()
            if day.year != year:
                raise ValidationFailed(
                    "date_outside_year",
                    f"{iso}不在{year}年内。",
                    f"{iso} is not in {year}.",
                    details={"date": iso},
                )
            if len(name or "") > _NAME_MAX:
                raise ValidationFailed(
                    "name_too_long",
                    f"{iso}的节日名称不能超过{_NAME_MAX}个字。",
                    f"The holiday name of {iso} may have at most {_NAME_MAX} characters.",
                    details={"date": iso},
                )
            if day in seen:
                if seen[day] == kind:
                    raise ValidationFailed(
                        "duplicate_date",
                        f"{iso}重复填写。",
                        f"{iso} is listed twice.",
                        details={"date": iso},
                    )
                raise ValidationFailed(
                    "date_both_holiday_and_workday",
                    f"{iso}不能既是放假日又是调休上班日。",
                    f"{iso} cannot be both a holiday and a make-up working day.",
                    details={"date": iso},
                )
            seen[day] = kind
            if kind == ScheduleDay.WORKDAY and day.weekday() < 5:
                raise ValidationFailed(
                    "makeup_workday_not_weekend",
                    f"{iso}是周一至周五，本来就是工作日，不能设为调休上班日；调休上班日应为周六或周日。",
                    f"{iso} is a weekday and already a working day; "
                    "a make-up working day must be a Saturday or Sunday.",
                    details={"date": iso},
                )


@transaction.atomic
def publish_schedule(
    *,
    year: int,
    holidays: Sequence[tuple[dt.date, str]],
    makeup_workdays: Sequence[tuple[dt.date, str]],
    source: str = "",
    published: bool = True,
) -> HolidaySchedule:
    """Store `year`'s schedule (replacing any earlier one) and, after commit, fire the hooks.

    `holidays` are days off, `makeup_workdays` weekend days worked, each as (date, festival
    name). A published schedule overrides the `chinesecalendar` package for its year;
    `published=False` keeps it as a draft that no deadline uses. Raises ValidationFailed (see
    `check_schedule`) with nothing stored.
    """
    source = (source or "").strip()
    check_schedule(year=year, holidays=holidays, makeup_workdays=makeup_workdays, source=source)
    schedule = HolidaySchedule.objects.select_for_update().filter(year=year).first()
    if schedule is None:
        schedule = HolidaySchedule(year=year)
    schedule.source = source
    schedule.published = published
    schedule.save()  # also refreshes updated_at, which the calendar cache watches
    schedule.days.all().delete()
    rows = [(day, name, ScheduleDay.HOLIDAY) for day, name in holidays]
    rows += [(day, name, ScheduleDay.WORKDAY) for day, name in makeup_workdays]
    ScheduleDay.objects.bulk_create(
        [ScheduleDay(schedule=schedule, date=day, kind=kind, name=(name or "").strip()) for day, name, kind in rows]
    )
    logger.info("holiday schedule %s saved (published=%s, %d days)", year, published, len(rows))
    _record_schedule_jobs()
    return schedule


def import_schedule_text(*, year: int, text: str, source: str = "", published: bool = True) -> HolidaySchedule:
    """Publish a schedule written one line per date or range (see `rules.parse_schedule_text`)."""
    try:
        holidays, workdays = rules.parse_schedule_text(text)
    except rules.ScheduleLineError as exc:
        raise ValidationFailed(
            "unreadable_schedule_line",
            f"第{exc.line_number}行无法识别，应为“2027-01-01 放假 元旦”或“2027-02-06~2027-02-12 放假 春节”或“2027-02-14 上班 春节”。",
            f"Line {exc.line_number} cannot be read; write e.g. '2027-01-01 holiday New Year', "
            "'2027-02-06~2027-02-12 holiday Spring Festival' or '2027-02-14 workday Spring Festival'.",
            details={"line": exc.line_number},
        ) from None
    return publish_schedule(year=year, holidays=holidays, makeup_workdays=workdays, source=source, published=published)


@transaction.atomic
def withdraw_schedule(*, year: int) -> None:
    """Delete `year`'s schedule (its days fall back to the package or Monday–Friday) and fire the hooks."""
    deleted, _ = HolidaySchedule.objects.filter(year=year).delete()
    if not deleted:
        raise NotFound("schedule_not_found", f"没有{year}年的节假日安排。", f"There is no holiday schedule for {year}.")
    logger.info("holiday schedule %s withdrawn", year)
    _record_schedule_jobs()


def _record_schedule_jobs() -> None:
    for kind in schedule_change_jobs:
        enqueue_job(kind=kind)
