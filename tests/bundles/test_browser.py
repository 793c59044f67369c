"""Real browser (headless Chromium): the guide updates live as the resident answers, then 开始办理."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.factories import PASSWORD, make_enterprise

CHROMIUM = os.environ.get("YIWANG_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"{CHROMIUM} not installed (apt-get install chromium)"),
]


@pytest.fixture
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_answers_update_the_items_live_and_start_the_bundle(catalog, live_server, browser, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ARTIFACTS.mkdir(exist_ok=True)
    company = make_enterprise()
    base = live_server.url
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", company.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("networkidle")

    page.goto(f"{base}/bundles/310120-YJS-001/")
    assert page.locator("tr.applicable-item").count() == 7
    page.check("input[name=answer_q1][value=individual]")
    page.wait_for_selector("tr.applicable-item[data-code='310120-SCJG-01-0001']")
    assert page.locator("tr.applicable-item").count() == 6
    assert "无需办理“有限责任公司设立登记”" in page.content()
    for question, value in (("q2", "yes"), ("q3", "no"), ("q4", "prepackaged")):
        page.check(f"input[name=answer_{question}][value={value}]")
        page.wait_for_load_state("networkidle")
    page.wait_for_selector("tr.applicable-item[data-code='310120-SCJG-20-0004']")
    page.screenshot(path=str(ARTIFACTS / "bundle-01-guide.png"), full_page=True)
    page.click("button:has-text('开始办理')")
    page.wait_for_url("**/bundles/cases/*/")
    assert page.locator("tr.material-row").count() >= 4
    page.screenshot(path=str(ARTIFACTS / "bundle-02-form.png"), full_page=True)
