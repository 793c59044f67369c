"""The ticket machine without its network: it says so in words, keeps its page and takes no
number; when the connection is back the same button gives the first number of the day."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, browser_only, eventually

pytestmark = browser_only

OFFLINE = "网络连接中断，暂时无法取号。请稍候再试，或到导服台人工取号。"


@pytest.mark.django_db(transaction=True)
def test_an_offline_ticket_machine_says_so_and_takes_nothing(catalog, live_server, browser):
    from yiwang.hall import services
    from yiwang.hall.models import ServiceGroup, Site, Ticket

    site = Site.objects.create(code="FX-CENTRE", name="奉贤区行政服务中心", kind="district",
                               opening_hours={str(d): [["09:00", "17:00"]] for d in range(1, 6)})
    ServiceGroup.objects.create(code="market", prefix="A", name="企业开办与市场准入")
    _, token = services.register_device(site=site, name="1号取号机", kind="ticket_machine")
    context = browser.new_context(locale="zh-CN", viewport={"width": 1080, "height": 1920})
    machine = context.new_page()
    machine.goto(f"{live_server.url}/hall/device/")
    machine.fill("input[name=token]", token)
    machine.click("#device-form button[type=submit]")
    button = machine.locator("button.group-button", has_text="企业开办与市场准入")
    assert machine.locator("#offline").is_hidden()

    # The platform does not answer although the machine believes it is online.
    machine.route("**/healthz", lambda route: route.abort())
    button.click()
    eventually(lambda: machine.locator("#offline").is_visible(), what="the offline message")
    assert machine.locator("#offline").inner_text() == OFFLINE
    assert machine.url.endswith("/hall/FX-CENTRE/take/") and Ticket.objects.count() == 0
    machine.unroute("**/healthz")

    # The network itself is gone: the message shows at once and the buttons cannot be pressed.
    context.set_offline(True)
    machine.locator("#offline").wait_for(state="visible")
    assert button.is_disabled()
    machine.screenshot(path=str(ARTIFACTS / "hall-ticket-machine-offline.png"))
    context.set_offline(False)
    eventually(lambda: machine.locator("#offline").is_hidden(), what="the message to go when the network is back")

    button.click()
    machine.wait_for_selector("#ticket-number")
    assert machine.locator("#ticket-number").inner_text() == "A001"
    assert list(Ticket.objects.values_list("number", flat=True)) == ["A001"]
