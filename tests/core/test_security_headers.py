"""Headers every response carries, pages without inline scripts, and no server banner."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.factories import make_resident
from tests.registries.conftest import free_port
from yiwang.core.middleware import CONTENT_SECURITY_POLICY

SRC = Path(__file__).resolve().parents[2] / "src" / "yiwang"


@pytest.mark.django_db
def test_every_page_carries_the_policy_and_public_pages_may_be_cached(client, catalog):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY.split(
        "style-src")[0]
    assert response["Permissions-Policy"] == "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_personal_pages_are_never_stored(client, catalog):
    client.force_login(make_resident())
    for path in ("/cases/mine/", "/data-sharing/my-data/", "/bundles/mine/"):
        response = client.get(path)
        assert (response.status_code, response["Cache-Control"]) == (200, "private, no-store"), path


def test_no_template_has_an_inline_script_or_handler():
    offenders = []
    for path in sorted(SRC.rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\son[a-z]+\s*=", r"\shx-on[:-]"):
            for match in re.finditer(pattern, text):
                offenders.append(f"{path.relative_to(SRC)}: {match.group(0)}")
    assert offenders == []


def test_the_production_server_sends_no_server_banner(tmp_path):
    port = free_port()
    env = {**os.environ, "YIWANG_DATA_DIR": str(tmp_path)}
    env.pop("YIWANG_DATABASE_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "yiwang", "serve", "--port", str(port), "--workers", "1", "--threads", "1"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    headers = dict(response.headers)
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert "Server" not in headers
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    finally:
        server.terminate()
        server.wait(timeout=10)
