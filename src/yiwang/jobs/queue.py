"""The one task handed to the Tasks API backend (database queue or Redis): run job N.

Carrying only the id keeps the queue disposable: losing a queue entry loses nothing, because
the sweeper hands waiting jobs to the queue again.
"""

from __future__ import annotations

import os
import socket

from django_tasks import task

WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"


@task()
def run_job(job_id: int) -> str:
    from yiwang.jobs.services import execute_job

    return execute_job(job_id=job_id, worker=WORKER_NAME)
