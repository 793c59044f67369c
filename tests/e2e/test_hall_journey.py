"""Real-browser journeys of the hall: the ticket machine (signed in with its device token) gives a
number, an officer signs in at a window and calls it, and the calling screen shows the call within
a second without a reload; then the whole way of an application taken in at the counter: accepted
on the spot with scanned materials, approved by the department's back office, prepared by the
background worker for the unified output counter and handed over there against the applicant's ID."""

from __future__ import annotations

import io
import time

import pytest
from playwright.sync_api import expect

from tests.conftest import DEFAULT_NOW
from tests.e2e.conftest import ARTIFACTS, background_settled, browser_only, eventually, login
from tests.factories import make_staff
from tests.helpers import ITEM_ONE_LEVEL, PDF_BYTES, fill_in_page, form_for

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
    machine.wait_for_url("**/hall/FX-CENTRE/take/")  # loaded, so the hall stylesheet applies to the button measured
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


# ---------------------------------------------------------------------------------------------
# The whole journey: ticket machine → call → counter acceptance → back office → unified output.
# After a click that loads a page, the next check is an `expect(...)` on what only the new page
# shows (it retries), so no assertion can read the page being left.
# ---------------------------------------------------------------------------------------------

ZHANG = "110101199003074514"  # a valid ID number (check character 4), as in tests/hall/test_counter_and_output.py
ZHANG_MASKED = "110101********4514"
WRONG_ID = "11010519491231002X"  # a valid number, someone else's
PHONE = "13800138000"
ITEM_NAME = "个体工商户设立登记"  # ITEM_ONE_LEVEL: one approval level, required materials 1 and 2
MATERIALS = ("个体工商户登记（备案）申请书", "经营者身份证件")


def _device_page(browser, base: str, token: str, lands_on: str, **context):
    """A kiosk browser that presented its device token once (its session carries the device)."""
    page = browser.new_context(locale="zh-CN", **context).new_page()
    page.goto(f"{base}/hall/device/")
    page.fill("input[name=token]", token)
    page.click("#device-form button[type=submit]")
    page.wait_for_url(f"{base}{lands_on}")
    return page


def _take_a_number(machine, group_name: str) -> None:
    machine.click(f"button.group-button:has-text('{group_name}')")
    expect(machine.locator("#ticket-number")).to_have_text("A001")
    expect(machine.locator("#ticket p").nth(2)).to_have_text(group_name)
    expect(machine.locator("#ahead")).to_contain_text("前面还有 0 人")
    machine.screenshot(path=str(ARTIFACTS / "hall-journey-01-ticket.png"))


def _sign_in_at_window(page, base: str, username: str, window_label: str, at_window: str) -> None:
    login(page, base, username)
    page.goto(f"{base}/hall/window/")
    page.select_option("#window", label=window_label)
    page.click("#sign-in")
    expect(page.locator("#at-window")).to_have_text(at_window)


def _call_and_see_it_on_the_screen(desk, screen) -> None:
    desk.click("#call-next")
    expect(desk.locator("#current .ticket-number")).to_have_text("A001")
    called_at = time.monotonic()
    eventually(lambda: screen.locator("#latest").inner_text() == "请A001号到8号窗口办理", timeout=1.5,
               interval=0.02, what="the screen to show the call")
    assert time.monotonic() - called_at < 1.0
    assert screen.locator("#calls li").all_inner_texts() == ["A001 → 8"]
    screen.screenshot(path=str(ARTIFACTS / "hall-journey-02-screen.png"))


def _accept_at_the_counter(desk, scan) -> str:
    """Open the walk-in's counter application, fill the item's form, attach the scans and accept on
    the spot; returns the address of the acceptance notice offered."""
    desk.select_option("#item_code", ITEM_ONE_LEVEL)
    desk.fill("#real_name", "张三")
    desk.fill("#id_number", ZHANG)
    desk.fill("#phone", PHONE)
    desk.click("#open-counter")
    expect(desk.locator("h1")).to_have_text(f"窗口受理：{ITEM_NAME}")
    expect(desk.locator("#counter-facts")).to_have_text(
        "申请人 张* · 110101********4514 · 未注册（现场登记） · 号码 A001 · 草稿")

    desk.fill("#id_phone", PHONE)
    desk.fill("#id_address", "上海市奉贤区南桥镇解放东路1号")
    fill_in_page(desk, form_for(ITEM_ONE_LEVEL))  # the item's own fields (the name and ID as prefilled)
    desk.click("#save-form")
    expect(desk.locator(".messages")).to_have_text("申请表已保存。")
    for position, name in enumerate(MATERIALS, start=1):
        row = desk.locator(f"#material-{position}")
        expect(row.locator("td").nth(0)).to_have_text(f"{position}. {name} *")  # required
        expect(row.locator("td").nth(1)).to_have_text("—")
        desk.set_input_files(f"#scan-{position}", str(scan))
        row.locator("form:has(input[type=file]) button[type=submit]").click()
        expect(row.locator("td").nth(1)).to_have_text("已上传扫描件")
        expect(desk.locator(".messages")).to_have_text("扫描件已上传。")
    desk.screenshot(path=str(ARTIFACTS / "hall-journey-03-counter.png"), full_page=True)

    desk.click("#accept-at-counter")
    expect(desk.locator("#counter-state")).to_have_text("已受理")
    expect(desk.locator(".messages")).to_have_text("已受理，办件已转入部门后台审批。")
    expect(desk.locator("#accepted p").first).to_have_text("已受理，办件已转入部门后台审批；办理结果将送至统一出件窗口。")
    link = desk.locator("#acceptance-pdf")
    expect(link).to_have_text("打印受理通知书（PDF）")
    return link.get_attribute("href")


def _end_the_ticket_as_accepted(desk, case) -> None:
    desk.click("text=← 返回窗口")
    expect(desk.locator("#counter .counter-cases li")).to_have_text([f"{ITEM_NAME} · {case.number} · 已受理"])
    desk.select_option("#outcome", "accepted")
    desk.click("#current form[action$='/complete/'] button.primary")
    expect(desk.locator("#call-next")).to_be_visible()


def _approve_and_issue(back_office, base: str, username: str, case) -> None:
    """The department's back office finds the case in its queue, approves it and issues the result."""
    login(back_office, base, username)
    back_office.goto(f"{base}/cases/queue/")
    row = back_office.locator(f"tr.queue-row[data-case='{case.pk}']")
    expect(row.locator("td").nth(1)).to_have_text(case.number)
    expect(row.locator("td").nth(2)).to_have_text(ITEM_NAME)
    expect(row.locator("td").nth(5)).to_have_text("已受理")
    row.locator("a", has_text="办理").click()
    badge = back_office.locator(".case-facts .badge")
    expect(badge).to_have_text("已受理")
    back_office.click("form.action-approve button[type=submit]")
    expect(badge).to_have_text("准予许可")
    back_office.click("form.action-issue_result button[type=submit]")
    expect(badge).to_have_text("已出证")
    back_office.screenshot(path=str(ARTIFACTS / "hall-journey-04-back-office.png"), full_page=True)


def _hand_over(output, case) -> None:
    """The output clerk finds the result card, refuses someone else's ID and hands it over against the applicant's."""
    from yiwang.hall.models import Handover

    card = output.locator(f"#handover-{case.pk}")
    expect(card.locator("p").first).to_have_text(
        f"{ITEM_NAME}\n{case.number}\n申请人 张* · 可领取时间 {DEFAULT_NOW:%Y-%m-%d %H:%M}", use_inner_text=True)
    output.screenshot(path=str(ARTIFACTS / "hall-journey-05-output.png"), full_page=True)
    card.locator(f"#id-{case.pk}").fill(WRONG_ID)
    card.locator("button", has_text="核验并交付").click()
    expect(output.locator("#output-error")).to_have_text("证件与申请人不符，不能领取。")
    assert Handover.objects.get(case=case).state == "awaiting"
    card.locator(f"#id-{case.pk}").fill(ZHANG)
    card.locator("button", has_text="核验并交付").click()
    expect(output.locator(".messages")).to_have_text("已核验身份并交付。")
    expect(card).to_have_count(0)
    expect(output.locator("#awaiting li")).to_have_text(["暂无待领取的结果。"])
    output.screenshot(path=str(ARTIFACTS / "hall-journey-06-handed-over.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_number_taken_becomes_an_accepted_application_whose_result_is_handed_over(
        catalog, live_server, worker, browser, settings, tmp_path):
    from pypdf import PdfReader

    from yiwang.applications.models import Case, CaseEvent
    from yiwang.catalog.models import Department
    from yiwang.hall import services
    from yiwang.hall.models import Handover, Qualification, ServiceGroup, Site, Ticket, Window
    from yiwang.jobs.models import Job
    from yiwang.notifications.models import Message

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_URL = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF_BYTES)
    site = Site.objects.create(code="FX-CENTRE", name="奉贤区行政服务中心", kind="district",
                               opening_hours={str(d): [["09:00", "17:00"]] for d in range(1, 6)})
    market = ServiceGroup.objects.create(code="market", prefix="A", name="企业开办与市场准入", sort_order=1)
    market.departments.set(Department.objects.filter(code="SCJG"))
    social = ServiceGroup.objects.create(code="social", prefix="B", name="社保医保与公积金", sort_order=2)
    social.departments.set(Department.objects.filter(code="RSJSB"))
    Window.objects.create(site=site, code="8")
    Window.objects.create(site=site, code="出1", kind="output")
    front = make_staff(role="window_officer", departments=["SCJG"], username="hall-front")
    Qualification.objects.create(officer=front, group=market)
    back = make_staff(role="window_officer", departments=["SCJG"], username="scjg-back-office")
    clerk = make_staff(role="window_officer", departments=[], username="hall-output")
    _, machine_token = services.register_device(site=site, name="1号取号机", kind="ticket_machine")
    _, screen_token = services.register_device(site=site, name="叫号屏", kind="screen")
    base = live_server.url

    # 1. The calling screen goes live; at the ticket machine the walk-in takes a number of the market group.
    screen = _device_page(browser, base, screen_token, "/hall/FX-CENTRE/screen/")
    eventually(lambda: screen.locator("#status").inner_text() == "实时", what="the screen to go live")
    machine = _device_page(browser, base, machine_token, "/hall/FX-CENTRE/take/", viewport={"width": 1080, "height": 1920})
    assert machine.locator("button.group-button").all_inner_texts() == ["A\n企业开办与市场准入", "B\n社保医保与公积金"]
    _take_a_number(machine, "企业开办与市场准入")

    # 2. The front-desk officer signs in at comprehensive window 8 and calls it; the screen shows it within 1 s.
    desk = browser.new_context(locale="zh-CN").new_page()
    _sign_in_at_window(desk, base, "hall-front", "8 号窗口", "奉贤区行政服务中心 · 8 号窗口 · 等候 1 人")
    _call_and_see_it_on_the_screen(desk, screen)

    # 3. At the counter: the walk-in's application with its scans, accepted on the spot; the
    # acceptance notice prints; the ticket ends as accepted.
    notice_href = _accept_at_the_counter(desk, scan)
    case = Case.objects.get()
    notice = desk.context.request.get(f"{base}{notice_href}")
    assert (notice.status, notice.headers["content-type"]) == (200, "application/pdf")
    assert "受理通知书" in PdfReader(io.BytesIO(notice.body())).pages[0].extract_text()
    _end_the_ticket_as_accepted(desk, case)
    ticket = Ticket.objects.get()
    assert (ticket.number, ticket.group_id, ticket.state, ticket.outcome, list(ticket.cases.values_list("pk", flat=True))) \
        == ("A001", market.pk, "done", "accepted", [case.pk])

    # 4. The department's back office approves and issues the result (one approval level).
    _approve_and_issue(browser.new_context(locale="zh-CN").new_page(), base, "scjg-back-office", case)

    # 5. The worker prepares the handover at the site's unified output counter and tells the applicant
    # (a walk-in without an account: by SMS to the form's mobile number).
    eventually(background_settled, what="the worker to prepare the handover")
    assert list(Job.objects.filter(kind="hall.prepare_handover").values_list("state", flat=True)) == ["done"]
    handover = Handover.objects.get(case=case)
    assert (handover.site_id, handover.method, handover.state, handover.ready_at) == (
        site.pk, "pickup", "awaiting", DEFAULT_NOW)
    ready = Message.objects.get(kind="pickup_ready")
    assert (ready.recipient_id, ready.body) == (
        case.applicant_id, f"您申请的“{ITEM_NAME}”（{case.number}）的营业执照可到奉贤区行政服务中心统一出件窗口领取。")
    assert list(ready.deliveries.values_list("channel", "to")) == [("sms", PHONE)]
    assert sorted(Message.objects.filter(recipient=case.applicant).values_list("kind", flat=True)) == [
        "accepted", "approved", "pickup_ready", "received", "result_ready"]

    # 6. At the unified output window the clerk hands the result over against the applicant's ID number.
    output = browser.new_context(locale="zh-CN").new_page()
    _sign_in_at_window(output, base, "hall-output", "出1 号窗口 · 统一出件", "奉贤区行政服务中心 · 出1 号窗口")
    expect(output.locator("h1")).to_have_text("统一出件")
    _hand_over(output, case)

    handover.refresh_from_db()
    assert (handover.state, handover.method, handover.handed_over_by_id, handover.handed_over_at,
            handover.collector_masked) == ("handed_over", "pickup", clerk.pk, DEFAULT_NOW, ZHANG_MASKED)
    case.refresh_from_db()
    assert (case.state, case.channel, case.received_by_id) == ("delivered", "window", front.pk)
    assert (case.applicant.real_name, case.applicant.id_number, case.applicant.phone, case.applicant.registered) == (
        "张三", ZHANG, PHONE, False)
    assert list(CaseEvent.objects.filter(case=case).order_by("sequence").values_list("action", "actor_id", "channel")) == [
        ("submit", front.pk, "window"), ("accept", front.pk, "window"), ("approve", back.pk, "back_office"),
        ("issue_result", back.pk, "back_office"), ("deliver", clerk.pk, "window")]
    assert CaseEvent.objects.filter(case=case, action="deliver").get().data == {
        "method": "pickup", "site": "FX-CENTRE", "window": "出1"}
