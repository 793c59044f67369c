"""Batch kinds on the real database queue: a flood costs a few queue entries, each job still runs
once, a failed item is retried alone, and a job that got no entry of its own is never stranded."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from yiwang.core.models import RateLimitHit
from yiwang.jobs import services
from yiwang.jobs.models import Job
from yiwang.jobs.registry import handler

pytestmark = pytest.mark.django_db

BUCKET = "tests.jobs.batches"
_failing: set[str] = set()
_raise_all = {"on": False}


@pytest.fixture(autouse=True)
def _reset():
    _failing.clear()
    _raise_all["on"] = False
    yield
    _failing.clear()
    _raise_all["on"] = False


@handler("tests.batches.record", batch_size=100, max_attempts=2)
def record(payloads: list[dict]) -> list:
    """Writes a row per item; an item named in `_failing` is reported failed and writes nothing."""
    if _raise_all["on"]:
        RateLimitHit.objects.create(bucket=BUCKET, key="written before the failure")
        raise RuntimeError("the registry is down")
    results = []
    for payload in payloads:
        if payload["key"] in _failing:
            results.append(RuntimeError(f"no record for {payload['key']}"))
        else:
            RateLimitHit.objects.create(bucket=BUCKET, key=payload["key"])
            results.append({"recorded": payload["key"]})
    return results


@handler("tests.batches.external", batch_size=10, atomic=False)
def external(payloads: list[dict]) -> list:
    RateLimitHit.objects.bulk_create([RateLimitHit(bucket=BUCKET, key=p["key"]) for p in payloads])
    return [{"sent": True} if p["key"] not in _failing else RuntimeError("refused") for p in payloads]


def _enqueue_each(kind: str, count: int, django_capture_on_commit_callbacks) -> list[Job]:
    """Each job in its own transaction, handed over at its commit (as requests and events do)."""
    jobs = []
    for n in range(count):
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                jobs.append(services.enqueue_job(kind=kind, payload={"key": f"k{n}"}))
    return jobs


def _written() -> list[str]:
    return sorted(RateLimitHit.objects.filter(bucket=BUCKET).values_list("key", flat=True), key=lambda k: int(k[1:]))


def test_a_flood_of_250_jobs_takes_one_queue_entry_and_runs_each_job_once(django_capture_on_commit_callbacks, background):
    jobs = _enqueue_each("tests.batches.record", 250, django_capture_on_commit_callbacks)
    # The first job was handed over; each later one found an older one waiting for its run.
    assert list(DBTaskResult.objects.values_list("args_kwargs", flat=True)) == [{"args": [jobs[0].pk], "kwargs": {}}]
    assert background.run(sweep_first=False) == {"tests.batches.record": ["done"] * 250}
    assert _written() == [f"k{n}" for n in range(250)]
    assert set(Job.objects.values_list("state", "attempts")) == {("done", 1)}
    assert Job.objects.get(pk=jobs[7].pk).result == {"recorded": "k7"}
    # The run, finding its first batch full, handed one entry on for another worker to join in.
    assert DBTaskResult.objects.count() == 2


def test_an_item_that_fails_is_retried_alone_and_writes_nothing(django_capture_on_commit_callbacks, background, frozen_clock):
    _failing.add("k1")
    jobs = _enqueue_each("tests.batches.record", 3, django_capture_on_commit_callbacks)
    assert background.run() == {"tests.batches.record": ["done", "retry", "done"]}
    assert _written() == ["k0", "k2"]
    failed = Job.objects.get(pk=jobs[1].pk)
    assert (failed.state, failed.attempts, failed.last_error) == ("retry", 1, "RuntimeError: no record for k1")
    _failing.clear()
    frozen_clock.advance(seconds=3600)
    assert background.run() == {"tests.batches.record": ["done"]}
    assert _written() == ["k0", "k1", "k2"]


def test_a_batch_that_raises_writes_nothing_and_every_job_counts_an_attempt(django_capture_on_commit_callbacks, background, frozen_clock):
    _enqueue_each("tests.batches.record", 3, django_capture_on_commit_callbacks)
    _raise_all["on"] = True
    assert background.run() == {"tests.batches.record": ["retry", "retry", "retry"]}
    assert _written() == []  # the row written before the failure was rolled back with the batch
    frozen_clock.advance(seconds=3600)
    assert background.run() == {"tests.batches.record": ["dead", "dead", "dead"]}
    assert set(Job.objects.values_list("state", "attempts", "last_error")) == {("dead", 2, "RuntimeError: the registry is down")}


def test_a_job_that_deferred_to_an_older_waiting_one_runs_in_that_ones_run(django_capture_on_commit_callbacks, background):
    """(With runs and producers at once on PostgreSQL: tests/jobs/test_concurrency.py.)"""
    first = _enqueue_each("tests.batches.record", 1, django_capture_on_commit_callbacks)[0]
    # Another transaction's job is recorded; its commit finds `first` waiting, so it gets no entry.
    with django_capture_on_commit_callbacks(execute=True):
        later = services.enqueue_job(kind="tests.batches.record", payload={"key": "k1"})
    assert DBTaskResult.objects.count() == 1
    # The run that takes `first` takes `later` as well (both due), and leaves nothing behind.
    assert background.run(sweep_first=False) == {"tests.batches.record": ["done", "done"]}
    assert Job.objects.get(pk=later.pk).state == "done"
    assert Job.objects.get(pk=first.pk).state == "done"


def test_jobs_of_one_transaction_are_handed_over_as_one_entry_per_batch(django_capture_on_commit_callbacks, background):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            ids = services.enqueue_jobs(kind="tests.batches.external", payloads=[{"key": f"k{n}"} for n in range(25)],
                                        dedupe_keys=[f"external:{n}" for n in range(25)])
    ordered = [ids[f"external:{n}"] for n in range(25)]
    # Batches of 10: the runs start at the 1st, 11th and 21st job.
    assert [entry["args"][0] for entry in DBTaskResult.objects.order_by("enqueued_at", "id").values_list("args_kwargs", flat=True)] \
        == [ordered[0], ordered[10], ordered[20]]
    outcomes = background.run(sweep_first=False)["tests.batches.external"]
    assert sorted(outcomes) == ["done"] * 25
    assert _written() == [f"k{n}" for n in range(25)]


def test_enqueue_jobs_keeps_the_first_job_of_a_key():
    first = services.enqueue_jobs(kind="tests.batches.external", payloads=[{"key": "a"}], dedupe_keys=["once:a"])
    again = services.enqueue_jobs(kind="tests.batches.external", payloads=[{"key": "a"}, {"key": "b"}],
                                  dedupe_keys=["once:a", "once:b"])
    assert again["once:a"] == first["once:a"]
    assert Job.objects.count() == 2
    with pytest.raises(ValueError, match="already names a tests.batches.external job"):
        services.enqueue_jobs(kind="tests.batches.record", payloads=[{"key": "a"}], dedupe_keys=["once:a"])


def test_a_claimed_batch_completes_only_the_jobs_still_its_own(django_capture_on_commit_callbacks, frozen_clock):
    """A job of a claimed batch that the sweeper handed on meanwhile is not completed by the late run."""
    _failing.add("k2")
    jobs = _enqueue_each("tests.batches.external", 3, django_capture_on_commit_callbacks)
    def taken_over(payloads):
        Job.objects.filter(pk=jobs[1].pk).update(state="retry", attempts=2)  # the sweeper judged this run dead
        return external(payloads)

    import dataclasses

    from yiwang.jobs import registry

    saved = registry._handlers["tests.batches.external"]
    registry._handlers["tests.batches.external"] = dataclasses.replace(saved, func=taken_over)
    try:
        outcome = services.execute_job(job_id=jobs[0].pk, worker="late")
    finally:
        registry._handlers["tests.batches.external"] = saved
    assert outcome == "retry done skipped"  # k2 refused; k0 done; k1 is the sweeper's now
    states = {job.pk: (job.state, job.attempts) for job in Job.objects.all()}
    assert states == {jobs[0].pk: ("done", 1), jobs[1].pk: ("retry", 2), jobs[2].pk: ("retry", 1)}
