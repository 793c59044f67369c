"""Real worker processes on a database of their own: one is killed (SIGKILL) in the middle of a job,
two others take over at once; every job's effect exists exactly once.

The children run the platform's own worker (`QueueWorker` and the schedule thread, as
`yiwang worker` does) with one extra handler whose database effect is counted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

# Process kills are about crashes, not dates: not in the faked-date runs (scripts/test-other-dates.sh).
pytestmark = pytest.mark.process_faults

SCRIPT = textwrap.dedent(
    """
    import datetime as dt, json, os, sys, threading, time
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang.config.settings"
    django.setup()
    from django.db import transaction
    from yiwang.core.models import RateLimitHit
    from yiwang.jobs.models import Job
    from yiwang.jobs.registry import handler
    from yiwang.jobs import services

    services.HANDOVER_GRACE_SECONDS = 1  # a lost run is handed over again after 1 s here (30 s in production)

    @handler("tests.kill.record", timeout=dt.timedelta(seconds=2))
    def record(*, key):
        RateLimitHit.objects.create(bucket="tests.kill", key=key)
        # The key "slow" runs long enough to be killed in the middle (only on its first attempt).
        if key == "slow" and not RateLimitHit.objects.filter(bucket="tests.kill.seen").exists():
            open(os.environ["SLOW_MARKER"], "w").close()  # outside the database: visible while the run lasts
            time.sleep(30)
        time.sleep(0.02)

    mode = sys.argv[1]
    if mode == "enqueue":
        keys = [f"k{i}" for i in range(20)]
        keys.insert(5, "slow")
        for key in keys:
            with transaction.atomic():
                services.enqueue_job(kind="tests.kill.record", payload={"key": key})
    elif mode == "worker":
        from yiwang.jobs.worker import QueueWorker, start_schedule
        start_schedule(tick=0.3, stop=threading.Event())
        QueueWorker(poll_seconds=0.05).run()
    elif mode == "seen":
        RateLimitHit.objects.create(bucket="tests.kill.seen", key="slow")
    elif mode == "inspect":
        jobs = Job.objects.filter(kind="tests.kill.record")
        print(json.dumps({
            "states": sorted({j.payload["key"]: j.state for j in jobs}.items()),
            "attempts": {j.payload["key"]: j.attempts for j in jobs},
            "effects": {k: RateLimitHit.objects.filter(bucket="tests.kill", key=k).count()
                        for k in jobs.values_list("payload__key", flat=True)},
            "slow_running": os.path.exists(os.environ["SLOW_MARKER"]),
        }))
    """
)


def _run(env, *args) -> dict | None:
    result = subprocess.run([sys.executable, "-c", SCRIPT, *args], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout) if result.stdout.strip() else None


def _wait(env, condition, what: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        seen = _run(env, "inspect")
        if condition(seen):
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: {seen}")
        time.sleep(0.3)


def _worker(env):
    return subprocess.Popen([sys.executable, "-c", SCRIPT, "worker"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)


def test_a_worker_killed_mid_job_loses_nothing_and_nothing_runs_twice(separate_empty_database, tmp_path):
    env = {**separate_empty_database, "SLOW_MARKER": str(tmp_path / "slow-started")}
    _run(env, "enqueue")
    first = _worker(env)
    try:
        _wait(env, lambda seen: seen["slow_running"], "the first worker to start the slow job")
        os.kill(first.pid, signal.SIGKILL)  # no cleanup, no rollback: the process vanishes
        first.wait(timeout=10)
        _run(env, "seen")  # from now on the slow job is quick
        others = [_worker(env), _worker(env)]
        try:
            done = _wait(env, lambda seen: all(state == "done" for _, state in seen["states"]), "every job to finish")
        finally:
            for worker in others:
                worker.send_signal(signal.SIGTERM)
            for worker in others:
                worker.wait(timeout=20)
    finally:
        if first.poll() is None:
            first.kill()
    assert len(done["states"]) == 21
    assert set(done["effects"].values()) == {1}  # each job's effect exactly once
    # The killed run's transaction never committed: it left no effect and no attempt behind.
    assert sorted(done["attempts"].values()) == [1] * 21


def test_yiwang_worker_burst_runs_what_is_due_and_exits(separate_empty_database):
    result = subprocess.run([sys.executable, "-m", "yiwang", "worker", "--burst"], env=separate_empty_database,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    inspect = textwrap.dedent(
        """
        import json, os, django
        os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang.config.settings"
        django.setup()
        from yiwang.jobs.models import Job
        print(json.dumps(sorted(Job.objects.values_list("kind", "state"))))
        """
    )
    listed = subprocess.run([sys.executable, "-c", inspect], env=separate_empty_database, capture_output=True, text=True, timeout=60)
    assert json.loads(listed.stdout) == [
        ["accounts.purge_login_attempts", "done"],
        ["applications.remove_superseded_files", "done"],
        ["core.purge_rate_limit_hits", "done"],
        ["evaluation.fetch_partners", "done"],
        ["evaluation.rebuild_recent", "done"],
        ["hall.mark_missed_appointments", "done"],
        ["jobs.forget_finished", "done"],
        ["kiosks.alert_silent", "done"],
        ["notifications.deadline_warnings", "done"],
        ["notifications.drift_gateway_weights", "done"],
        ["notifications.time_out_silent_deliveries", "done"],
        ["ratings.apply_defaults", "done"],
        ["ratings.escalate_overdue", "done"],
        ["webhooks.forget_old_attempts", "done"],
    ]
