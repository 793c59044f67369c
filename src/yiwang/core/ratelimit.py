"""A fixed budget of requests per key and window, counted in the database (so it holds across workers).

For public endpoints that must not be walked (licence verification); login and registration keep
their own, richer rules in `accounts.services`.
"""

from __future__ import annotations

import datetime as dt
import math

from yiwang.core import clock
from yiwang.core.errors import RateLimited
from yiwang.core.models import RateLimitHit


def count_hit(*, bucket: str, key: str | None, limit: int, window: dt.timedelta,
              refusal: tuple[str, str, str] | None = None) -> None:
    """Record one request of `key` in `bucket`; RateLimited (429) beyond `limit` per `window`.

    `refusal` is (code, message, message_en) to refuse with, else ``rate_limited`` with the wait.
    A refused request is not recorded, so waiting out the window always helps.
    """
    key = (key or "unknown")[:64]
    now = clock.now()
    recent = list(RateLimitHit.objects.filter(bucket=bucket, key=key, at__gt=now - window)
                  .order_by("-at", "-id").values_list("at", flat=True)[:limit])
    if len(recent) >= limit:
        seconds = max(1, math.ceil((recent[-1] + window - now).total_seconds()))
        code, message, message_en = refusal or (
            "rate_limited",
            f"请求过于频繁，请 {math.ceil(seconds / 60)} 分钟后再试。",
            f"Too many requests; please try again in {math.ceil(seconds / 60)} minute(s).",
        )
        raise RateLimited(code, message, message_en, details={"retry_after_seconds": seconds})
    RateLimitHit.objects.create(bucket=bucket, key=key)


def purge_hits(*, before: dt.datetime) -> int:
    """Delete hits older than `before` (older than any window); returns how many."""
    deleted, _ = RateLimitHit.objects.filter(at__lt=before).delete()
    return deleted
