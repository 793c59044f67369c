"""`yiwang worker`: the queue's worker and the periodic schedule in one process.

The schedule thread records each periodic slot's job and sweeps every `tick` seconds; the main
thread runs the configured backend's worker (the database queue's polling worker, or an RQ
worker without forking). Several processes may run at once: claims and slot keys keep them from
doing any work twice.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

from yiwang.jobs.queue import WORKER_NAME

logger = logging.getLogger("yiwang.jobs")

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
REDIS_BACKEND = "django_tasks_rq.RQBackend"


def backend_path() -> str:
    return settings.TASKS["default"]["BACKEND"]


def tick_once() -> None:
    """One round of the schedule: record due periodic jobs, then sweep."""
    from yiwang.jobs.services import run_due_schedule, sweep

    run_due_schedule()
    sweep()


def _schedule_loop(stop: threading.Event, tick: float) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            tick_once()
        except Exception:  # the schedule must outlive a database hiccup
            logger.exception("schedule tick failed")
        finally:
            close_old_connections()
        stop.wait(tick)


def start_schedule(*, tick: float, stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(target=_schedule_loop, args=(stop, tick), name="yiwang-schedule", daemon=True)
    thread.start()
    return thread


def _commit_without_waiting_for_the_disk(sender, connection, **kwargs) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


def relax_commit_durability() -> None:
    """Let this process's PostgreSQL commits return before their WAL reaches the disk.

    Safe for a worker, and only for a worker: everything it writes follows from a job row that a
    durable commit wrote first. If PostgreSQL crashes, the last few hundred milliseconds of the
    worker's commits are lost together (a handler's writes with its job's completion), and the
    job simply runs again; a send it had recorded is retried with the same reference, which the
    gateway deduplicates. Web requests keep full durability.
    """
    from django.db import connections
    from django.db.backends.signals import connection_created

    connection_created.connect(_commit_without_waiting_for_the_disk, dispatch_uid="yiwang-worker-async-commit")
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _commit_without_waiting_for_the_disk(None, connection)


class QueueWorker:
    """The configured backend's worker: `run()` until `stop()` (or, with `burst`, until the queue is empty)."""

    def __init__(self, *, burst: bool = False, poll_seconds: float = 0.2):
        relax_commit_durability()
        self.path = backend_path()
        self.burst = burst
        if self.path == DATABASE_BACKEND:
            from django_tasks_db.management.commands.db_worker import Worker

            self._worker = Worker(queue_names=["*"], interval=poll_seconds, batch=burst, backend_name="default",
                                  startup_delay=False, max_tasks=None, worker_id=WORKER_NAME, excluded_queue_names=[])
        elif self.path == REDIS_BACKEND:
            import django_rq
            from django_tasks_rq.backend import Job as RQJob
            from rq.worker import SimpleWorker

            # SimpleWorker runs each job in this process: no fork per job, our connections reused.
            self._worker = django_rq.get_worker("default", job_class=RQJob, worker_class=SimpleWorker)
        else:
            raise RuntimeError(f"yiwang worker cannot run the task backend {self.path!r}")

    def run(self) -> None:
        if self.path == DATABASE_BACKEND:
            self._worker.run()
        else:
            self._worker.work(burst=self.burst, with_scheduler=False, logging_level="WARNING")

    def stop(self) -> None:
        """Finish the job in hand, then return from `run()`."""
        if self.path == DATABASE_BACKEND:
            self._worker.running = False
        else:
            self._worker._stop_requested = True


def run_queue_worker(*, burst: bool = False, poll_seconds: float = 0.2) -> None:
    """Run the configured backend's worker until the process is stopped (or the queue is empty, with `burst`)."""
    QueueWorker(burst=burst, poll_seconds=poll_seconds).run()
