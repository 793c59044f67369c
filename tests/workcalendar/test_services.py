"""Publishing schedules, the calendar in force, and the recompute jobs (real database)."""

from __future__ import annotations

import datetime as dt

import pytest

from yiwang.core.errors import NotFound, ValidationFailed
from yiwang.jobs.models import Job
from yiwang.jobs.registry import handler
from yiwang.workcalendar import selectors, services
from yiwang.workcalendar.models import HolidaySchedule, ScheduleDay
from yiwang.workcalendar.rules import DueDate

D = dt.date
pytestmark = pytest.mark.django_db


RECOMPUTE = "applications.recompute_open_deadlines"


def recorded_jobs() -> list[str]:
    return list(Job.objects.order_by("id").values_list("kind", flat=True))


@handler("tests.workcalendar.broken_recompute", max_attempts=2)
def broken_recompute():
    raise RuntimeError("recompute failed")


def publish_2027(**overrides):
    arguments = {
        "year": 2027,
        "holidays": [(D(2027, 1, 1), "元旦")],
        "makeup_workdays": [],
        "source": "国办发明电〔2026〕X号",
    }
    arguments.update(overrides)
    return services.publish_schedule(**arguments)


def test_without_a_2027_schedule_deadlines_into_2027_are_provisional():
    # Worked by hand in test_rules: Dec 10 + 20 working days = Thu Jan 7 2027, Jan 1 counted.
    assert selectors.compute_deadline(start=D(2026, 12, 10), value=20, unit="working_day") == DueDate(D(2027, 1, 7), True)


def test_publishing_2027_makes_the_deadline_final_and_moves_it():
    before = selectors.compute_deadline(start=D(2026, 12, 10), value=20, unit="working_day")
    schedule = publish_2027()
    assert before == DueDate(D(2027, 1, 7), True)
    # Jan 1 off now: Jan 4–8 are working days 16–20.
    assert selectors.compute_deadline(start=D(2026, 12, 10), value=20, unit="working_day") == DueDate(D(2027, 1, 8), False)
    assert recorded_jobs() == [RECOMPUTE]
    assert schedule.year == 2027 and schedule.published is True and schedule.source == "国办发明电〔2026〕X号"
    assert list(schedule.days.values_list("date", "kind", "name")) == [(D(2027, 1, 1), "holiday", "元旦")]


def test_compute_deadline_with_pauses_and_calendar_days():
    assert selectors.compute_deadline(
        start=D(2026, 9, 28), value=10, unit="working_day", paused_working_days=3
    ) == DueDate(D(2026, 10, 21), False)
    assert selectors.compute_deadline(
        start=D(2026, 9, 21), value=10, unit="calendar_day", paused_calendar_days=20
    ) == DueDate(D(2026, 10, 21), False)


def test_count_working_days():
    assert selectors.count_working_days(after=D(2026, 9, 30), until=D(2026, 10, 10)) == (3, False)
    assert selectors.count_working_days(after=D(2026, 12, 30), until=D(2027, 1, 5)) == (4, True)
    publish_2027()
    assert selectors.count_working_days(after=D(2026, 12, 30), until=D(2027, 1, 5)) == (3, False)


def test_replacing_a_schedule_keeps_one_row_per_year():
    publish_2027()
    publish_2027(
        holidays=[(D(2027, 1, 1), "元旦"), (D(2027, 1, 4), "元旦")],
        makeup_workdays=[(D(2027, 1, 9), "元旦")],
        source="更正",
    )
    assert HolidaySchedule.objects.count() == 1
    assert list(ScheduleDay.objects.values_list("date", "kind")) == [
        (D(2027, 1, 1), "holiday"),
        (D(2027, 1, 4), "holiday"),
        (D(2027, 1, 9), "workday"),
    ]
    calendar = selectors.current_calendar()
    assert calendar.is_workday(D(2027, 1, 4)) == (False, True)  # Monday, now off
    assert calendar.is_workday(D(2027, 1, 9)) == (True, True)  # Saturday, now worked


def test_a_published_schedule_overrides_the_package_for_its_year():
    services.publish_schedule(year=2026, holidays=[(D(2026, 10, 8), "测试")], makeup_workdays=[])
    calendar = selectors.current_calendar()
    assert calendar.is_workday(D(2026, 10, 8)) == (False, True)
    assert calendar.is_workday(D(2026, 10, 1)) == (True, True)  # not in this schedule


def test_a_draft_schedule_is_not_used():
    publish_2027(published=False)
    assert selectors.compute_deadline(start=D(2026, 12, 10), value=20, unit="working_day") == DueDate(D(2027, 1, 7), True)


def test_the_calendar_sees_changes_made_by_another_process():
    # Another gunicorn worker writes straight to the database: this process's cached calendar
    # must notice, because the cache watches the database rather than an in-process counter.
    assert selectors.current_calendar().is_workday(D(2027, 1, 1)) == (True, False)
    schedule = HolidaySchedule.objects.create(year=2027)
    ScheduleDay.objects.create(schedule=schedule, date=D(2027, 1, 1), kind=ScheduleDay.HOLIDAY)
    assert selectors.current_calendar().is_workday(D(2027, 1, 1)) == (False, True)
    ScheduleDay.objects.filter(schedule=schedule).delete()
    assert selectors.current_calendar().is_workday(D(2027, 1, 1)) == (True, True)
    schedule.delete()
    assert selectors.current_calendar().is_workday(D(2027, 1, 1)) == (True, False)


def test_a_cached_calendar_costs_one_query(django_assert_num_queries):
    first = selectors.current_calendar()
    with django_assert_num_queries(1):
        assert selectors.current_calendar() is first


def test_deadline_warning_uses_the_configured_number_of_days(settings):
    settings.DEADLINE_WARNING_WORKING_DAYS = 3
    # Sep 30 -> Oct 12: working days Oct 8, 9, 10, 12.
    assert selectors.deadline_warning(due=D(2026, 10, 12), today=D(2026, 9, 30)) == "green"
    assert selectors.deadline_warning(due=D(2026, 10, 10), today=D(2026, 9, 30)) == "yellow"
    assert selectors.deadline_warning(due=D(2026, 9, 29), today=D(2026, 9, 30)) == "red"
    settings.DEADLINE_WARNING_WORKING_DAYS = 4
    assert selectors.deadline_warning(due=D(2026, 10, 12), today=D(2026, 9, 30)) == "yellow"
    calendar = selectors.current_calendar()
    assert selectors.deadline_warning(due=D(2026, 10, 12), today=D(2026, 9, 30), calendar=calendar) == "yellow"


@pytest.mark.parametrize(
    "overrides,code",
    [
        ({"year": 1999}, "invalid_year"),
        ({"holidays": []}, "no_holidays"),
        ({"holidays": [(D(2026, 12, 31), "")]}, "date_outside_year"),
        ({"makeup_workdays": [(D(2028, 1, 8), "")]}, "date_outside_year"),
        ({"holidays": [(D(2027, 1, 1), ""), (D(2027, 1, 1), "元旦")]}, "duplicate_date"),
        ({"makeup_workdays": [(D(2027, 1, 1), "")]}, "date_both_holiday_and_workday"),
        # Mon Jan 4 2027 is a working day already.
        ({"makeup_workdays": [(D(2027, 1, 4), "元旦")]}, "makeup_workday_not_weekend"),
        ({"holidays": [(D(2027, 1, 1), "节" * 41)]}, "name_too_long"),
        ({"holidays": [("2027-01-01", "")]}, "invalid_date"),
        ({"source": "号" * 201}, "source_too_long"),
    ],
)
def test_invalid_schedules_are_refused_and_nothing_changes(overrides, code):
    with pytest.raises(ValidationFailed) as caught:
        publish_2027(**overrides)
    assert caught.value.code == code
    assert caught.value.message and caught.value.message_en
    assert HolidaySchedule.objects.count() == 0
    assert ScheduleDay.objects.count() == 0
    assert recorded_jobs() == []


def test_makeup_workday_error_says_why():
    with pytest.raises(ValidationFailed) as caught:
        publish_2027(makeup_workdays=[(D(2027, 1, 4), "元旦")])
    assert caught.value.message == "2027-01-04是周一至周五，本来就是工作日，不能设为调休上班日；调休上班日应为周六或周日。"
    assert caught.value.message_en == (
        "2027-01-04 is a weekday and already a working day; a make-up working day must be a Saturday or Sunday."
    )
    assert caught.value.details == {"date": "2027-01-04"}


def test_a_refused_replacement_keeps_the_old_schedule():
    publish_2027()
    with pytest.raises(ValidationFailed):
        publish_2027(holidays=[(D(2027, 5, 1), "")], makeup_workdays=[(D(2027, 5, 3), "")])
    assert list(ScheduleDay.objects.values_list("date", "kind")) == [(D(2027, 1, 1), "holiday")]


def test_withdrawing_a_schedule_makes_the_year_unknown_again():
    publish_2027()
    services.withdraw_schedule(year=2027)
    assert HolidaySchedule.objects.count() == 0 and ScheduleDay.objects.count() == 0
    assert selectors.compute_deadline(start=D(2026, 12, 10), value=20, unit="working_day") == DueDate(D(2027, 1, 7), True)
    assert recorded_jobs() == [RECOMPUTE, RECOMPUTE]


def test_withdrawing_a_missing_schedule_is_not_found():
    with pytest.raises(NotFound) as caught:
        services.withdraw_schedule(year=2030)
    assert caught.value.code == "schedule_not_found"
    assert recorded_jobs() == []


def test_a_failing_job_does_not_stop_the_others_nor_undo_the_schedule(background):
    services.register_schedule_job("tests.workcalendar.broken_recompute")
    try:
        publish_2027()
    finally:
        services.schedule_change_jobs.remove("tests.workcalendar.broken_recompute")
    assert background.run() == {RECOMPUTE: ["done"], "tests.workcalendar.broken_recompute": ["retry"]}
    assert dict(Job.objects.values_list("kind", "state")) == {RECOMPUTE: "done", "tests.workcalendar.broken_recompute": "retry"}
    assert HolidaySchedule.objects.filter(year=2027).count() == 1


def test_registering_a_job_twice_keeps_one_entry():
    services.register_schedule_job(RECOMPUTE)
    assert services.schedule_change_jobs.count(RECOMPUTE) == 1



def test_import_schedule_text():
    schedule = services.import_schedule_text(
        year=2027,
        text="2027-01-01 放假 元旦\n2027-02-06~2027-02-12 放假 春节\n2027-02-14 上班 春节\n",
        source="示例",
    )
    assert schedule.days.filter(kind="holiday").count() == 8
    assert list(schedule.days.filter(kind="workday").values_list("date", flat=True)) == [D(2027, 2, 14)]
    # Thu Feb 4 2027 + 3 working days: Fri Feb 5 (1), Feb 6–12 off, Sun Feb 14 make-up (2), Mon Feb 15 (3).
    assert selectors.compute_deadline(start=D(2027, 2, 4), value=3, unit="working_day") == DueDate(D(2027, 2, 15), False)


def test_import_schedule_text_names_the_unreadable_line():
    with pytest.raises(ValidationFailed) as caught:
        services.import_schedule_text(year=2027, text="2027-01-01 放假 元旦\n2027-02-30 放假 春节")
    assert caught.value.code == "unreadable_schedule_line"
    assert caught.value.details == {"line": 2}
    assert HolidaySchedule.objects.count() == 0
