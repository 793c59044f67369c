"""Retry delays and schedule slots (pure)."""

import datetime as dt
import random

import pytest

from yiwang.jobs.timing import SHANGHAI, daily_slot, interval_slot, retry_delay


def test_retry_delays_double_with_jitter_in_the_upper_half_and_stop_at_the_cap():
    rng = random.Random(7)
    seconds = [retry_delay(attempt, rng=rng).total_seconds() for attempt in range(1, 11)]
    ceilings = [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600]
    for value, ceiling in zip(seconds, ceilings):
        assert ceiling / 2 <= value <= ceiling
    assert retry_delay(3, rng=_Fixed(0.0)) == dt.timedelta(seconds=20)
    assert retry_delay(3, rng=_Fixed(1.0)) == dt.timedelta(seconds=40)
    assert retry_delay(30, rng=_Fixed(1.0)) == dt.timedelta(seconds=3600)


def test_two_workers_draw_different_delays():
    assert retry_delay(4, rng=random.Random(1)) != retry_delay(4, rng=random.Random(2))


def test_retry_attempts_count_from_one():
    with pytest.raises(ValueError):
        retry_delay(0)


class _Fixed:
    def __init__(self, value: float):
        self.value = value

    def random(self) -> float:
        return self.value


def test_interval_slots_align_to_the_interval():
    at = dt.datetime(2026, 3, 10, 10, 7, 31, tzinfo=SHANGHAI)
    assert interval_slot(at, dt.timedelta(hours=1)) == dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
    assert interval_slot(at, dt.timedelta(minutes=15)) == dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
    assert interval_slot(at, dt.timedelta(minutes=5)) == dt.datetime(2026, 3, 10, 10, 5, tzinfo=SHANGHAI)
    utc = at.astimezone(dt.timezone.utc)
    assert interval_slot(utc, dt.timedelta(hours=1)) == dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
    with pytest.raises(ValueError):
        interval_slot(at, dt.timedelta(0))


def test_daily_slot_is_the_latest_occurrence_of_the_wall_time():
    at = dt.time(3, 10)
    assert daily_slot(dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI), at) == dt.datetime(2026, 3, 10, 3, 10, tzinfo=SHANGHAI)
    assert daily_slot(dt.datetime(2026, 3, 10, 3, 9, tzinfo=SHANGHAI), at) == dt.datetime(2026, 3, 9, 3, 10, tzinfo=SHANGHAI)
    assert daily_slot(dt.datetime(2026, 3, 10, 3, 10, tzinfo=SHANGHAI), at) == dt.datetime(2026, 3, 10, 3, 10, tzinfo=SHANGHAI)
    # 19:30 UTC on the 9th is 03:30 on the 10th in Shanghai.
    assert daily_slot(dt.datetime(2026, 3, 9, 19, 30, tzinfo=dt.timezone.utc), at) == dt.datetime(2026, 3, 10, 3, 10, tzinfo=SHANGHAI)
