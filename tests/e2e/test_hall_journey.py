"""Real-browser journey of the hall: the ticket machine (signed in with its device token) gives a
number, an officer signs in at a window and calls it, and the calling screen shows the call within
a second without a reload."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import ARTIFACTS, browser_only, eventually, login
from tests.factories import make_staff

pytestmark = browser_only


@pytest.mark.django_db(transaction=True)
def test_take_a_number_call_it_and_see_it_on_the_screen(catalog, live_server, browser):
    from yiwang.hall import services
    from yiwang.hall.models import Call, Qualification, ServiceGroup, Site, Window

    ARTIFACTS.mkdir(exist_ok=True)
    site = Site.objects.create(code="FX-CENTRE", name="奉贤区行政服务中心", kind="district",
                               opening_hours={str(d): [["09:00", "17:00"]] for d in range(1, 6)})
    group = ServiceGroup.objects.create(code="market", prefix="A", name="企业开办与市场准入")
    Window.objects.create(site=site, code="8")
    officer = make_staff(role="window_officer", departments=["SCJG"], username="hall-officer")
    Qualification.objects.create(officer=officer, group=group)
    _, machine_token = services.register_device(site=site, name="1号取号机", kind="ticket_machine")
    _, screen_token = services.register_device(site=site, name="叫号屏", kind="screen")
    base = live_server.url

    screen = browser.new_context(locale="zh-CN").new_page()
    screen.goto(f"{base}/hall/device/")
    screen.fill("input[name=token]", screen_token)
    screen.click("#device-form button[type=submit]")
    screen.wait_for_selector("#screen")
    eventually(lambda: screen.locator("#status").inner_text() == "实时", what="the screen to go live")

    machine = browser.new_context(locale="zh-CN", viewport={"width": 1080, "height": 1920}).new_page()
    machine.goto(f"{base}/hall/device/")
    machine.fill("input[name=token]", machine_token)
    machine.click("#device-form button[type=submit]")
    button = machine.locator("button.group-button", has_text="企业开办与市场准入")
    box = button.bounding_box()
    assert box["width"] >= 60 and box["height"] >= 60  # a touch target
    button.click()
    assert machine.locator("#ticket-number").inner_text() == "A001"
    assert "前面还有 0 人" in machine.locator("#ahead").inner_text()
    machine.screenshot(path=str(ARTIFACTS / "hall-ticket.png"))

    desk = browser.new_context(locale="zh-CN").new_page()
    login(desk, base, "hall-officer")
    desk.goto(f"{base}/hall/window/")
    desk.select_option("#window", label="8 号窗口")
    desk.click("#sign-in")
    desk.click("#call-next")
    assert desk.locator("#current .ticket-number").inner_text() == "A001"
    called_at = time.monotonic()
    eventually(lambda: screen.locator("#latest").inner_text() == "请A001号到8号窗口办理", timeout=1.5,
               interval=0.02, what="the screen to show the call")
    assert time.monotonic() - called_at < 1.0
    assert screen.locator("#calls li").all_inner_texts() == ["A001 → 8"]
    screen.screenshot(path=str(ARTIFACTS / "hall-screen.png"))
    assert Call.objects.count() == 1

    desk.click("#current form[action$='/recall/'] button")
    eventually(lambda: screen.locator("#calls li").count() == 2, timeout=2, what="the recall on the screen")
    desk.select_option("#outcome", "consultation")
    desk.click("#current form[action$='/complete/'] button.primary")
    assert desk.locator("#call-next").is_visible()
    desk.click("#call-next")
    assert "当前没有等候的号码" in desk.locator(".messages").inner_text()
