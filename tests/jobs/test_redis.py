"""The same outbox with Redis as the queue (RQ), by configuration alone: a real Redis server.

Redis is expected on YIWANG_REDIS_URL (tests: redis://127.0.0.1:6379/15). Without one these
tests are skipped, unless YIWANG_REQUIRE_REDIS=1 (CI) makes a missing Redis a failure.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings as django_settings

from yiwang.core.models import RateLimitHit
from yiwang.jobs import services
from yiwang.jobs.models import Job
from yiwang.jobs.registry import handler
from yiwang.jobs.worker import QueueWorker

# RQ's timed waits do not survive a faked clock: not in the faked-date runs (queues are not about dates).
pytestmark = [pytest.mark.django_db, pytest.mark.redis]
BUCKET = "tests.jobs.redis"
REDIS_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


def _redis():
    import redis

    client = redis.Redis.from_url(django_settings.RQ_QUEUES["default"]["URL"], socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("YIWANG_REQUIRE_REDIS") == "1":
            raise
        pytest.skip(f"no Redis at {django_settings.RQ_QUEUES['default']['URL']}")
    return client


@pytest.fixture
def redis_queue(settings):
    client = _redis()
    client.flushdb()
    settings.TASKS = REDIS_TASKS
    yield client
    client.flushdb()


@handler("tests.jobs.redis.record")
def record(*, key: str) -> dict:
    RateLimitHit.objects.create(bucket=BUCKET, key=key)
    return {"recorded": key}


def test_a_job_travels_through_redis_and_runs_once(redis_queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.enqueue_job(kind="tests.jobs.redis.record", payload={"key": "a"})
    assert redis_queue.llen("rq:queue:default") == 1
    services.hand_to_queue([job.pk])  # a duplicate hand-over (the sweeper after a lost one)
    assert redis_queue.llen("rq:queue:default") == 2
    QueueWorker(burst=True).run()
    job.refresh_from_db()
    assert (job.state, job.attempts, job.result) == ("done", 1, {"recorded": "a"})
    assert RateLimitHit.objects.filter(bucket=BUCKET, key="a").count() == 1
    assert redis_queue.llen("rq:queue:default") == 0


def test_redis_down_at_hand_over_loses_nothing(redis_queue, django_capture_on_commit_callbacks, monkeypatch):
    import django_rq.settings

    # A real refused connection: nothing listens on port 1.
    monkeypatch.setitem(django_rq.settings.QUEUES["default"], "URL", "redis://127.0.0.1:1/15")
    with django_capture_on_commit_callbacks(execute=True):
        job = services.enqueue_job(kind="tests.jobs.redis.record", payload={"key": "b"})
    job.refresh_from_db()
    assert (job.state, job.enqueued_at) == ("queued", None)
    monkeypatch.undo()  # Redis is back
    assert services.sweep(grace_seconds=0).handed_over == 1
    QueueWorker(burst=True).run()
    job.refresh_from_db()
    assert job.state == "done"
    assert RateLimitHit.objects.filter(bucket=BUCKET, key="b").count() == 1
    assert Job.objects.filter(state="queued").count() == 0
