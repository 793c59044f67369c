"""The nightly aggregation of the evaluation figures."""

import datetime as dt

from yiwang.evaluation import services
from yiwang.jobs.registry import handler, periodic


# Atomic: the rows of the period are replaced in one transaction with the job's completion.
@handler("evaluation.rebuild_recent", timeout=dt.timedelta(minutes=30))
def rebuild_recent() -> dict:
    return services.rebuild_recent()


# Not atomic: each partner's answer is kept as it comes (another organisation's server may be down).
@handler("evaluation.fetch_partners", atomic=False)
def fetch_partners() -> dict:
    return services.fetch_partner_figures()


periodic("evaluation-nightly", kind="evaluation.rebuild_recent", daily_at=dt.time(2, 0))
periodic("evaluation-partners", kind="evaluation.fetch_partners", daily_at=dt.time(2, 30))
