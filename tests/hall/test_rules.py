"""The hall's pure rules: numbers, the call's words, the estimated wait, opening hours."""

from __future__ import annotations

import datetime as dt

import pytest

from yiwang.core.clock import LEGAL_TIME_ZONE
from yiwang.hall import rules


def test_ticket_numbers_are_a_letter_and_three_digits_at_least():
    assert [rules.ticket_number("A", n) for n in (1, 12, 999, 1000)] == ["A001", "A012", "A999", "A1000"]
    for prefix in ("a", "AB", "", "甲"):
        with pytest.raises(ValueError):
            rules.ticket_number(prefix, 1)
    with pytest.raises(ValueError):
        rules.ticket_number("A", 0)


def test_the_call_is_said_in_chinese_and_english():
    assert rules.call_text("A012", "8") == ("请A012号到8号窗口办理", "Ticket A012, please go to window 8")


def test_the_wait_is_people_ahead_times_the_median_service_over_the_windows():
    assert rules.estimated_wait_seconds(ahead=0, recent_service_seconds=[600], serving_windows=1) == 0
    assert rules.estimated_wait_seconds(ahead=6, recent_service_seconds=[100, 200, 900], serving_windows=3) == 400
    assert rules.estimated_wait_seconds(ahead=3, recent_service_seconds=[], serving_windows=0) == 900  # 300 s each, one window


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LEGAL_TIME_ZONE)


def test_a_site_is_open_on_working_days_inside_its_periods():
    hours = {"1": [["09:00", "12:00"], ["13:00", "17:00"]], "6": [["09:00", "12:00"]]}
    monday = dt.date(2026, 3, 9)
    assert [rules.is_open(hours, _at(monday, h, m), working_day=True) for h, m in ((8, 59), (9, 0), (12, 30), (16, 59), (17, 0))] \
        == [False, True, False, True, False]
    assert rules.is_open(hours, _at(monday, 10), working_day=False) is False  # a holiday
    make_up_sunday = dt.date(2026, 2, 15)  # no Sunday entry: a make-up working day keeps Monday's hours
    assert rules.is_open(hours, _at(make_up_sunday, 14), working_day=True) is True


def test_opening_hours_tables_are_checked():
    assert rules.validate_opening_hours({"1": [["09:00", "17:00"]]}) == []
    assert rules.validate_opening_hours({"8": [], "2": [["17:00", "09:00"]], "3": [["9am", "5pm"]], "4": "all day"}) == [
        "unknown weekday '8' (1 = Monday … 7 = Sunday)",
        "weekday 2: 17:00–09:00 ends before it starts",
        "weekday 3: ['9am', '5pm'] is not a [\"HH:MM\", \"HH:MM\"] period",
        "weekday 4: None is not a [\"HH:MM\", \"HH:MM\"] period",
    ]
    assert rules.validate_opening_hours([]) == ["opening hours must map weekdays 1-7 to lists of [start, end] periods"]


def test_open_seconds_add_up_the_periods_of_working_days_only():
    hours = {"1": [["09:00", "12:00"], ["13:30", "17:00"]]}
    tuesday = dt.date(2026, 12, 1)  # no entry of its own: Monday's hours
    assert rules.open_seconds(hours, tuesday, working_day=True) == 6.5 * 3600
    assert rules.open_seconds(hours, tuesday, working_day=False) == 0.0
