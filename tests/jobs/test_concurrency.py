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


@handler("tests.jobs.concurrency.batch", batch_size=20)
def record_batch(payloads: list[dict]) -> list:
    RateLimitHit.objects.bulk_create([RateLimitHit(bucket=BUCKET, key=p["key"]) for p in payloads])
    return [None] * len(payloads)


def test_batch_runs_beside_producers_run_every_job_once_with_no_sweep():
    """Three producers commit jobs one by one while two workers run the queue: a job that got no
    entry of its own (it deferred to an older waiting one) is still run, by the run that took
    the older one, without the sweeper; and no job runs twice."""
    from django.db import transaction
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    per_producer, producers = 60, 3
    lock, finished = threading.Lock(), []
    all_produced = threading.Event()

    def produce(index):
        for n in range(per_producer):
            services.enqueue_job(kind="tests.jobs.concurrency.batch", payload={"key": f"p{index}-{n}"})
        with lock:
            finished.append(index)
            if len(finished) == producers:
                all_produced.set()
        return "produced"

    def work(index):
        worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                        max_tasks=None, worker_id=f"w{index}", excluded_queue_names=[])
        idle = 0
        while idle < 10:  # once the producers are done, until the queue has stayed empty for a while
            with transaction.atomic():
                entry = DBTaskResult.objects.ready().get_locked()
                if entry is not None:
                    entry.claim(worker.worker_id)
            if entry is not None:
                idle = 0
                worker.run_task(entry)
            else:
                idle += 1 if all_produced.is_set() else 0
                threading.Event().wait(0.05)
        return "worked"

    roles = [produce] * producers + [work] * 2
    barrier = threading.Barrier(len(roles))
    results: list = [None] * len(roles)

    def run(index):
        try:
            barrier.wait()
            results[index] = roles[index](index)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(roles))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == ["produced"] * producers + ["worked"] * 2
    jobs = Job.objects.filter(kind="tests.jobs.concurrency.batch")
    assert set(jobs.values_list("state", "attempts")) == {("done", 1)}
    keys = sorted(RateLimitHit.objects.filter(bucket=BUCKET).values_list("key", flat=True))
    assert keys == sorted(f"p{i}-{n}" for i in range(producers) for n in range(per_producer))
    # Fewer queue entries than jobs: many jobs rode on an older one's run.
    assert DBTaskResult.objects.count() < producers * per_producer
