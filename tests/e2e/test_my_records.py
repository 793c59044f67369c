"""本人查询 on a phone (390 px) in a real browser: the resident picks a record, the registry's answer
replaces nothing but the result area (htmx), its tables scroll inside their box, and a refusal is
shown in the same place."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, browser_only, login
from tests.registries.conftest import ZHANGSAN_ID

pytestmark = browser_only

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.mark.django_db(transaction=True)
def test_a_resident_looks_up_records_on_a_phone(catalog, live_server, browser, registry):
    from yiwang.accounts.models import User
    from yiwang.registries.models import DataAccess

    User.objects.create_user(username="zs", password="Passw0rd!2026", kind="resident", real_name="张三",
                             id_number=ZHANGSAN_ID)
    User.objects.create_user(username="xm", password="Passw0rd!2026", kind="resident", real_name="张小明",
                             id_number="310120201905010014")
    base = live_server.url
    context = browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    login(page, base, "zs")
    page.goto(f"{base}/data-sharing/my-data/")
    page.locator("#my-records-link").tap()
    expect(page.locator("h1")).to_have_text("查询本人记录")

    page.get_by_role("button", name="查询社会保险缴费记录").tap()
    expect(page.locator("#own-record h2")).to_have_text("社会保险缴费记录")
    rows = page.locator("#record-rows-periods tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.nth(1).locator("td")).to_have_text(
        ["2019-01至2022-06", "上海奉贤示例餐饮有限公司", "养老、医疗、失业、工伤、生育", "6000.00", "42", "26460.00",
         "65520.00", "已缴"])
    assert page.url == f"{base}/data-sharing/my-records/"  # answered in place
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-my-records.png"), full_page=True)
    assert DataAccess.objects.get().channel == "web"

    # the next record replaces the first
    page.get_by_role("button", name="查询年度医保缴费明细").tap()
    expect(page.locator("#own-record h2")).to_have_text("年度医保缴费明细")
    expect(page.locator("#record-rows-payments tbody tr")).to_have_count(12)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390

    # a person with no pension statement is told so in the same place
    page.context.clear_cookies()
    login(page, base, "xm")
    page.goto(f"{base}/data-sharing/my-records/")
    page.get_by_role("button", name="查询养老保险个人权益记录").tap()
    expect(page.locator("#my-record-error")).to_have_text(
        "“社会保险信息”中没有您的“养老保险个人权益记录”。如有疑问，请向该部门咨询。")
    expect(page.locator("#own-record")).to_have_count(0)
    context.close()
