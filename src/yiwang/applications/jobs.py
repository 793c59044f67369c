"""Background jobs of the applications app: deadline recomputation and the removal of replaced files."""

import datetime as dt

from yiwang.applications import services
from yiwang.jobs.registry import handler, periodic


# Not atomic: it locks and saves one case at a time, and running it again changes nothing.
@handler("applications.recompute_open_deadlines", atomic=False, timeout=dt.timedelta(minutes=30))
def recompute_open_deadlines() -> dict:
    return {"changed": services.recompute_open_deadlines()}


# Not atomic: files are removed after their rows commit (see remove_superseded_files).
@handler("applications.remove_superseded_files", atomic=False, timeout=dt.timedelta(minutes=30))
def remove_superseded_files() -> dict:
    purge = services.remove_superseded_files()
    return {"rows": purge.rows, "files_removed": purge.files_removed, "bytes_freed": purge.bytes_freed}


periodic("remove-superseded-files", kind="applications.remove_superseded_files", every=dt.timedelta(hours=1))
