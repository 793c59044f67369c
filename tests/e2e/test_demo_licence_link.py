"""Real browser against a real `yiwang demo --port P`: the licence's QR link opens on the demo's own port.

The demo runs as its own process (SQLite in a temporary data folder, YIWANG_PUBLIC_URL unset, no
--registry-port), exactly as `make demo` starts it. A licence is issued in its database by a
separate process (the officer's issuing journey is tested in test_journey.py); the resident then
downloads the PDF from the demo, and the QR code's address is opened in a phone-sized browser.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import ARTIFACTS, browser_only
from tests.licences.qr import drawn_qr_matrix
from tests.registries.conftest import free_port
from yiwang import cli
from yiwang.licences import pdf

pytestmark = browser_only

REPOSITORY = Path(__file__).resolve().parents[2]
RESIDENT, RESIDENT_PASSWORD = "zhangsan", "demo-zhangsan-2026"  # printed by the demo

# Run in the demo's data folder: a decided case of the demo resident and its signed licence.
ISSUE_LICENCE = """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang.config.settings"
django.setup()
from yiwang.accounts.models import User
from yiwang.applications.constants import RESULT_ISSUED
from yiwang.catalog.selectors import item_rules_snapshot
from yiwang.licences.services import issue_licence
from tests.licences.conftest import make_case

case = make_case(User.objects.get(username="zhangsan"), number="DEMO-QR-0001")
case.rules = item_rules_snapshot(case.item)  # the rules frozen at submission, as the case page reads them
case.save(update_fields=["rules"])
licence = issue_licence(case=case, issued_by=User.objects.get(username="officer"))
case.state = RESULT_ISSUED
case.save(update_fields=["state"])
print(case.pk, licence.number)
"""


def _demo_environment(data_dir: Path) -> dict:
    """The environment of a newcomer's shell: nothing says where the platform is served."""
    drop = {"YIWANG_DATABASE_URL", "YIWANG_PUBLIC_URL", "YIWANG_REGISTRY_URL", "LD_PRELOAD", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("FAKETIME")}
    env["YIWANG_DATA_DIR"] = str(data_dir)
    return env


def _wait_until_served(process: subprocess.Popen, output: Path, port: int, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the demo exited with {process.returncode}:\n{output.read_text()}")
        text = output.read_text()
        if "Serving the demo on" in text:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return text
            except OSError:
                pass
        time.sleep(0.2)
    raise AssertionError(f"the demo did not serve on {port} within {timeout} s:\n{output.read_text()}")


class Demo:
    """A running `yiwang demo` process and what it printed."""

    def __init__(self, process: subprocess.Popen, port: int, printed: str, env: dict):
        self.process, self.port, self.printed, self.env = process, port, printed, env
        self.base = f"http://127.0.0.1:{port}"
        found = re.search(r"Registry service \(data sharing, 免交\) on http://127\.0\.0\.1:(\d+)/\n", printed)
        self.registry_port = int(found[1]) if found else None

    def stop(self) -> int:
        """Ctrl+C's equivalent for gunicorn (SIGTERM); the demo's exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


@pytest.fixture
def demo(tmp_path):
    """`yiwang demo --data-dir <tmp> --port <free>` as its own process, stopped at the end."""
    data_dir = tmp_path / "data"
    port = free_port()
    env = _demo_environment(data_dir)
    output = tmp_path / "demo.out"
    with output.open("w") as out, (tmp_path / "demo.err").open("w") as err:
        process = subprocess.Popen([sys.executable, "-m", "yiwang", "demo", "--data-dir", str(data_dir), "--port", str(port)],
                                   cwd=REPOSITORY, env=env, stdout=out, stderr=err)
    running = Demo(process, port, "", env)
    try:
        running = Demo(process, port, _wait_until_served(process, output, port), env)
        yield running
    finally:
        running.stop()


def test_qr_link_of_an_issued_licence_opens_verification_on_the_demos_port(demo, browser, tmp_path):
    base = demo.base
    assert f"Serving the demo on {base}/  (Ctrl+C to stop)" in demo.printed
    # Its registry is on a free port of its own choosing (none was given), and answers as the child it started.
    assert demo.registry_port not in (None, demo.port)
    with urllib.request.urlopen(f"http://127.0.0.1:{demo.registry_port}/healthz", timeout=2) as response:
        assert json.loads(response.read())["service"] == "yiwang-registry-service"

    issued = subprocess.run([sys.executable, "-c", ISSUE_LICENCE], cwd=REPOSITORY, env=demo.env,
                            capture_output=True, text=True, timeout=120)
    assert issued.returncode == 0, issued.stderr
    case_id, number = issued.stdout.split()

    # The resident downloads the e-licence from the case page.
    resident = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
    resident.goto(f"{base}/accounts/login/")
    resident.fill("input[name=username]", RESIDENT)
    resident.fill("input[name=password]", RESIDENT_PASSWORD)
    resident.click("form[action='/accounts/login/'] button[type=submit]")
    resident.wait_for_load_state("networkidle")
    resident.goto(f"{base}/cases/{case_id}/")
    with resident.expect_download() as download_info:
        resident.click("text=下载电子证照")
    data = Path(download_info.value.path()).read_bytes()

    # The address printed beside the QR code, and the QR code itself, name the demo's own port.
    qr_url = f"{base}/licences/verify/{number}/"
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert re.findall(r"https?://[^\s]+/licences/verify/[^\s]+/", text) == [qr_url]
    expected = pdf.qr_matrix(qr_url)
    assert drawn_qr_matrix(data, len(expected)) == expected

    # A phone scans it: the verification page opens, valid, and fits the screen.
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    phone.goto(qr_url)
    assert phone.url == qr_url
    assert phone.locator("[data-status]").first.get_attribute("data-status") == "valid"
    assert "有效" in phone.content() and number in phone.content()
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "demo-qr-verify.png"), full_page=True)

    # Typed by hand from the paper, in lower case with spaces around it, it finds the same licence.
    phone.goto(f"{base}/licences/verify/")
    phone.fill("#licence-number", f"  {number.lower()} ")
    phone.click("form[action='/licences/verify/'] button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert phone.url == qr_url
    assert phone.locator("[data-status]").first.get_attribute("data-status") == "valid"


    # Stopped, the demo takes its registry child with it.
    assert demo.stop() == 0
    assert cli.port_is_free("127.0.0.1", demo.registry_port)
