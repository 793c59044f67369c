"""Background work of the kiosk fleet: kiosks gone silent are reported."""

import datetime as dt

from yiwang.jobs.registry import handler, periodic
from yiwang.kiosks import services


@handler("kiosks.alert_silent")
def alert_silent() -> dict:
    return {"silent": services.alert_silent_kiosks()}


periodic("kiosks-silent", kind="kiosks.alert_silent", every=dt.timedelta(seconds=15))
