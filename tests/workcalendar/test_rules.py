"""Pure tests of the working-day arithmetic (no database).

Weekdays used below, for checking by hand: 2026-01-01 is a Thursday, so 2026-02-14 is a
Saturday, 2026-09-25 a Friday, 2026-10-01 a Thursday, 2026-12-10 a Thursday, 2026-12-31 a
Thursday and 2027-01-01 a Friday.

The 2026 arrangements, as in the chinesecalendar package (asserted in the first tests):
- Spring Festival: Feb 15–23 off, make-up working days Sat Feb 14 and Sat Feb 28;
- Mid-Autumn: Fri Sep 25 off;
- National Day: Oct 1–7 off, make-up working days Sun Sep 20 and Sat Oct 10.
"""

from __future__ import annotations

import datetime as dt

import pytest

from yiwang.workcalendar.rules import (
    CALENDAR_DAY,
    WORKING_DAY,
    CalendarError,
    DueDate,
    ScheduleLineError,
    WorkCalendar,
    deadline,
    package_is_workday,
    parse_schedule_text,
    warning_level,
)

D = dt.date
NEW_YEAR_2027 = {2027: {D(2027, 1, 1): False}}


@pytest.fixture
def cal():
    return WorkCalendar()


# --- what the package says ----------------------------------------------------------------


def test_package_spring_festival_2026(cal):
    assert cal.is_workday(D(2026, 2, 13)) == (True, True)  # Friday
    assert cal.is_workday(D(2026, 2, 14)) == (True, True)  # Saturday, make-up working day
    for day in range(15, 24):  # Feb 15 (Sun) .. Feb 23 (Mon)
        assert cal.is_workday(D(2026, 2, day)) == (False, True), day
    assert cal.is_workday(D(2026, 2, 24)) == (True, True)
    assert cal.is_workday(D(2026, 2, 28)) == (True, True)  # Saturday, make-up working day
    assert cal.is_workday(D(2026, 3, 1)) == (False, True)  # ordinary Sunday


def test_package_national_day_and_mid_autumn_2026(cal):
    assert cal.is_workday(D(2026, 9, 20)) == (True, True)  # Sunday, make-up working day
    assert cal.is_workday(D(2026, 9, 25)) == (False, True)  # Friday, Mid-Autumn Festival
    for day in range(1, 8):
        assert cal.is_workday(D(2026, 10, day)) == (False, True), day
    assert cal.is_workday(D(2026, 10, 8)) == (True, True)
    assert cal.is_workday(D(2026, 10, 10)) == (True, True)  # Saturday, make-up working day
    assert cal.is_workday(D(2026, 10, 11)) == (False, True)


def test_years_outside_the_package_fall_back_to_monday_to_friday(cal):
    assert package_is_workday(D(2027, 1, 1)) is None
    assert package_is_workday(D(2003, 10, 1)) is None
    assert cal.is_workday(D(2027, 1, 1)) == (True, False)  # Friday, unknown
    assert cal.is_workday(D(2027, 1, 2)) == (False, False)  # Saturday, unknown
    assert cal.is_workday(D(2003, 10, 1)) == (True, False)  # Wednesday before 2004
    assert cal.is_known_year(2026) is True
    assert cal.is_known_year(2027) is False


def test_a_schedule_overrides_the_package_for_its_whole_year():
    cal = WorkCalendar(schedules={2026: {D(2026, 10, 8): False}})
    assert cal.is_workday(D(2026, 10, 8)) == (False, True)
    # Not listed in the schedule, so an ordinary Friday again: the package no longer counts.
    assert cal.is_workday(D(2026, 9, 25)) == (True, True)
    assert cal.is_workday(D(2026, 10, 10)) == (False, True)  # Saturday


def test_without_package_every_year_is_unknown():
    cal = WorkCalendar(package=None)
    assert cal.is_workday(D(2026, 10, 1)) == (True, False)
    assert cal.is_known_year(2026) is False


# --- working days ---------------------------------------------------------------------------


def test_zero_working_days_is_the_start_itself(cal):
    assert cal.add_working_days(D(2026, 10, 3), 0) == DueDate(D(2026, 10, 3), False)
    assert cal.add_working_days(D(2027, 3, 1), 0) == DueDate(D(2027, 3, 1), False)


def test_working_days_across_spring_festival_2026(cal):
    # Start Thu Feb 12: Fri 13 (1), Sat 14 make-up (2), 15–23 off, Tue 24 (3).
    assert cal.add_working_days(D(2026, 2, 12), 1) == DueDate(D(2026, 2, 13), False)
    assert cal.add_working_days(D(2026, 2, 12), 2) == DueDate(D(2026, 2, 14), False)
    assert cal.add_working_days(D(2026, 2, 12), 3) == DueDate(D(2026, 2, 24), False)
    # Start Fri Feb 13: Sat 14 (1), Feb 24–27 (2–5), Sat 28 make-up (6), Sun Mar 1 off, Mon Mar 2 (7).
    assert cal.add_working_days(D(2026, 2, 13), 5) == DueDate(D(2026, 2, 27), False)
    assert cal.add_working_days(D(2026, 2, 13), 6) == DueDate(D(2026, 2, 28), False)
    assert cal.add_working_days(D(2026, 2, 13), 7) == DueDate(D(2026, 3, 2), False)


def test_working_days_across_national_day_2026(cal):
    # Start Mon Sep 28: Sep 29 (1), Sep 30 (2), Oct 1–7 off, Oct 8 (3), Oct 9 (4),
    # Sat Oct 10 make-up (5), Sun 11 off, Oct 12–16 (6–10).
    assert cal.add_working_days(D(2026, 9, 28), 10) == DueDate(D(2026, 10, 16), False)
    # Start Fri Sep 18: Sun Sep 20 make-up (1), Sep 21–24 (2–5), Fri 25 Mid-Autumn off,
    # Sep 28–30 (6–8), Oct 8 (9).
    assert cal.add_working_days(D(2026, 9, 18), 9) == DueDate(D(2026, 10, 8), False)


def test_case_accepted_today_with_20_working_days_stays_in_2026(cal):
    # Thu Nov 26: Nov 27 (1), Nov 30–Dec 4 (2–6), Dec 7–11 (7–11), Dec 14–18 (12–16),
    # Dec 21–24 (17–20).
    assert cal.add_working_days(D(2026, 11, 26), 20) == DueDate(D(2026, 12, 24), False)


def test_deadline_into_2027_is_provisional_until_2027_is_published():
    # Thu Dec 10: Dec 11 (1), Dec 14–18 (2–6), Dec 21–25 (7–11), Dec 28–31 (12–15), then 2027:
    # unknown, so Fri Jan 1 counts (16), Jan 4–7 (17–20).
    assert WorkCalendar().add_working_days(D(2026, 12, 10), 20) == DueDate(D(2027, 1, 7), True)
    # Published 2027 with Jan 1 off: Jan 4–8 are 16–20.
    published = WorkCalendar(schedules=NEW_YEAR_2027)
    assert published.add_working_days(D(2026, 12, 10), 20) == DueDate(D(2027, 1, 8), False)


def test_only_days_looked_at_make_a_result_provisional(cal):
    assert cal.add_working_days(D(2026, 12, 30), 1) == DueDate(D(2026, 12, 31), False)
    assert cal.add_working_days(D(2026, 12, 31), 1) == DueDate(D(2027, 1, 1), True)


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True, None])
def test_bad_counts_are_refused(cal, bad):
    with pytest.raises(CalendarError):
        cal.add_working_days(D(2026, 1, 5), bad)
    with pytest.raises(CalendarError):
        cal.add_calendar_days(D(2026, 1, 5), bad)


def test_running_off_the_end_of_the_calendar_is_a_calendar_error(cal):
    with pytest.raises(CalendarError):
        cal.add_working_days(D(9999, 12, 30), 5)
    with pytest.raises(CalendarError):
        cal.add_calendar_days(D(9999, 12, 30), 5)


# --- calendar days -------------------------------------------------------------------------


def test_calendar_days_landing_on_a_working_day_stay(cal):
    assert cal.add_calendar_days(D(2026, 12, 1), 30) == DueDate(D(2026, 12, 31), False)
    # Sat Feb 14 2026 is a make-up working day, so a period may end on it.
    assert cal.add_calendar_days(D(2026, 2, 9), 5) == DueDate(D(2026, 2, 14), False)


def test_calendar_days_ending_on_a_holiday_move_to_the_next_working_day(cal):
    # Sep 21 + 10 = Thu Oct 1 (holiday); Oct 2–7 off too, so Thu Oct 8.
    assert cal.add_calendar_days(D(2026, 9, 21), 10) == DueDate(D(2026, 10, 8), False)
    # Sep 20 + 5 = Fri Sep 25 (Mid-Autumn), Sat 26 and Sun 27 off, so Mon Sep 28.
    assert cal.add_calendar_days(D(2026, 9, 20), 5) == DueDate(D(2026, 9, 28), False)
    # Feb 10 + 5 = Sun Feb 15 (Spring Festival) .. Mon Feb 23 off, so Tue Feb 24.
    assert cal.add_calendar_days(D(2026, 2, 10), 5) == DueDate(D(2026, 2, 24), False)


def test_zero_calendar_days_is_the_start_itself_even_on_a_holiday(cal):
    assert cal.add_calendar_days(D(2026, 10, 3), 0) == DueDate(D(2026, 10, 3), False)


def test_calendar_days_are_provisional_only_when_the_last_day_is_in_an_unknown_year(cal):
    # Dec 2 + 30 = Fri Jan 1 2027: unknown, taken as a working day.
    assert cal.add_calendar_days(D(2026, 12, 2), 30) == DueDate(D(2027, 1, 1), True)
    # Dec 1 + 60 = Sat Jan 30 2027, moved to Mon Feb 1, unknown year.
    assert cal.add_calendar_days(D(2026, 12, 1), 60) == DueDate(D(2027, 2, 1), True)
    # With 2027 published (Jan 1 off): Jan 1 off, Sat 2, Sun 3 off, so Mon Jan 4.
    published = WorkCalendar(schedules=NEW_YEAR_2027)
    assert published.add_calendar_days(D(2026, 12, 2), 30) == DueDate(D(2027, 1, 4), False)


# --- counting and pauses ------------------------------------------------------------------


def test_working_days_between_counts_after_exclusive_until_inclusive(cal):
    # Oct 1–7 off; Oct 8 and 9 count.
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 9)) == (2, False)
    # And the Saturday make-up day Oct 10.
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == (3, False)
    # Feb 14 (Sat, make-up), Feb 24–27, Feb 28 (Sat, make-up).
    assert cal.working_days_between(D(2026, 2, 13), D(2026, 2, 28)) == (6, False)
    assert cal.working_days_between(D(2026, 10, 9), D(2026, 10, 9)) == (0, False)
    assert cal.working_days_between(D(2026, 10, 9), D(2026, 10, 1)) == (0, False)


def test_working_days_between_into_an_unknown_year(cal):
    # Dec 31 (1), Fri Jan 1 unknown (2), Jan 4 (3), Jan 5 (4).
    assert cal.working_days_between(D(2026, 12, 30), D(2027, 1, 5)) == (4, True)
    published = WorkCalendar(schedules=NEW_YEAR_2027)
    assert published.working_days_between(D(2026, 12, 30), D(2027, 1, 5)) == (3, False)


def test_deadline_adds_paused_working_days_to_working_day_limits(cal):
    assert deadline(D(2026, 9, 28), 10, WORKING_DAY) == DueDate(D(2026, 10, 16), False)
    # 10 + 3 = 13 working days: Oct 16 (10), Mon Oct 19 (11), Oct 20 (12), Oct 21 (13).
    assert deadline(D(2026, 9, 28), 10, WORKING_DAY, paused_working_days=3) == DueDate(D(2026, 10, 21), False)
    # Paused calendar days do not extend a working-day limit.
    assert deadline(D(2026, 9, 28), 10, WORKING_DAY, paused_calendar_days=7) == DueDate(D(2026, 10, 16), False)


def test_deadline_adds_paused_calendar_days_to_calendar_day_limits(cal):
    assert deadline(D(2026, 9, 21), 10, CALENDAR_DAY) == DueDate(D(2026, 10, 8), False)
    # Sep 21 + 10 + 20 = Wed Oct 21, a working day.
    assert deadline(D(2026, 9, 21), 10, CALENDAR_DAY, paused_calendar_days=20) == DueDate(D(2026, 10, 21), False)
    assert deadline(D(2026, 9, 21), 10, CALENDAR_DAY, paused_working_days=5) == DueDate(D(2026, 10, 8), False)


def test_deadline_uses_the_given_calendar():
    published = WorkCalendar(schedules=NEW_YEAR_2027)
    assert deadline(D(2026, 12, 10), 20, WORKING_DAY, calendar=published) == DueDate(D(2027, 1, 8), False)
    assert published.deadline(D(2026, 12, 10), 20, WORKING_DAY) == DueDate(D(2027, 1, 8), False)


def test_deadline_refuses_unknown_units_and_negative_pauses(cal):
    with pytest.raises(CalendarError):
        deadline(D(2026, 9, 28), 10, "month")
    with pytest.raises(CalendarError):
        deadline(D(2026, 9, 28), 10, WORKING_DAY, paused_working_days=-1)


# --- warning levels -----------------------------------------------------------------------


def test_warning_levels(cal):
    assert warning_level(D(2026, 10, 9), D(2026, 10, 8), 3, cal) == "red"
    # On the due day 0 working days remain.
    assert warning_level(D(2026, 10, 16), D(2026, 10, 16), 3, cal) == "yellow"
    # Sep 30 -> Oct 10: ten calendar days, but only Oct 8, 9, 10 are working days.
    assert warning_level(D(2026, 9, 30), D(2026, 10, 10), 3, cal) == "yellow"
    # Sep 30 -> Oct 12: Oct 8, 9, 10, 12.
    assert warning_level(D(2026, 9, 30), D(2026, 10, 12), 3, cal) == "green"
    assert warning_level(D(2026, 9, 30), D(2026, 10, 12), 4, cal) == "yellow"
    assert warning_level(D(2026, 9, 30), D(2026, 10, 12), 0, cal) == "green"


# --- schedule text --------------------------------------------------------------------------


def test_parse_schedule_text_reads_days_and_ranges():
    holidays, workdays = parse_schedule_text(
        "# 2027年节假日安排\n"
        "2027-01-01 放假 元旦\n"
        "\n"
        "2027-02-06~2027-02-08 放假 春节\n"
        "2027-2-14 上班 春节\n"
        "2027-10-09 workday National Day\n"
    )
    assert holidays == [
        (D(2027, 1, 1), "元旦"),
        (D(2027, 2, 6), "春节"),
        (D(2027, 2, 7), "春节"),
        (D(2027, 2, 8), "春节"),
    ]
    assert workdays == [(D(2027, 2, 14), "春节"), (D(2027, 10, 9), "National Day")]


@pytest.mark.parametrize(
    "text,line",
    [
        ("2027-01-01 放假\n2027-13-01 放假", 2),
        ("2027-01-01 休息吧", 1),
        ("元旦 2027-01-01 放假", 1),
        ("2027-01-01 放假\n\n2027-02-08~2027-02-06 放假", 3),
    ],
)
def test_parse_schedule_text_names_the_bad_line(text, line):
    with pytest.raises(ScheduleLineError) as caught:
        parse_schedule_text(text)
    assert caught.value.line_number == line
