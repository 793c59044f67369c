"""Background jobs of accounts: forgetting old login attempts."""

import datetime as dt

from yiwang.accounts import services
from yiwang.core import clock
from yiwang.jobs.registry import handler, periodic

# Longer than any login window, and long enough to look into an attack the morning after.
LOGIN_ATTEMPTS_KEPT = dt.timedelta(days=7)


@handler("accounts.purge_login_attempts")
def purge_login_attempts() -> dict:
    return {"deleted": services.purge_login_attempts(before=clock.now() - LOGIN_ATTEMPTS_KEPT)}


periodic("purge-login-attempts", kind="accounts.purge_login_attempts", daily_at=dt.time(3, 10))
