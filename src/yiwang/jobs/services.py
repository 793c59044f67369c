"""Writes on background jobs: enqueue in the caller's transaction, run, retry, sweep, schedule.

Guarantees (the GOV.UK Notify / Open Notificaties pattern): the job row commits with the business
change or not at all; an atomic handler runs in one transaction that locks the job row, so two
workers never run it at once and its database work commits with the job's completion; a handler
that talks to other systems claims the row with one conditional UPDATE first; a failure is
retried with backoff and jitter up to the handler's maximum, then the job is dead until a person
retries it; the sweeper re-queues jobs whose hand-over to the queue was lost and jobs whose
worker died.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q

from yiwang.core import clock
from yiwang.jobs import constants as c
from yiwang.jobs import timing
from yiwang.jobs.models import Job
from yiwang.jobs.registry import get_handler, schedule

logger = logging.getLogger("yiwang.jobs")

# A waiting job not picked up this long after it was handed to the queue is handed over again
# (the process may have died between commit and hand-over, or the queue lost it).
HANDOVER_GRACE_SECONDS = 30
_rng = random.Random()


class JobLost(Exception):
    """Our claim on the job was taken over (the sweeper judged us dead): undo this run."""


def enqueue_job(*, kind: str, payload: dict | None = None, dedupe_key: str | None = None, run_at=None) -> Job:
    """Record a job in the current transaction; it is handed to the queue when the transaction commits.

    With `dedupe_key`, a job already recorded under that key is returned instead of a new one.
    """
    handler = get_handler(kind)  # an unknown kind is a programming error: fail where it is made
    now = clock.now()
    due = run_at is None or run_at <= now
    with transaction.atomic():
        # A due job is stamped as handed over now (the hand-over follows the commit; if it fails,
        # the stamp is cleared and the sweeper tries again); a later one is handed over when due.
        fields = dict(kind=kind, payload=payload or {}, max_attempts=handler.max_attempts,
                      next_attempt_at=run_at or now, enqueued_at=now if due else None)
        if dedupe_key is None:
            job = Job.objects.create(**fields)
        else:
            Job.objects.bulk_create([Job(dedupe_key=dedupe_key, **fields)], ignore_conflicts=True)
            job = Job.objects.get(dedupe_key=dedupe_key)
            if job.kind != kind:
                raise ValueError(f"dedupe key {dedupe_key!r} already names a {job.kind} job")
        if job.state == c.QUEUED and due and job.enqueued_at == now:  # new (an old one was handed over already)
            job_id = job.pk
            transaction.on_commit(lambda: _hand_over_new(job_id), robust=True)
    return job


def _hand_over_new(job_id: int) -> None:
    if not _enqueue(job_id):
        Job.objects.filter(pk=job_id, state__in=c.WAITING).update(enqueued_at=None)


def _enqueue(job_id: int) -> bool:
    """Give one job's id to the task queue; False (logged) if the queue refused it."""
    from yiwang.jobs.queue import run_job

    try:
        run_job.enqueue(job_id)
    except Exception:
        logger.exception("job %s could not be handed to the queue; the sweeper will retry", job_id)
        return False
    return True


def hand_to_queue(job_ids: list[int]) -> int:
    """Give waiting jobs to the task queue; returns how many were handed over.

    A queue that refuses (Redis down) is logged, not raised: the job stays waiting in our table
    and the sweeper tries again.
    """
    handed = 0
    for job_id in job_ids:
        if _enqueue(job_id):
            Job.objects.filter(pk=job_id, state__in=c.WAITING).update(enqueued_at=clock.now())
            handed += 1
    return handed


def execute_job(*, job_id: int, worker: str = "") -> str:
    """Run one job if it is due and nobody else runs it; returns done, retry, dead or skipped."""
    job = Job.objects.filter(pk=job_id).only("kind").first()
    if job is None:
        return "skipped"
    handler = get_handler(job.kind)
    if handler.atomic:
        return _execute_atomic(job_id, handler, worker)
    now = clock.now()
    claimed = Job.objects.filter(pk=job_id, state__in=c.WAITING, next_attempt_at__lte=now).update(
        state=c.RUNNING, claimed_at=now, claimed_by=worker[:100], attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"  # done already, run by another worker, or not due yet (a duplicate hand-over)
    job = Job.objects.get(pk=job_id)
    try:
        _complete(job, handler.func(**job.payload))
    except JobLost:
        logger.warning("job %s attempt %s was taken over before it finished", job.pk, job.attempts)
        return "skipped"
    except Exception as exc:
        return _failed(job, exc)
    return "done"


def _execute_atomic(job_id: int, handler, worker: str) -> str:
    """Claim, run and complete in one transaction: the row lock keeps other workers off, and one
    commit records the handler's writes with the job's completion.

    A worker killed mid-run leaves the job waiting as it was (its transaction never committed);
    the sweeper hands it to the queue again.
    """
    now = clock.now()
    job = None
    try:
        with transaction.atomic():
            job = (Job.objects.select_for_update(skip_locked=True)
                   .filter(pk=job_id, state__in=c.WAITING, next_attempt_at__lte=now).first())
            if job is None:
                return "skipped"  # done, being run by another worker, or not due yet
            job.attempts += 1
            result = handler.func(**job.payload)
            Job.objects.filter(pk=job.pk).update(
                state=c.DONE, attempts=job.attempts, claimed_at=now, claimed_by=worker[:100], finished_at=clock.now(),
                result=_summary(result), last_error="",
            )
    except Exception as exc:
        if job is None:
            raise  # the claim itself failed (the database): the job waits for the sweeper
        return _failed(job, exc, claimed=False)
    return "done"


def _complete(job: Job, result) -> None:
    finished = Job.objects.filter(pk=job.pk, state=c.RUNNING, attempts=job.attempts).update(
        state=c.DONE, finished_at=clock.now(), result=_summary(result), last_error=""
    )
    if not finished:  # inside an atomic handler this undoes the run's database work
        raise JobLost(f"job {job.pk} was taken over while attempt {job.attempts} ran")


def _summary(result):
    if result is None or isinstance(result, (dict, list, str, int, float, bool)):
        return result
    return str(result)


def _failed(job: Job, exc: Exception, *, claimed: bool = True) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if job.attempts >= job.max_attempts:
        state, due = c.DEAD, job.next_attempt_at
        logger.error("job %s (%s) is dead after %s attempts: %s", job.pk, job.kind, job.attempts, error)
    else:
        state, due = c.RETRY, clock.now() + timing.retry_delay(job.attempts, rng=_rng)
        logger.warning("job %s (%s) attempt %s failed, retry at %s: %s", job.pk, job.kind, job.attempts, due, error)
    # A claimed run's row says "running" with its attempt; an atomic run's claim was rolled back.
    current = dict(state=c.RUNNING, attempts=job.attempts) if claimed else dict(state__in=c.WAITING)
    Job.objects.filter(pk=job.pk, **current).update(
        state=state, attempts=job.attempts, next_attempt_at=due, last_error=error, enqueued_at=None
    )
    return state


@dataclass(frozen=True)
class Sweep:
    handed_over: int  # waiting jobs given to the queue (again)
    reclaimed: int  # running jobs whose worker was presumed dead


def sweep(*, grace_seconds: float = HANDOVER_GRACE_SECONDS) -> Sweep:
    """Hand due waiting jobs to the queue again and reclaim runs that outlived their timeout."""
    now = clock.now()
    reclaimed = 0
    for job in Job.objects.filter(state=c.RUNNING).only("pk", "kind", "claimed_at", "attempts", "max_attempts"):
        if job.claimed_at and job.claimed_at + get_handler(job.kind).timeout <= now:
            state = c.DEAD if job.attempts >= job.max_attempts else c.RETRY
            reclaimed += Job.objects.filter(pk=job.pk, state=c.RUNNING, attempts=job.attempts).update(
                state=state, next_attempt_at=now, enqueued_at=None,
                last_error=f"worker {job.claimed_by or '?'} did not finish attempt {job.attempts} in time",
            )
    stale = now - dt.timedelta(seconds=grace_seconds)
    due = Job.objects.filter(state__in=c.WAITING, next_attempt_at__lte=now).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=stale)
    )
    handed = hand_to_queue(list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:1000]))
    return Sweep(handed_over=handed, reclaimed=reclaimed)


def run_due_schedule() -> list[Job]:
    """Record the job of every periodic entry's current slot (once per slot, whoever asks)."""
    now = clock.now()
    recorded = []
    for entry in schedule():
        slot = timing.interval_slot(now, entry.every) if entry.every else timing.daily_slot(now, entry.daily_at)
        recorded.append(enqueue_job(kind=entry.kind, payload=entry.payload,
                                    dedupe_key=f"schedule:{entry.name}:{slot.isoformat()}"))
    return recorded


def retry_now(*, job_ids: list[int], actor) -> int:
    """A person asks for dead (or waiting) jobs to run again at once, with a fresh set of attempts."""
    with transaction.atomic():
        ids = list(Job.objects.select_for_update().filter(pk__in=job_ids, state__in=(c.DEAD, c.RETRY)).values_list("pk", flat=True))
        Job.objects.filter(pk__in=ids).update(state=c.QUEUED, attempts=0, next_attempt_at=clock.now(), enqueued_at=None)
        if ids:
            logger.info("jobs %s retried by %s", ids, getattr(actor, "username", actor))
            transaction.on_commit(lambda: hand_to_queue(ids), robust=True)
    return len(ids)


FINISHED_JOBS_KEPT = dt.timedelta(days=30)


def forget_finished_jobs() -> dict:
    """Delete jobs done more than 30 days ago, and the task queue's own finished entries."""
    cutoff = clock.now() - FINISHED_JOBS_KEPT
    jobs, _ = Job.objects.filter(state=c.DONE, finished_at__lt=cutoff).delete()
    from django_tasks_db.models import DBTaskResult

    # The queue's entries carry only a job id; once run, ours is the record that matters.
    entries, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return {"jobs": jobs, "queue_entries": entries}
