"""The outbox of background work on the real database queue: recorded with the business change,
run once, retried with backoff, dead after the maximum, retried by a person, swept, scheduled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client

from tests.factories import PASSWORD
from yiwang.core.models import RateLimitHit
from yiwang.jobs import services
from yiwang.jobs.models import Job
from yiwang.jobs.registry import handler, periodic, schedule

pytestmark = pytest.mark.django_db

# Each handler leaves a RateLimitHit row as its visible database effect: a real table, counted.
BUCKET = "tests.jobs"
_fail_times: dict[str, int] = {}


def effects(key: str | None = None) -> int:
    rows = RateLimitHit.objects.filter(bucket=BUCKET)
    return (rows.filter(key=key) if key else rows).count()


@handler("tests.jobs.record", max_attempts=3)
def record(*, key: str) -> dict:
    RateLimitHit.objects.create(bucket=BUCKET, key=key)
    if _fail_times.get(key, 0) > 0:
        _fail_times[key] -= 1
        raise RuntimeError(f"gateway down for {key}")
    return {"recorded": key}


@pytest.fixture(autouse=True)
def _no_failures_left():
    _fail_times.clear()
    yield
    _fail_times.clear()


def test_a_job_is_recorded_with_the_business_change_or_not_at_all():
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            services.enqueue_job(kind="tests.jobs.record", payload={"key": "a"})
            raise RuntimeError("the business change failed")
    assert Job.objects.count() == 0


def test_commit_hands_the_job_to_the_queue_by_id(django_capture_on_commit_callbacks, frozen_clock):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        job = services.enqueue_job(kind="tests.jobs.record", payload={"key": "a"})
    entry = DBTaskResult.objects.get()
    assert (entry.task_path, entry.args_kwargs) == ("yiwang.jobs.queue.run_job", {"args": [job.pk], "kwargs": {}})
    job.refresh_from_db()
    assert (job.state, job.enqueued_at) == ("queued", frozen_clock.now())


def test_a_job_runs_once_even_when_handed_over_twice(background):
    job = services.enqueue_job(kind="tests.jobs.record", payload={"key": "a"})
    services.hand_to_queue([job.pk])
    services.hand_to_queue([job.pk])
    assert background.run() == {"tests.jobs.record": ["done"]}
    job.refresh_from_db()
    assert (job.state, job.attempts, job.result, effects("a")) == ("done", 1, {"recorded": "a"}, 1)
    assert background.run() == {}
    assert effects("a") == 1


def test_an_unknown_kind_is_refused_where_it_is_made():
    with pytest.raises(LookupError) as refused:
        services.enqueue_job(kind="tests.jobs.nobody_handles_this")
    assert "tests.jobs.nobody_handles_this" in str(refused.value)


def test_the_same_dedupe_key_gives_the_same_job():
    first = services.enqueue_job(kind="tests.jobs.record", payload={"key": "a"}, dedupe_key="once:a")
    second = services.enqueue_job(kind="tests.jobs.record", payload={"key": "a"}, dedupe_key="once:a")
    assert first.pk == second.pk
    assert Job.objects.count() == 1


def test_failures_back_off_then_the_job_is_dead_until_a_person_retries_it(background, frozen_clock):
    _fail_times["b"] = 3  # fails on every one of its 3 attempts
    job = services.enqueue_job(kind="tests.jobs.record", payload={"key": "b"})
    start = frozen_clock.now()
    assert background.run() == {"tests.jobs.record": ["retry"]}
    job.refresh_from_db()
    assert (job.state, job.attempts, job.last_error) == ("retry", 1, "RuntimeError: gateway down for b")
    assert start + dt.timedelta(seconds=5) <= job.next_attempt_at <= start + dt.timedelta(seconds=10)
    assert effects("b") == 0  # the failed attempt's own writes were undone with it

    assert background.run() == {}  # not due yet
    frozen_clock.advance(dt.timedelta(seconds=10))
    assert background.run() == {"tests.jobs.record": ["retry"]}
    job.refresh_from_db()
    assert job.attempts == 2
    assert frozen_clock.now() + dt.timedelta(seconds=10) <= job.next_attempt_at <= frozen_clock.now() + dt.timedelta(seconds=20)
    frozen_clock.advance(dt.timedelta(seconds=20))
    assert background.run() == {"tests.jobs.record": ["dead"]}
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("dead", 3)
    frozen_clock.advance(dt.timedelta(days=1))
    assert background.run() == {}  # the dead stay dead

    assert services.retry_now(job_ids=[job.pk], actor="admin") == 1
    assert background.run() == {"tests.jobs.record": ["done"]}
    job.refresh_from_db()
    assert (job.state, job.attempts, job.last_error, effects("b")) == ("done", 1, "", 1)


def test_the_sweeper_hands_on_a_job_whose_worker_died(background, frozen_clock):
    job = services.enqueue_job(kind="tests.jobs.record", payload={"key": "c"})
    # A worker claimed it, then was killed: its transaction never committed.
    Job.objects.filter(pk=job.pk).update(state="running", attempts=1, claimed_at=frozen_clock.now(), claimed_by="host:4242")
    frozen_clock.advance(dt.timedelta(minutes=4, seconds=59))
    assert services.sweep().reclaimed == 0
    frozen_clock.advance(dt.timedelta(seconds=1))
    assert services.sweep().reclaimed == 1
    job.refresh_from_db()
    assert (job.state, job.last_error) == ("retry", "worker host:4242 did not finish attempt 1 in time")
    assert background.run() == {"tests.jobs.record": ["done"]}
    job.refresh_from_db()
    assert (job.state, job.attempts, effects("c")) == ("done", 2, 1)


def test_each_schedule_slot_runs_once_whoever_asks(background, frozen_clock):
    names = [entry.name for entry in schedule()]
    assert names == ["deadline-warnings", "evaluation-nightly", "evaluation-partners", "forget-finished-jobs",
                     "hall-missed-appointments", "kiosks-silent", "purge-login-attempts", "purge-rate-limit-hits", "ratings-defaults", "ratings-escalate-overdue",
                     "remove-superseded-files", "sms-gateway-weights", "sms-receipt-time-outs", "webhook-evidence-retention"]
    first = services.run_due_schedule()
    second = services.run_due_schedule()  # a second worker in the same slot
    assert [job.pk for job in first] == [job.pk for job in second]
    assert sorted(Job.objects.values_list("dedupe_key", flat=True)) == [
        "schedule:deadline-warnings:2026-03-10T08:30:00+08:00",
        "schedule:evaluation-nightly:2026-03-10T02:00:00+08:00",
        "schedule:evaluation-partners:2026-03-10T02:30:00+08:00",
        "schedule:forget-finished-jobs:2026-03-10T03:30:00+08:00",
        "schedule:hall-missed-appointments:2026-03-10T10:00:00+08:00",
        "schedule:kiosks-silent:2026-03-10T10:00:00+08:00",
        "schedule:purge-login-attempts:2026-03-10T03:10:00+08:00",
        "schedule:purge-rate-limit-hits:2026-03-10T03:20:00+08:00",
        "schedule:ratings-defaults:2026-03-10T01:30:00+08:00",
        "schedule:ratings-escalate-overdue:2026-03-10T10:00:00+08:00",
        "schedule:remove-superseded-files:2026-03-10T10:00:00+08:00",
        "schedule:sms-gateway-weights:2026-03-10T10:00:00+08:00",
        "schedule:sms-receipt-time-outs:2026-03-10T10:00:00+08:00",
        "schedule:webhook-evidence-retention:2026-03-10T03:40:00+08:00",
    ]
    assert background.run() == {kind: ["done"] for kind in (
        "accounts.purge_login_attempts", "applications.remove_superseded_files", "core.purge_rate_limit_hits",
        "evaluation.fetch_partners", "evaluation.rebuild_recent", "hall.mark_missed_appointments", "kiosks.alert_silent",
        "jobs.forget_finished", "notifications.deadline_warnings", "notifications.drift_gateway_weights",
        "notifications.time_out_silent_deliveries", "ratings.apply_defaults", "ratings.escalate_overdue",
        "webhooks.forget_old_attempts")}
    frozen_clock.advance(dt.timedelta(minutes=15))
    services.run_due_schedule()
    assert Job.objects.count() == 17  # only the five-minute and quarter-hourly entries have a new slot
    assert Job.objects.filter(dedupe_key="schedule:sms-gateway-weights:2026-03-10T10:15:00+08:00").exists()
    frozen_clock.advance(dt.timedelta(minutes=45))
    services.run_due_schedule()
    assert Job.objects.count() == 23  # 11:00: the hourly ones, the quarter-hourly one and the five-minute one


def test_periodic_entries_need_exactly_one_timing():
    with pytest.raises(ValueError):
        periodic("tests-bad", kind="tests.jobs.record")
    with pytest.raises(ValueError):
        periodic("tests-bad", kind="tests.jobs.record", every=dt.timedelta(hours=1), daily_at=dt.time(3))


def test_a_dead_job_shows_in_the_back_office_and_can_be_retried_there(background, frozen_clock):
    from yiwang.accounts.models import User

    _fail_times["e"] = 3
    job = services.enqueue_job(kind="tests.jobs.record", payload={"key": "e"})
    for _ in range(3):
        background.run()
        frozen_clock.advance(dt.timedelta(minutes=5))
    job.refresh_from_db()
    assert job.state == "dead"
    User.objects.create_superuser(username="jobs-admin", password=PASSWORD, email="")
    client = Client()
    assert client.login(username="jobs-admin", password=PASSWORD)
    listing = client.get("/admin/jobs/job/?state__exact=dead")
    assert listing.status_code == 200
    assert "tests.jobs.record" in listing.content.decode()
    assert "RuntimeError: gateway down for e" in listing.content.decode()
    answer = client.post("/admin/jobs/job/", {"action": "retry_now", "_selected_action": [job.pk]}, follow=True)
    assert "已安排 1 个任务立即重试。" in answer.content.decode()
    assert background.run() == {"tests.jobs.record": ["done"]}
    assert effects("e") == 1


def test_staff_without_the_admin_role_cannot_retry(background):
    from tests.factories import make_staff

    job = services.enqueue_job(kind="tests.jobs.record", payload={"key": "f"})
    officer = make_staff(role="window_officer", departments=["SCJG"])
    client = Client()
    client.force_login(officer)
    answer = client.post("/admin/jobs/job/", {"action": "retry_now", "_selected_action": [job.pk]})
    assert answer.status_code == 302  # to the admin login: officers have no back office
    assert answer["Location"].startswith("/admin/login/")
