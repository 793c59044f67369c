"""Background work of 好差评: default ratings, escalation of overdue rectifications, forwarding."""

import datetime as dt

from yiwang.jobs.registry import handler, periodic
from yiwang.ratings import forwarding, services


@handler("ratings.apply_defaults", atomic=False, timeout=dt.timedelta(minutes=30))
def apply_defaults() -> dict:
    # Not atomic: one short transaction per case; running it again finds nothing left to default.
    return {"defaulted": services.apply_default_ratings()}


@handler("ratings.escalate_overdue", atomic=False)
def escalate_overdue() -> dict:
    return {"overdue": services.escalate_overdue()}


# Not atomic: the provincial system is another organisation's; the record is sent with the
# rating's id as its key, so a second delivery after a crash is the same record again.
@handler("ratings.forward", atomic=False, max_attempts=12)
def forward(*, rating_id: int) -> dict:
    return forwarding.forward_rating(rating_id=rating_id)


periodic("ratings-defaults", kind="ratings.apply_defaults", daily_at=dt.time(1, 30))
periodic("ratings-escalate-overdue", kind="ratings.escalate_overdue", every=dt.timedelta(hours=1))
