"""The kiosk in a real browser, with its device agent on loopback (simulated reader fed the registry's
synthetic people, receipts as ESC/POS bytes to a file) and the real registry service:

- a villager signs in with her ID card, queries her annual medical-insurance payments, prints
  them, and walks away: the page warns, then wipes the visit (session, cookies, local storage)
  and shows the start screen; going back shows nothing of hers;
- a resident signs in with the phone (one-time QR code confirmed on a 390 px phone);
- an application whose answer is lost with the network is tried again by the page with the same
  reference, and submitted once;
- every kiosk page loads with every address but the platform and the agent blocked, and every
  target on it measures at least 60×60 px.
"""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, browser_only, eventually, login
from tests.factories import make_resident
from yiwang.kiosks import agent, drivers, services
from yiwang.kiosks.fixtures import fixture_cards

pytestmark = [*browser_only, pytest.mark.timed_waits]
WANG_FANG = "310120199105120020"  # 王芳 of the registry's seed
NO_MATERIALS = "310120-SCJG-21-0001"


@pytest.fixture
def kiosk_setup(catalog, live_server, registry, settings, tmp_path):
    from yiwang.hall.models import ServiceGroup, Site

    site = Site.objects.create(code="FX-NANQIAO", name="南桥镇社区事务受理服务中心", kind="street",
                               opening_hours={str(d): [["09:00", "17:00"]] for d in range(1, 6)})
    ServiceGroup.objects.create(code="social", prefix="B", name="社保医保与公积金")
    kiosk, token = services.register_kiosk(code="K-001", name="南桥1号机", site=site, item_codes=[NO_MATERIALS])
    printer = drivers.FilePrinter(tmp_path / "receipts.bin")
    config = agent.AgentConfig(token=token, origins={live_server.url}, reader=drivers.SimulatedCardReader(), printer=printer,
                               drills=True, fixtures=fixture_cards())
    server = agent.make_server(config, port=0)
    agent.serve_in_thread(server)
    agent_url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.KIOSK = {**settings.KIOSK, "agent_url": agent_url, "idle_seconds": 8, "idle_warning_seconds": 4}
    settings.PUBLIC_URL = live_server.url
    drill = httpx.Client(base_url=agent_url, timeout=10, headers={"Origin": live_server.url, "X-Kiosk-Token": token})
    yield {"kiosk": kiosk, "token": token, "agent": agent_url, "drill": drill, "printer": printer}
    drill.close()
    server.shutdown()
    server.server_close()


def _kiosk_page(browser, live_server, setup, blocked: list[str]):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1024}, has_touch=True)
    allowed = (live_server.url, setup["agent"])

    def guard(route):
        if route.request.url.startswith(allowed):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk/device/")
    page.fill("#kiosk-token", setup["token"])
    page.click("#kiosk-device-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/kiosk/")
    return context, page


def _small_targets(page) -> list[str]:
    """Visible buttons, links and inputs smaller than 60×60 px (the number pad and tiles included)."""
    page.wait_for_load_state()
    return page.evaluate("""() => Array.from(document.querySelectorAll('a, button, input:not([type=hidden]), select, textarea'))
        .filter(e => e.offsetParent !== null)
        .map(e => [e.id || e.textContent.trim().slice(0, 20) || e.name, e.getBoundingClientRect()])
        .filter(([_, r]) => r.width < 60 || r.height < 60)
        .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`)""")


def test_card_sign_in_record_query_print_and_the_wipe_after_idle(browser, live_server, kiosk_setup):
    blocked: list[str] = []
    context, page = _kiosk_page(browser, live_server, kiosk_setup, blocked)
    base = live_server.url
    assert _small_targets(page) == []
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "22px"

    # No card on the reader: the page says so and lets her try again.
    page.click("#card-sign-in")
    expect(page.locator("#card-status")).to_contain_text("请将身份证放在读卡区")
    kiosk_setup["drill"].post("/api/drill", json={"card_fault": "card_removed"})
    expect(page.locator("#kiosk-message")).to_have_text("读卡时身份证被移开，请重新放置。")

    page.click("#card-sign-in")
    expect(page.locator("#card-status")).to_be_visible()
    kiosk_setup["drill"].post("/api/drill", json={"present_card": WANG_FANG})
    page.wait_for_url(f"{base}/kiosk/menu/")
    expect(page.locator(".kiosk-person")).to_have_text("您好，王*")
    assert _small_targets(page) == []

    page.click("#menu-records")
    page.wait_for_url(f"{base}/kiosk/records/")
    page.wait_for_load_state()
    assert _small_targets(page) == []
    page.click("button[data-scope='medical_insurance:annual_payments']")
    expect(page.locator("#record-title")).to_have_text("年度医保缴费明细")
    lines = page.locator("#record-lines").inner_text()
    assert "2025-01" in lines and "出具单位" in lines
    assert _small_targets(page) == []
    page.screenshot(path=str(ARTIFACTS / "kiosk-record.png"), full_page=True)
    page.click("[data-print-job='print-record']")
    expect(page.locator("#kiosk-message")).to_have_text("已打印，请取走凭条。")
    printed = kiosk_setup["printer"].path.read_bytes()
    assert printed.startswith(b"\x1b@") and "年度医保缴费明细".encode("gb18030") in printed

    # The printer runs out of paper: the page says so, nothing else changes.
    kiosk_setup["drill"].post("/api/drill", json={"printer": "paper_out"})
    page.click("[data-print-job='print-record']")
    expect(page.locator("#kiosk-message")).to_contain_text("缺纸")
    kiosk_setup["drill"].post("/api/drill", json={"printer": ""})

    # She walks away: the warning, 继续办理 keeps the visit; then it ends by itself and is wiped.
    page.evaluate("window.localStorage.setItem('draft-note', '王芳')")
    expect(page.locator("#kiosk-idle")).to_be_visible(timeout=10_000)
    expect(page.locator("#kiosk-continue")).to_have_text("继续办理")
    page.click("#kiosk-continue")
    expect(page.locator("#kiosk-idle")).to_be_hidden()
    page.wait_for_url(f"{base}/kiosk/?ended=idle", timeout=15_000)
    expect(page.locator("#kiosk-ended")).to_have_text("因长时间未操作，已自动退出，您的信息已清除。")
    assert page.evaluate("window.localStorage.length") == 0
    assert "王" not in page.locator("main").inner_text()
    names = {cookie["name"] for cookie in context.cookies()}
    assert "yiwang_kiosk" in names  # the terminal stays set up
    page.go_back()
    page.wait_for_load_state()
    assert page.url.startswith(f"{base}/kiosk/") and "王" not in page.locator("main").inner_text()
    assert blocked == []
    context.close()


def test_the_phone_confirms_the_kiosks_qr_code_and_the_kiosk_goes_on_for_that_person(browser, live_server, kiosk_setup, settings):
    from yiwang.kiosks.models import KioskSignIn

    settings.KIOSK = {**settings.KIOSK, "idle_seconds": 120, "idle_warning_seconds": 30}
    resident = make_resident(real_name="李雷")
    blocked: list[str] = []
    context, kiosk_page = _kiosk_page(browser, live_server, kiosk_setup, blocked)
    kiosk_page.click("#qr-sign-in")
    expect(kiosk_page.locator("#kiosk-qr svg")).to_be_visible()
    confirm_url = kiosk_page.locator("#kiosk-qr").get_attribute("data-confirm-url")
    assert re.fullmatch(rf"{live_server.url}/kiosk/confirm/[\w-]+/", confirm_url)

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    login(phone, live_server.url, resident.username)
    phone.goto(confirm_url)
    expect(phone.locator("main")).to_contain_text("南桥1号机")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 390
    phone.click("#kiosk-confirm")
    expect(phone.locator("#kiosk-confirmed")).to_be_visible()
    kiosk_page.wait_for_url(f"{live_server.url}/kiosk/menu/", timeout=10_000)
    expect(kiosk_page.locator(".kiosk-person")).to_have_text("您好，李*")
    eventually(lambda: KioskSignIn.objects.filter(claimed_at__isnull=False).count() == 1, what="the code claimed once")
    # The kiosk's other pages: large targets, nothing from elsewhere.
    for path, heading in (("/kiosk/ticket/", "大厅取号"), ("/kiosk/apply/", "自助申报"), ("/kiosk/cases/", "办件进度"),
                          ("/kiosk/licences/", "电子证照")):
        kiosk_page.goto(f"{live_server.url}{path}")
        expect(kiosk_page.locator("h1")).to_have_text(heading)
        assert _small_targets(kiosk_page) == [], path

    # The same code again (a photo of the screen): refused on the phone.
    phone.goto(confirm_url)
    expect(phone.locator("main")).to_contain_text("此二维码已使用过")
    assert blocked == []
    context.close()


def test_an_application_whose_answer_the_network_lost_is_submitted_once(browser, live_server, kiosk_setup, settings):
    from yiwang.applications.models import Case

    settings.KIOSK = {**settings.KIOSK, "idle_seconds": 120, "idle_warning_seconds": 30}
    blocked: list[str] = []
    context, page = _kiosk_page(browser, live_server, kiosk_setup, blocked)
    page.click("#card-sign-in")
    expect(page.locator("#card-status")).to_be_visible()
    kiosk_setup["drill"].post("/api/drill", json={"present_card": WANG_FANG})
    page.wait_for_url("**/kiosk/menu/")
    page.click("#menu-apply")
    page.click(f"button[data-item='{NO_MATERIALS}']")
    page.wait_for_url("**/kiosk/apply/case/*/")
    assert _small_targets(page) == []
    # The phone number typed on the number pad.
    page.click("#id_phone")
    for key in "13800138000":
        page.click(f"#numpad [data-key='{key}']")
    expect(page.locator("#id_phone")).to_have_value("13800138000")

    # The platform receives the submission, but the answer never reaches the kiosk; then the
    # network is gone for the retries, and the page offers to try again.
    lost = {"count": 0}

    def lose_answer(route):
        if route.request.method == "POST" and lost["count"] == 0:
            lost["count"] += 1
            route.fetch()  # the platform gets it and submits
            context.set_offline(True)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/kiosk/apply/case/*/", lose_answer)
    page.click("#kiosk-submit")
    expect(page.locator("#kiosk-retry-submit")).to_be_visible(timeout=20_000)
    expect(page.locator("#kiosk-message")).to_contain_text("网络中断，本次申报尚未提交")
    context.set_offline(False)
    page.click("#kiosk-retry-submit")
    page.wait_for_url("**/kiosk/cases/*/")
    cases = list(Case.objects.filter(applicant__id_number=WANG_FANG))
    assert [(c.state, c.channel) for c in cases] == [("received", "kiosk")]
    expect(page.locator("#case-lines")).to_contain_text(cases[0].number)
    assert blocked == []
    context.close()
