"""The index is built before a resident asks: in gunicorn's master, just before it forks a worker."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from django.db import connection

from tests.search.conftest import codes
from yiwang.search import selectors

pytestmark = pytest.mark.django_db

# Loads Django as `yiwang serve` does, forks once as gunicorn's master does for each worker and
# prints: warm in the master before the fork, warm in the master after it, the child's exit code
# (0: the child found the index ready and answered from it; 3: it would have to build one).
FORK_LIKE_GUNICORN = """
import os
import django

django.setup()
from yiwang.search import selectors

before = selectors.index_is_warm()
pid = os.fork()
if pid == 0:
    try:
        ready = selectors.index_is_warm()
        answer = selectors.search("开个小饭店要办什么证", limit=1)[0].code
        os._exit(0 if ready and answer == "310120-YJS-010" else 3)
    except BaseException:
        os._exit(4)
_, status = os.waitpid(pid, 0)
print(before, selectors.index_is_warm(), os.waitstatus_to_exitcode(status))
"""


def _environment_with_this_database(tmp_path) -> dict:
    """The environment of a process that reads the committed contents of the test database."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="yiwang.config.settings", YIWANG_DATA_DIR=str(tmp_path))
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        env.pop("YIWANG_DATABASE_URL", None)
        # The catalogue was committed when the test database was set up; a backup is consistent.
        with sqlite3.connect(settings["NAME"]) as source, sqlite3.connect(tmp_path / "yiwang.sqlite3") as copy:
            source.backup(copy)
    else:
        user = settings["USER"] or "postgres"
        env["YIWANG_DATABASE_URL"] = f"postgresql://{user}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    return env


def _fork_like_gunicorn(env: dict) -> str:
    done = subprocess.run(
        [sys.executable, "-c", FORK_LIKE_GUNICORN], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_forked_worker_starts_with_the_index_built(search_catalog, tmp_path):
    assert _fork_like_gunicorn(_environment_with_this_database(tmp_path)) == "False True 0"


def test_without_the_warm_up_the_worker_would_build_on_its_first_search(search_catalog, tmp_path):
    env = _environment_with_this_database(tmp_path)
    env["YIWANG_SEARCH_WARM_UP"] = "0"
    assert _fork_like_gunicorn(env) == "False False 3"


def test_a_process_that_never_forks_builds_nothing_at_start(search_catalog, tmp_path):
    # Management commands and this test suite: loading Django builds no index.
    env = _environment_with_this_database(tmp_path)
    script = "import django; django.setup(); from yiwang.search import selectors; print(selectors.index_is_warm())"
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.strip()) == (0, "False"), done.stderr


def test_warm_up_leaves_the_index_the_next_search_uses(search_catalog, django_assert_num_queries):
    selectors.forget_index_unless(None)
    assert selectors.index_is_warm() is False
    index = selectors.warm_up()
    assert selectors.index_is_warm() is True
    with django_assert_num_queries(1):  # the fingerprint only: nothing is built
        hits = selectors.search("营业只照", limit=1)
    assert codes(hits) == ["310120-SCJG-20-0002"]
    assert selectors.current_index() is index
