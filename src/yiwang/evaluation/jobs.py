"""The nightly aggregation of the evaluation figures."""

import datetime as dt

from yiwang.evaluation import services
from yiwang.jobs.registry import handler, periodic


# Atomic: the rows of the period are replaced in one transaction with the job's completion.
@handler("evaluation.rebuild_recent", timeout=dt.timedelta(minutes=30))
def rebuild_recent() -> dict:
    return services.rebuild_recent()


periodic("evaluation-nightly", kind="evaluation.rebuild_recent", daily_at=dt.time(2, 0))
