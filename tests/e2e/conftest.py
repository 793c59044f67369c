"""Shared pieces of the real-browser journeys: Debian's headless Chromium driven by Playwright, the
login form, and the REAL registry service process (see tests/registries/conftest.py) for data sharing.

The live server runs in this process (a thread), so `settings` and the frozen clock apply to it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.factories import PASSWORD
from tests.registries.conftest import start_registry_process, use_registry

CHROMIUM = os.environ.get("YIWANG_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

browser_only = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"{CHROMIUM} not installed (apt-get install chromium)"),
]


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are safe here
    # (only while the browser is open: later tests keep Django's guard).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync", "--disable-quic"],
        )
        yield browser
        browser.close()
        # The test's own ORM calls ran while Playwright's event loop was current, so Django keyed
        # their connection to that context; close it here, or PostgreSQL cannot drop the test database.
        connections.close_all()


def eventually(condition, *, timeout: float = 10.0, interval: float = 0.05, what: str = "the condition") -> None:
    """Wait until `condition()` is true (e.g. a row the browser's request writes): polled from the
    test, because the pages' Content-Security-Policy forbids the eval that a string
    `page.wait_for_function` needs."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def login(page, base: str, username: str) -> None:
    """Sign in through the login form (every test user has tests.factories.PASSWORD)."""
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.fixture(scope="session")
def registry_service():
    """The registry service (`python -m yiwang registry-service`) on a free port for the session.

    Started with drills enabled for its clock drill only: the journeys set no faults.
    """
    service = start_registry_process(fault_drills=True)
    yield service
    service.stop()


@pytest.fixture
def registry(registry_service, settings, frozen_clock):
    """Point the platform (and so the live server) at the registry service for one test."""
    yield from use_registry(registry_service, settings, frozen_clock)


@pytest.fixture
def worker(live_server):
    """A real background worker (the database queue's, as `yiwang worker` runs it) in a thread of
    this process, beside the live server, so it reads the same frozen clock."""
    import threading

    from django.db import connections

    from yiwang.jobs.worker import QueueWorker

    queue_worker = QueueWorker(poll_seconds=0.05)

    def run():
        try:
            queue_worker.run()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="test-worker", daemon=True)
    thread.start()
    yield queue_worker
    queue_worker.stop()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the worker did not stop"


def background_settled() -> bool:
    """True once no background job waits or runs (for `eventually`)."""
    from yiwang.jobs.models import Job

    return not Job.objects.filter(state__in=("queued", "running", "retry")).exists()
