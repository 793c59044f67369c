"""The platform's notion of 'now' and of today's legal date (Asia/Shanghai).

One place, so tests can fix the day a case is accepted and check deadlines exactly.
"""

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())
