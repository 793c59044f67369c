"""Real-browser journey (Debian's headless Chromium driven by Playwright).

A resident finds an item, applies with uploads and submits; a window officer accepts, approves and
issues the result; the resident downloads the e-licence PDF and its QR verification page says valid.
"""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, browser_only, login
from tests.factories import make_resident, make_staff
from tests.helpers import ITEM_ONE_LEVEL, PDF_BYTES, fill_in_page, form_for

pytestmark = browser_only


@pytest.mark.django_db(transaction=True)
def test_resident_applies_officer_approves_resident_downloads_verified_licence(catalog, live_server, browser, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_URL = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    resident = make_resident(real_name="张三")
    make_staff(role="window_officer", departments=["SCJG"], username="officer-e2e")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF_BYTES)
    base = live_server.url

    # The resident finds the item by searching the catalogue, reads the guide and applies.
    applicant = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
    login(applicant, base, resident.username)
    applicant.goto(f"{base}/")
    applicant.fill("#portal-q", "个体工商户")
    applicant.press("#portal-q", "Enter")
    applicant.click("text=个体工商户设立登记")
    applicant.wait_for_url("**/items/**")
    expect(applicant.locator("body")).to_contain_text("经营者身份证件")
    applicant.click("a.apply")
    applicant.click("button:has-text('保存草稿')")
    applicant.wait_for_url("**/edit/")
    applicant.fill("#id_phone", "13800138000")
    applicant.fill("#id_address", "上海市奉贤区南桥镇解放东路1号")
    # The item's own form (organisation, premises, scope...) as the catalogue defines it.
    fill_in_page(applicant, form_for(ITEM_ONE_LEVEL))
    for name in ("个体工商户登记（备案）申请书", "经营者身份证件"):
        applicant.set_input_files(f"input[type=file][aria-label='{name}']", str(scan))
        applicant.locator(f"input[type=file][aria-label='{name}'] ~ button").click()
        applicant.wait_for_load_state("networkidle")
    applicant.locator("a[href*='/materials/']").nth(1).wait_for()
    applicant.screenshot(path=str(ARTIFACTS / "01-application.png"), full_page=True)
    applicant.click("button:has-text('提交申报')")
    expect(applicant.locator("body")).to_contain_text("收件回执")

    # The window officer accepts and decides alone (one approval level), then issues the result.
    officer = browser.new_context(locale="zh-CN").new_page()
    login(officer, base, "officer-e2e")
    officer.goto(f"{base}/cases/queue/")
    officer.screenshot(path=str(ARTIFACTS / "02-queue.png"), full_page=True)
    officer.click("text=办理")
    for action in ("accept", "approve", "issue_result"):
        with officer.expect_navigation():
            officer.click(f"form.action-{action} button[type=submit]")
    expect(officer.locator("body")).to_contain_text("已出证")

    # The resident sees every notice and downloads the signed e-licence.
    applicant.goto(f"{base}/cases/mine/")
    applicant.click("table a[href^='/cases/']")
    expect(applicant.locator("body")).to_contain_text("办结通知书")
    content = applicant.content()
    for title in ("收件回执", "受理通知书", "准予许可决定书", "办结通知书"):
        assert title in content
    with applicant.expect_download() as download_info:
        applicant.click("text=下载电子证照")
    pdf_path = tmp_path / "licence.pdf"
    download_info.value.save_as(pdf_path)
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf_path.read_bytes())).pages[0].extract_text()
    assert "营业执照" in text
    assert "张三" in text

    # The QR code's page (the verification page) says valid.
    applicant.click("text=核验")
    applicant.wait_for_load_state("networkidle")
    applicant.screenshot(path=str(ARTIFACTS / "03-verify.png"), full_page=True)
    expect(applicant.locator("body")).to_contain_text("有效")
