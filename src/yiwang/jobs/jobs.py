"""The jobs app's own housekeeping: forgetting finished jobs and the queue's finished entries."""

import datetime as dt

from yiwang.jobs import services
from yiwang.jobs.registry import handler, periodic


@handler("jobs.forget_finished")
def forget_finished() -> dict:
    return services.forget_finished_jobs()


periodic("forget-finished-jobs", kind="jobs.forget_finished", daily_at=dt.time(3, 30))
