"""Background jobs of core: forgetting old rate-limit hits."""

import datetime as dt

from yiwang.core import clock, ratelimit
from yiwang.jobs.registry import handler, periodic

HITS_KEPT = dt.timedelta(days=1)  # longer than any rate-limit window


@handler("core.purge_rate_limit_hits")
def purge_rate_limit_hits() -> dict:
    return {"deleted": ratelimit.purge_hits(before=clock.now() - HITS_KEPT)}


periodic("purge-rate-limit-hits", kind="core.purge_rate_limit_hits", daily_at=dt.time(3, 20))
