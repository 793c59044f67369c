"""Several workers at once on PostgreSQL: one claim wins; a job being run is skipped by others; a
run whose claim was taken over does not complete the job."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from yiwang.core.models import RateLimitHit
from yiwang.jobs import services
from yiwang.jobs.models import Job
from yiwang.jobs.registry import handler

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level concurrency is PostgreSQL's; SQLite serializes writers"),
    pytest.mark.django_db(transaction=True),
]
BUCKET = "tests.jobs.concurrency"
_gate = {"taken_over": threading.Event(), "take_over": False}


@handler("tests.jobs.concurrency.record")
def record(*, key: str) -> None:
    RateLimitHit.objects.create(bucket=BUCKET, key=key)


@handler("tests.jobs.concurrency.slow")
def slow(*, key: str) -> None:
    RateLimitHit.objects.create(bucket=BUCKET, key=key)
    if _gate["take_over"]:
        _gate["take_over"] = False
        # While this run holds the job, another worker is handed the same job.
        outcome = {}

        def second_worker():
            try:
                outcome["second"] = services.execute_job(job_id=Job.objects.get(payload__key=key).pk, worker="second")
            finally:
                connections.close_all()
                _gate["taken_over"].set()

        threading.Thread(target=second_worker).start()
        assert _gate["taken_over"].wait(10)
        _gate["outcome"] = outcome["second"]


@handler("tests.jobs.concurrency.external", atomic=False)
def external(*, key: str) -> None:
    RateLimitHit.objects.create(bucket=BUCKET, key=key)
    if _gate["take_over"]:
        _gate["take_over"] = False
        # Meanwhile the sweeper, in another process, judged this worker dead and handed the job on.
        def sweeper():
            try:
                Job.objects.filter(payload__key=key).update(state="retry", attempts=2, enqueued_at=None)
            finally:
                connections.close_all()
                _gate["taken_over"].set()

        threading.Thread(target=sweeper).start()
        assert _gate["taken_over"].wait(10)


def _in_threads(count: int, target) -> list:
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def run(index):
        try:
            barrier.wait()
            outcomes[index] = target()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_eight_workers_claiming_one_job_run_it_once():
    for trial in range(5):
        job = services.enqueue_job(kind="tests.jobs.concurrency.record", payload={"key": f"t{trial}"})
        outcomes = _in_threads(8, lambda: services.execute_job(job_id=job.pk, worker="w"))
        assert sorted(outcomes) == ["done"] + ["skipped"] * 7
        assert RateLimitHit.objects.filter(bucket=BUCKET, key=f"t{trial}").count() == 1
        assert Job.objects.get(pk=job.pk).attempts == 1


def test_a_job_being_run_is_skipped_by_a_second_worker():
    _gate["take_over"] = True
    _gate["taken_over"].clear()
    job = services.enqueue_job(kind="tests.jobs.concurrency.slow", payload={"key": "slow"})
    assert services.execute_job(job_id=job.pk, worker="first") == "done"
    assert _gate["outcome"] == "skipped"  # the row was locked by the first run: skipped, not waited for
    job.refresh_from_db()
    assert (job.state, job.attempts, job.claimed_by) == ("done", 1, "first")
    assert RateLimitHit.objects.filter(bucket=BUCKET, key="slow").count() == 1


def test_a_run_whose_claim_was_taken_over_does_not_complete_the_job():
    _gate["take_over"] = True
    _gate["taken_over"].clear()
    job = services.enqueue_job(kind="tests.jobs.concurrency.external", payload={"key": "ext"})
    assert services.execute_job(job_id=job.pk, worker="slow-worker") == "skipped"
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("retry", 2)  # the sweeper's hand-over stands
    assert services.execute_job(job_id=job.pk, worker="second-worker") == "done"
    job.refresh_from_db()
    assert (job.state, job.attempts, job.claimed_by) == ("done", 3, "second-worker")
