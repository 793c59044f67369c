"""When to try again and which scheduled slot is due: pure arithmetic, no database, no clock.

Retries back off exponentially with jitter, so a gateway that failed for everybody at once is
not hit again by everybody at the same instant. Periodic work is named by its slot (the start of
the interval it belongs to): every worker computes the same slot, and the slot's name is the
job's deduplication key, so several workers never run one slot twice.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
EPOCH = dt.datetime(2000, 1, 3, tzinfo=SHANGHAI)  # a Monday at midnight: slots of a day or a week align


def retry_delay(attempt: int, *, base_seconds: float = 10.0, cap_seconds: float = 3600.0,
                rng: random.Random | None = None) -> dt.timedelta:
    """The wait before retry number `attempt` (1 = after the first failure).

    base × 2^(attempt−1), capped, then a random point in its upper half ("equal jitter"):
    attempt 1 waits 5–10 s, attempt 2 10–20 s, attempt 3 20–40 s ... never more than the cap.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    ceiling = min(cap_seconds, base_seconds * 2 ** (attempt - 1))
    chooser = rng or random
    return dt.timedelta(seconds=ceiling / 2 + chooser.random() * ceiling / 2)


def interval_slot(now: dt.datetime, every: dt.timedelta) -> dt.datetime:
    """The start of the interval of length `every` that contains `now` (intervals count from EPOCH)."""
    if every <= dt.timedelta(0):
        raise ValueError("an interval must be positive")
    elapsed = now - EPOCH
    return EPOCH + every * (elapsed // every)


def daily_slot(now: dt.datetime, at: dt.time) -> dt.datetime:
    """The latest instant at or before `now` whose Shanghai wall time is `at` (a job runs once a day)."""
    local = now.astimezone(SHANGHAI)
    today_at = dt.datetime.combine(local.date(), at, tzinfo=SHANGHAI)
    return today_at if today_at <= local else today_at - dt.timedelta(days=1)
