"""Shared fixtures: the frozen clock, the reference catalogue loaded once, and people of every role.

Tests never read the wall clock: `frozen_clock` (autouse) stands `core.clock` still at
`DEFAULT_NOW` for every test, including the live server's threads. A test that needs another day
or time says so with `frozen_clock.set(...)` / `frozen_clock.advance(...)`. CI also runs the suite
under faked wall-clock dates (`make test-dates`), so a test that reads the real date fails there.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests import factories
from yiwang.core import clock as core_clock

# A Tuesday, an ordinary working day in a year whose holiday schedule is known, 10:00 in Shanghai.
DEFAULT_NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=core_clock.LEGAL_TIME_ZONE)

REFERENCE_CATALOG = Path(__file__).resolve().parent.parent / "src" / "yiwang" / "catalog" / "data" / "catalog-fengxian.json"


# The reference catalogue (and the migrations' seed data) are written at this instant, well before
# any day a test sets: a test's change to the catalogue always moves the change markers
# (updated_at) that the search index and the calendar cache watch.
CATALOG_LOADED_AT = dt.datetime(2020, 1, 2, 9, 0, tzinfo=core_clock.LEGAL_TIME_ZONE)
_loaded_catalog = {"fingerprint": None}


def _ensure_catalog():
    from yiwang.catalog.selectors import catalog_is_loaded
    from yiwang.catalog.services import import_catalog
    from yiwang.search.selectors import index_fingerprint

    if not catalog_is_loaded():
        previous = core_clock.install(core_clock.FixedClock(CATALOG_LOADED_AT))
        try:
            import_catalog(data=json.loads(REFERENCE_CATALOG.read_text(encoding="utf-8")))
        finally:
            core_clock.install(previous)
    _loaded_catalog["fingerprint"] = index_fingerprint()


@pytest.fixture(autouse=True)
def frozen_clock():
    """The one clock of every test: `now` and `today` frozen at DEFAULT_NOW until the test moves them."""
    frozen = core_clock.FixedClock(DEFAULT_NOW)
    previous = core_clock.install(frozen)
    yield frozen
    core_clock.install(previous)


@pytest.fixture(scope="session", autouse=True)
def _session_clock():
    """Outside a test (database setup, the migrations' seed data) the clock stands at CATALOG_LOADED_AT."""
    previous = core_clock.install(core_clock.FixedClock(CATALOG_LOADED_AT))
    yield
    core_clock.install(previous)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _ensure_catalog()


@pytest.fixture(autouse=True)
def _no_cache_outlives_its_test():
    """Process caches keyed on change markers must not carry one test's data into the next."""
    yield
    from yiwang.notifications.services import forget_cached_weights
    from yiwang.search.selectors import forget_index_unless
    from yiwang.workcalendar.selectors import forget_cached_calendar

    forget_index_unless(_loaded_catalog["fingerprint"])
    forget_cached_calendar()
    forget_cached_weights()


@pytest.fixture
def real_hasher():
    """Keep the configured (argon2) password hasher for this test."""


@pytest.fixture(autouse=True)
def _fast_password_hasher(request, settings):
    # Argon2 with production parameters costs ~0.1-0.5 s per user made; what tests check does not
    # depend on the algorithm, except the tests that ask for `real_hasher`.
    if "real_hasher" not in request.fixturenames:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def catalog(db):
    """The reference catalogue (re-imported if a transactional test flushed it)."""
    _ensure_catalog()
    return REFERENCE_CATALOG


@pytest.fixture
def resident(db):
    return factories.make_resident()


@pytest.fixture
def other_resident(db):
    return factories.make_resident(real_name="李四")


@pytest.fixture
def settings_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class BackgroundRunner:
    """Runs the background work that is due, through the database queue, inside the test's transaction.

    It does what `yiwang worker --burst` does (sweep, then run every ready queue entry) without
    the worker's connection recycling, which would end the test's transaction.
    """

    def run(self, *, rounds: int = 20, sweep_first: bool = True) -> dict[str, list[str]]:
        """Run until nothing is due; returns {job kind: [outcome of each run]} ("skipped" runs left out).

        `sweep_first=False` runs only what is in the queue (no sweep hands anything over again).
        """
        from django_tasks_db.management.commands.db_worker import Worker
        from django_tasks_db.models import DBTaskResult

        from yiwang.jobs.models import Job
        from yiwang.jobs.services import sweep

        worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                        max_tasks=None, worker_id="test-worker", excluded_queue_names=[])
        outcomes: dict[str, list[str]] = {}
        for _ in range(rounds):
            handed = sweep(grace_seconds=0).handed_over if sweep_first else 0
            ran = 0
            while (entry := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
                entry.claim(worker.worker_id)
                worker.run_task(entry)
                entry.refresh_from_db()
                outcome = entry.return_value if entry.return_value is not None else f"error: {entry.exception_class_path}"
                ran_jobs = [each for each in str(outcome).split(" ") if each != "skipped"]  # a batch run: one per job
                if ran_jobs:
                    kind = Job.objects.get(pk=entry.args_kwargs["args"][0]).kind
                    outcomes.setdefault(kind, []).extend(ran_jobs)
                ran += 1
            if not handed and not ran:
                return outcomes
        raise AssertionError(f"background work did not settle in {rounds} rounds: {outcomes}")


@pytest.fixture
def background(db):
    """`background.run()` runs the background work due now (after the test's own writes): {kind: outcomes}."""
    return BackgroundRunner()


def _separate_database(tmp_path, *, with_catalog: bool):
    """A database of its own for child processes (SQLite in `tmp_path`, or a new PostgreSQL database)."""
    import os
    import subprocess
    import sys
    import uuid

    from django.conf import settings

    env = {**os.environ, "YIWANG_DATA_DIR": str(tmp_path)}
    db = settings.DATABASES["default"]
    created = None
    if db["ENGINE"].endswith("postgresql"):
        import psycopg

        created = f"yiwang_child_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{created}"')
        env["YIWANG_DATABASE_URL"] = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{created}"
    else:
        env.pop("YIWANG_DATABASE_URL", None)
    command = ["import-catalog", str(REFERENCE_CATALOG)] if with_catalog else ["migrate"]
    result = subprocess.run([sys.executable, "-m", "yiwang", *command], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    yield env
    if created:
        import psycopg

        with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


@pytest.fixture
def separate_database(tmp_path):
    """A database of its own, migrated with the reference catalogue, for child processes (its env)."""
    yield from _separate_database(tmp_path, with_catalog=True)


@pytest.fixture
def separate_empty_database(tmp_path):
    """A migrated database of its own without the catalogue, for child processes (its env)."""
    yield from _separate_database(tmp_path, with_catalog=False)
