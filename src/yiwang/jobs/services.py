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
import json
import logging
import random
import threading
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q

from yiwang.core import clock
from yiwang.core.bulk import update_rows
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
            _hand_over_after_commit([job.pk])
    return job


def enqueue_jobs(*, kind: str, payloads: list[dict], dedupe_keys: list[str]) -> dict[str, int]:
    """Record many due jobs of one kind at once (a batch handler's follow-up work): {dedupe key: job id}.

    Keys already recorded keep their first job, as with `enqueue_job`.
    """
    handler = get_handler(kind)
    if len(payloads) != len(dedupe_keys):
        raise ValueError("one dedupe key per payload")
    if not payloads:
        return {}
    now = clock.now()
    with transaction.atomic():
        Job.objects.bulk_create(
            [Job(kind=kind, payload=payload, dedupe_key=key, max_attempts=handler.max_attempts, next_attempt_at=now,
                 enqueued_at=now) for payload, key in zip(payloads, dedupe_keys)],
            ignore_conflicts=True,
        )
        rows = list(Job.objects.filter(dedupe_key__in=dedupe_keys).values_list("dedupe_key", "pk", "kind", "state", "enqueued_at"))
        for key, _, found_kind, _, _ in rows:
            if found_kind != kind:
                raise ValueError(f"dedupe key {key!r} already names a {found_kind} job")
        _hand_over_after_commit([pk for _, pk, _, state, at in rows if state == c.QUEUED and at == now])
    return {key: pk for key, pk, *_ in rows}


# Jobs recorded in this thread's transaction, handed over together when it commits. One
# callback takes them all; the others find nothing (a rolled-back job is filtered out then).
_pending = threading.local()


def _hand_over_after_commit(job_ids: list[int]) -> None:
    if not job_ids:
        return
    pending = getattr(_pending, "ids", None)
    if pending is None:
        pending = _pending.ids = []
    pending.extend(job_ids)
    transaction.on_commit(_hand_over_pending, robust=True)


def _hand_over_pending() -> None:
    job_ids, _pending.ids = getattr(_pending, "ids", None) or [], []
    if job_ids:
        waiting = Job.objects.filter(pk__in=job_ids, state__in=c.WAITING).values_list("pk", "kind")
        _hand_over(list(waiting), coalesce=True)


def _hand_over(jobs: list[tuple[int, str]], *, coalesce: bool) -> int:
    """Give jobs to the task queue: one entry per job, or per batch of a batch kind's jobs.

    With `coalesce`, a batch kind's new jobs get no entry when an older job of the kind waits
    for one handed over recently: the run that takes that job keeps claiming until nothing of the
    kind is due, so it takes these too (an older one because each job defers only to older ones,
    so two never wait for each other). Returns how many jobs were handed over (covered included).
    """
    by_kind: dict[str, list[int]] = {}
    for job_id, kind in sorted(jobs):
        by_kind.setdefault(kind, []).append(job_id)
    handed = 0
    now = clock.now()
    for kind, job_ids in by_kind.items():
        size = get_handler(kind).batch_size
        if size == 1:
            entries = job_ids
        elif coalesce and _older_job_waits(kind, job_ids[0], now):
            entries = []
        else:
            entries = job_ids[::size]  # one run takes a whole batch (and keeps claiming)
        refused = {job_id for job_id in entries if not _enqueue(job_id)}
        if refused and size > 1:
            refused = set(job_ids)  # the batch's runs were not all handed over: the sweeper sees to all
        handed_over = [job_id for job_id in job_ids if job_id not in refused]
        if not coalesce:  # new jobs were stamped when they were recorded
            Job.objects.filter(pk__in=handed_over, state__in=c.WAITING).update(enqueued_at=now)
        if refused:
            Job.objects.filter(pk__in=refused, state__in=c.WAITING).update(enqueued_at=None)
        handed += len(handed_over)
    return handed


def _older_job_waits(kind: str, job_id: int, now) -> bool:
    recently = now - dt.timedelta(seconds=HANDOVER_GRACE_SECONDS)
    return Job.objects.filter(kind=kind, state__in=c.WAITING, next_attempt_at__lte=now, enqueued_at__gte=recently,
                              pk__lt=job_id).exists()


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
    return _hand_over(list(Job.objects.filter(pk__in=job_ids).values_list("pk", "kind")), coalesce=False)


def execute_job(*, job_id: int, worker: str = "") -> str:
    """Run one job if it is due and nobody else runs it; returns done, retry, dead or skipped.

    For a batch kind, the run takes every due job of the kind, a batch at a time, and returns
    the outcome of each job it ran, separated by spaces ("done done retry"), or "skipped".
    """
    job = Job.objects.filter(pk=job_id).only("kind").first()
    if job is None:
        return "skipped"
    handler = get_handler(job.kind)
    if handler.batch_size > 1:
        return _execute_batches(handler, worker)
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


# A run of a batch kind keeps claiming full batches for at most this long, then leaves the rest
# to another run, so that a flood does not keep its worker from the queue's other work.
BATCH_RUN_SECONDS = 1.0


def _execute_batches(handler, worker: str) -> str:
    """Run batches of the kind while they come full (and for at most BATCH_RUN_SECONDS).

    A job that found an older one waiting got no queue entry of its own (see `_hand_over`):
    it is in one of these batches, or, when the run ends, waiting for the entry that the run
    hands over last; that hand-over looks after the run's last claim was committed, so it sees
    every job that deferred to one this run took.
    """
    started = time.monotonic()
    run_batch = _run_atomic_batch if handler.atomic else _run_claimed_batch
    outcomes: list[str] = []
    while True:
        ran = run_batch(handler, worker)
        outcomes += ran
        if len(ran) < handler.batch_size or time.monotonic() - started > BATCH_RUN_SECONDS:
            break
        if len(outcomes) == len(ran):
            _hand_over_next(handler.kind)  # a full first batch: another worker may join in
    if outcomes:
        _hand_over_next(handler.kind)
    return " ".join(outcomes) or "skipped"


def _due_batch(handler, now):
    return (Job.objects.select_for_update(skip_locked=True)
            .filter(kind=handler.kind, state__in=c.WAITING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")[:handler.batch_size])


def _hand_over_next(kind: str) -> None:
    job_id = (Job.objects.filter(kind=kind, state__in=c.WAITING, next_attempt_at__lte=clock.now())
              .order_by("pk").values_list("pk", flat=True).first())
    if job_id is not None:
        _enqueue(job_id)


def _results_for(handler, jobs: list[Job]) -> list:
    results = handler.func([job.payload for job in jobs])
    if not isinstance(results, list) or len(results) != len(jobs):
        raise TypeError(f"batch handler {handler.kind} must return one result per payload")
    return results


_BATCH_FIELDS = ["state", "attempts", "claimed_at", "claimed_by", "finished_at", "result", "last_error",
                 "next_attempt_at", "enqueued_at"]


def _run_atomic_batch(handler, worker: str) -> list[str]:
    """One batch in one transaction: locked, run, and completed (or failed, job by job) together."""
    now = clock.now()
    jobs: list[Job] = []
    try:
        with transaction.atomic():
            jobs = list(_due_batch(handler, now))
            if not jobs:
                return []
            for job in jobs:
                job.attempts += 1
                job.claimed_at, job.claimed_by = now, worker[:100]
            results = _results_for(handler, jobs)
            finished = clock.now()
            outcomes = []
            for job, result in zip(jobs, results):
                if isinstance(result, Exception):
                    outcomes.append(_set_failure(job, result))
                else:
                    job.state, job.finished_at, job.result, job.last_error = c.DONE, finished, _summary(result), ""
                    outcomes.append(c.DONE)
            update_rows(jobs, _BATCH_FIELDS)
    except Exception as exc:
        if not jobs:
            raise  # the claim itself failed (the database): the jobs wait for the sweeper
        return [_failed(job, exc, claimed=False) for job in jobs]  # nothing of the batch was written
    return outcomes


def _run_claimed_batch(handler, worker: str) -> list[str]:
    """One batch of a handler that talks to other systems: claimed (committed), run, completed."""
    now = clock.now()
    with transaction.atomic():
        jobs = list(_due_batch(handler, now))
        if not jobs:
            return []
        Job.objects.filter(pk__in=[job.pk for job in jobs]).update(
            state=c.RUNNING, claimed_at=now, claimed_by=worker[:100], attempts=F("attempts") + 1)
    for job in jobs:
        job.state, job.attempts = c.RUNNING, job.attempts + 1
    try:
        results = _results_for(handler, jobs)
    except Exception as exc:
        return [_failed(job, exc) for job in jobs]
    outcomes = []
    done: dict[tuple, list[int]] = {}
    for job, result in zip(jobs, results):
        if isinstance(result, Exception):
            outcomes.append(_failed(job, result))
        else:
            summary = _summary(result)
            done.setdefault((json.dumps(summary, sort_keys=True), job.attempts), []).append(job.pk)
    finished = clock.now()
    for (summary, attempts), job_ids in done.items():
        completed = Job.objects.filter(pk__in=job_ids, state=c.RUNNING, attempts=attempts).update(
            state=c.DONE, finished_at=finished, result=json.loads(summary), last_error="")
        if completed < len(job_ids):
            logger.warning("%s of %s %s jobs were taken over before they finished", len(job_ids) - completed,
                           len(job_ids), handler.kind)
        outcomes += [c.DONE] * completed + ["skipped"] * (len(job_ids) - completed)
    return outcomes


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


def _set_failure(job: Job, exc: Exception) -> str:
    """Set the job's fields for a failed attempt (retry later, or dead at its maximum); returns the state."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if job.attempts >= job.max_attempts:
        job.state = c.DEAD
        logger.error("job %s (%s) is dead after %s attempts: %s", job.pk, job.kind, job.attempts, error)
    else:
        job.state, job.next_attempt_at = c.RETRY, clock.now() + timing.retry_delay(job.attempts, rng=_rng)
        logger.warning("job %s (%s) attempt %s failed, retry at %s: %s", job.pk, job.kind, job.attempts,
                       job.next_attempt_at, error)
    job.last_error, job.enqueued_at = error, None
    return job.state


def _failed(job: Job, exc: Exception, *, claimed: bool = True) -> str:
    # A claimed run's row says "running" with its attempt; an atomic run's claim was rolled back.
    current = dict(state=c.RUNNING, attempts=job.attempts) if claimed else dict(state__in=c.WAITING)
    state = _set_failure(job, exc)
    Job.objects.filter(pk=job.pk, **current).update(
        state=state, attempts=job.attempts, next_attempt_at=job.next_attempt_at, last_error=job.last_error,
        enqueued_at=None,
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
