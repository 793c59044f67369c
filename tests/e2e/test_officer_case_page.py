"""Real browser: an officer finds a case by its number, reads the record data sharing fetched
(masked, the reading audited), sees the uploaded PDF inside the page, and is asked before 不予受理."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, browser_only, login
from tests.factories import PASSWORD, make_staff
from tests.helpers import form_for
from tests.registries.conftest import ZHANGSAN_ID

pytestmark = browser_only

ITEM = "310120-SCJG-01-0001"  # 个体工商户设立登记: 1 申请书 (upload), 2 经营者身份证件 (household:id_card)


def _application_pdf() -> bytes:
    """A real one-page PDF (so the preview shows a page), made as the platform makes its notices."""
    from yiwang.applications.notice_pdf import render_notice_pdf

    return render_notice_pdf(title="个体工商户登记申请书", body="经营者：张三\n经营场所：上海市奉贤区南桥镇解放东路1号",
                             case_number="", department_name="申请人", issued_on="2026年03月10日")


def _submitted_case_with_a_fetched_record(tmp_path, settings):
    import io

    from yiwang.accounts.models import User
    from yiwang.applications import services
    from yiwang.catalog.models import ServiceItem
    from yiwang.registries.services import grant_and_fetch

    settings.MEDIA_ROOT = tmp_path / "media"
    ServiceItem.objects.filter(code=ITEM).update(form={})  # only the common fields: this is about materials
    resident = User.objects.create_user(username="zs-officer-page", password=PASSWORD, kind="resident", real_name="张三",
                                        id_number=ZHANGSAN_ID, phone="13800138000")
    case = services.create_draft(applicant=resident, item_code=ITEM, form_data=form_for(ITEM))
    services.attach_material(case_id=case.pk, user=resident, position=1, stream=io.BytesIO(_application_pdf()),
                             original_name="申请书.pdf")
    grant_and_fetch(case_id=case.pk, user=resident, position=2)
    return services.submit_application(case_id=case.pk, applicant=resident, idempotency_key="officer-page")


@pytest.mark.django_db(transaction=True)
def test_officer_reads_the_fetched_record_and_the_pdf_on_the_case_page(
    catalog, registry, live_server, browser, settings, tmp_path
):
    from yiwang.registries.models import DataAccess

    case = _submitted_case_with_a_fetched_record(tmp_path, settings)
    officer = make_staff(role="window_officer", departments=["SCJG"], username="officer-reads")
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    login(page, live_server.url, officer.username)

    # The queue finds the case by the end of its number.
    page.goto(f"{live_server.url}/cases/queue/")
    page.fill("#id_q", case.number[-6:])
    page.click(".queue-filter button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("tr.queue-row").count() == 1
    # The framed PDF is lazy: it may load with the page (it is near the top) or on scrolling to it,
    # so every response is recorded from the page's opening.
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.click("tr.queue-row a:has-text('办理')")
    page.wait_for_url(f"**/cases/{case.pk}/")

    # The record's fields, masked as staff see an applicant; the reading is in the audit log.
    record = page.locator("#material-content-2")
    expect(record.locator("dt")).to_have_text(
        ["姓名或名称", "性别", "民族", "出生日期", "身份证号码", "地址", "签发机关", "有效期起", "有效期至"])
    expect(record.locator("dd")).to_have_text(
        ["张*", "男", "汉", "1990-03-07", "310120********123X", "上海市奉贤区南桥镇解放东路1号", "上海市公安局奉贤分局",
         "2021-06-01", "2041-06-01"])
    assert ZHANGSAN_ID not in page.content()
    assert list(DataAccess.objects.filter(outcome="viewed").values_list("accessor__username", "case_id", "material_position")) == [
        ("officer-reads", case.pk, 2)]

    # The uploaded PDF is shown in the page, framed from this site with the download's access check.
    pdf = case.materials.get(material_position=1, superseded=False)
    url = f"/api/v1/applications/{case.pk}/materials/{pdf.pk}/?inline=1"
    frame = page.locator("iframe.material-pdf")
    page.click("a.material-content-link:has-text('预览')")
    frame.scroll_into_view_if_needed()
    for _ in range(100):
        framed_responses = [response for response in responses if response.url.endswith(url)]
        if framed_responses:
            break
        page.wait_for_timeout(100)
    assert framed_responses and {response.status for response in framed_responses} == {200}
    # (Chromium hands a framed PDF to its viewer and shows no headers for it: ask again, signed in the same.)
    headers = page.request.get(live_server.url + url).headers
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"] == "inline; filename*=utf-8''%E7%94%B3%E8%AF%B7%E4%B9%A6.pdf"
    assert "frame-ancestors 'self'" in headers["content-security-policy"]
    assert frame.get_attribute("src") == url
    framed = frame.element_handle().content_frame()
    assert framed is not None and framed.url == live_server.url + url  # not blocked (a blocked frame shows chrome-error://)
    page.screenshot(path=str(ARTIFACTS / "officer-case-page.png"), full_page=True)

    # The actions come after the materials; 不予受理 asks before it is sent, and a "no" sends nothing.
    assert page.locator("h2:has-text('申请材料')").bounding_box()["y"] < page.locator("#actions").bounding_box()["y"]
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.fill("#opinion-reject", "材料不齐")
    page.click("form.action-reject button[type=submit]")
    assert asked == ["确定“不予受理”吗？办件将就此办结，并向申请人出具相应文书。"]
    case.refresh_from_db()
    assert case.state == "received"


@pytest.mark.django_db(transaction=True)
def test_officer_case_page_fits_a_phone(catalog, registry, live_server, browser, settings, tmp_path):
    case = _submitted_case_with_a_fetched_record(tmp_path, settings)
    make_staff(role="window_officer", departments=["SCJG"], username="officer-phone")
    page = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    login(page, live_server.url, "officer-phone")

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.locator("#material-content-2 dd").nth(2)).to_have_text("汉")
    page.goto(f"{live_server.url}/cases/queue/?q={case.number}")

    assert page.locator("tr.queue-row").count() == 1
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "officer-case-page-phone.png"), full_page=True)
