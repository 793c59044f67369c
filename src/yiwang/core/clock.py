"""The platform's one notion of "now" and of today's legal date.

Every read of the current time in yiwang goes through `now()` or `today()` (a test in
tests/core/test_clock_rule.py fails on any other read in `src/`). That single door is what lets
the tests freeze time with one fixture and a simulation or benchmark run on a clock of its own
(`install()` a `FixedClock` and move it). Durations measured with `time.monotonic()` are not readings of "now" and stay
where they are.

Legal days (the day a case is received or accepted, the day a number is dated, the days a time
limit counts) are dates in Asia/Shanghai, whatever the server's or the request's time zone: the
district's 行政许可法 working days are Shanghai days. A case's number and its deadline therefore
take their day from the same `legal_day()` of the same instant.

This module needs no Django settings, so the registry service (a separate process without
Django) reads time through it as well.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Callable, Protocol
from zoneinfo import ZoneInfo

LEGAL_TIME_ZONE = ZoneInfo("Asia/Shanghai")


class TimeSource(Protocol):
    def __call__(self) -> dt.datetime: ...


def system_now() -> dt.datetime:
    """The operating system's clock (UTC, aware). Only `now()` calls this."""
    return dt.datetime.now(dt.timezone.utc)


_source: TimeSource = system_now
_source_lock = threading.Lock()


def now() -> dt.datetime:
    """The current instant, timezone-aware, from the installed time source."""
    return _source()


def legal_day(instant: dt.datetime) -> dt.date:
    """The legal (Asia/Shanghai) date of an aware instant."""
    if instant.tzinfo is None:
        raise ValueError("legal_day() needs an aware datetime")
    return instant.astimezone(LEGAL_TIME_ZONE).date()


def today() -> dt.date:
    """Today's legal date: `legal_day(now())`."""
    return legal_day(now())


def at_legal_time(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware instant on a legal day at a Shanghai wall-clock time (10:00 by default)."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LEGAL_TIME_ZONE)


def install(source: TimeSource) -> TimeSource:
    """Make `source` the process's clock; returns the previous one (to restore it)."""
    global _source
    with _source_lock:
        previous, _source = _source, source
    return previous


def reset() -> None:
    """Go back to the operating system's clock."""
    install(system_now)


class FixedClock:
    """A clock that stands still until told to move: tests and step-by-step simulations.

    `set()` jumps to an instant (or to 10:00 Shanghai time on a date), `advance()` moves it on.
    Listeners are called with the new instant after every change (a test uses this to keep
    another process's clock in step).
    """

    def __init__(self, at: dt.datetime | dt.date):
        self._at = _as_instant(at)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[dt.datetime], None]] = []

    def __call__(self) -> dt.datetime:
        return self._at

    def now(self) -> dt.datetime:
        return self._at

    def today(self) -> dt.date:
        return legal_day(self._at)

    def set(self, at: dt.datetime | dt.date) -> dt.datetime:
        with self._lock:
            self._at = _as_instant(at)
        self._changed()
        return self._at

    def advance(self, delta: dt.timedelta | None = None, **parts: float) -> dt.datetime:
        """Move forward by `delta` or by timedelta keyword parts (days=1, minutes=5, ...)."""
        step = delta if delta is not None else dt.timedelta(**parts)
        with self._lock:
            self._at = self._at + step
        self._changed()
        return self._at

    def on_change(self, listener: Callable[[dt.datetime], None]) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener(self._at)


def _as_instant(at: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(at, dt.datetime):
        if at.tzinfo is None:
            raise ValueError("clock instants must be timezone-aware")
        return at
    return at_legal_time(at)
