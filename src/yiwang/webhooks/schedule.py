"""When a webhook delivery is tried again (pure): the Standard Webhooks example schedule, with jitter.

Immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h after each failure
(75 h 35 min 5 s in all), each wait ±10 % at random so that receivers that failed together are
not retried together. A 429 or 503 answer's Retry-After is honoured when it asks for longer.
"""

from __future__ import annotations

import datetime as dt
import random

WAITS = [dt.timedelta(seconds=s) for s in (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)]
MAX_ATTEMPTS = len(WAITS) + 1
MAX_RETRY_AFTER = dt.timedelta(hours=24)


def next_wait(attempts_made: int, *, retry_after: dt.timedelta | None = None,
              rng: random.Random | None = None) -> dt.timedelta | None:
    """The wait after `attempts_made` failed attempts, or None when no attempt is left."""
    if attempts_made < 1:
        raise ValueError("at least one attempt was made")
    if attempts_made >= MAX_ATTEMPTS:
        return None
    base = WAITS[attempts_made - 1]
    wait = base * (0.9 + 0.2 * (rng or random).random())
    if retry_after is not None:
        wait = max(wait, min(retry_after, MAX_RETRY_AFTER))
    return wait


def parse_retry_after(value: str | None, *, now: dt.datetime) -> dt.timedelta | None:
    """Retry-After as seconds or as an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return dt.timedelta(seconds=int(value))
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(dt.timedelta(0), when - now)
