"""Background jobs of the hall: bookings not checked in become 爽约 (and may suspend online booking)."""

import datetime as dt

from yiwang.hall import services
from yiwang.jobs.registry import handler, periodic


@handler("hall.mark_missed_appointments")
def mark_missed_appointments() -> dict:
    return {"missed": services.mark_missed_appointments()}


periodic("hall-missed-appointments", kind="hall.mark_missed_appointments", every=dt.timedelta(minutes=5))


@handler("hall.prepare_handover")
def prepare_handover(*, case_id: int) -> dict:
    handover = services.prepare_handover(case_id)
    return {"handover": handover.pk if handover else None, "method": handover.method if handover else None}
