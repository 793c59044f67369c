"""core.clock: the one door to "now", legal days in Shanghai, and the rule that nothing else reads the wall clock."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

from tests.conftest import DEFAULT_NOW
from yiwang.core import clock

SRC = Path(__file__).resolve().parents[2] / "src" / "yiwang"
TESTS = Path(__file__).resolve().parents[1]

# Ways to read the wall clock without core.clock.
WALL_CLOCK_READS = re.compile(
    r"timezone\.now\b|timezone\.localdate\(|timezone\.localtime\(\s*\)|datetime\.now\(|datetime\.utcnow\(|"
    r"date\.today\(|\btime\.time\(|auto_now(_add)?\s*=|\{%\s*now\b"
)
UTC = dt.timezone.utc


def test_the_fixture_freezes_now_and_today_together(frozen_clock):
    assert clock.now() == DEFAULT_NOW == dt.datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    assert clock.today() == dt.date(2026, 3, 10)
    frozen_clock.set(dt.date(2026, 6, 25))
    assert (clock.now(), clock.today()) == (dt.datetime(2026, 6, 25, 2, 0, tzinfo=UTC), dt.date(2026, 6, 25))
    frozen_clock.advance(hours=14)  # 00:00 on the 26th in Shanghai, still the 25th in UTC
    assert clock.now() == dt.datetime(2026, 6, 25, 16, 0, tzinfo=UTC)
    assert clock.today() == dt.date(2026, 6, 26)


def test_a_legal_day_is_a_shanghai_date_whatever_the_instants_zone():
    assert clock.legal_day(dt.datetime(2026, 12, 1, 15, 59, 59, tzinfo=UTC)) == dt.date(2026, 12, 1)
    assert clock.legal_day(dt.datetime(2026, 12, 1, 16, 0, tzinfo=UTC)) == dt.date(2026, 12, 2)
    new_york = dt.timezone(dt.timedelta(hours=-5))
    assert clock.legal_day(dt.datetime(2026, 12, 1, 11, 0, tzinfo=new_york)) == dt.date(2026, 12, 2)
    with pytest.raises(ValueError):
        clock.legal_day(dt.datetime(2026, 12, 1, 11, 0))


def test_a_fixed_clock_refuses_naive_instants_and_tells_listeners():
    fixed = clock.FixedClock(dt.date(2027, 2, 6))
    seen = []
    fixed.on_change(seen.append)
    with pytest.raises(ValueError):
        fixed.set(dt.datetime(2027, 2, 6, 9, 0))
    fixed.advance(dt.timedelta(minutes=30))
    assert seen == [dt.datetime(2027, 2, 6, 10, 30, tzinfo=clock.LEGAL_TIME_ZONE)]


def test_install_returns_the_previous_source_to_restore_it(frozen_clock):
    other = clock.FixedClock(dt.date(2030, 1, 1))
    previous = clock.install(other)
    try:
        assert previous is frozen_clock
        assert clock.today() == dt.date(2030, 1, 1)
    finally:
        clock.install(previous)
    assert clock.today() == dt.date(2026, 3, 10)


@pytest.mark.parametrize("root", [SRC, TESTS], ids=["src", "tests"])
def test_nothing_but_core_clock_reads_the_wall_clock(root):
    offenders = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in {".py", ".html"} or "migrations" in path.parts or path == SRC / "core" / "clock.py":
            continue
        if path == Path(__file__):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if WALL_CLOCK_READS.search(line):
                offenders.append(f"{path.relative_to(root.parent)}:{number}: {line.strip()}")
    assert offenders == []


def test_no_model_field_defaults_to_the_wall_clock():
    from django.utils import timezone

    offenders = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models() if model.__module__.startswith("yiwang.")
        for field in model._meta.get_fields()
        if isinstance(field, models.DateTimeField)
        and (field.default is timezone.now or getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
    ]
    assert offenders == []


@pytest.mark.django_db
def test_timestamps_are_taken_from_the_clock(frozen_clock):
    from tests.factories import make_resident
    from yiwang.accounts.models import LoginAttempt

    frozen_clock.set(dt.datetime(2026, 2, 14, 8, 30, tzinfo=clock.LEGAL_TIME_ZONE))
    person = make_resident()
    attempt = LoginAttempt.objects.create(identity="x", succeeded=False)
    assert person.date_joined == attempt.at == dt.datetime(2026, 2, 14, 0, 30, tzinfo=UTC)
