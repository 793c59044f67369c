"""Issue 8, defect 6: a resident founds a company through 企业开办一件事 in at most 15 clicks.

Counted: every click, tick and file chosen, from the bundle's guide to the submitted bundle
(typing into the form is not a click; signing in is before the journey). The ID-card record that
six members ask for under six names is one row: one consent, one fetch; a chosen file is sent
without a further click."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, browser_only, eventually, login
from tests.factories import PASSWORD
from tests.helpers import PDF_BYTES, bundle_form_for, fill_in_page

pytestmark = browser_only

BUSINESS = "310120-YJS-001"
UPLOADS = ("公司登记（备案）申请书", "公司章程", "法定代表人、董事、监事和高级管理人员的任职文件及身份证件")
CLICK_BUDGET = 15


class Clicks:
    """The page's actions that cost the resident a click, counted."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, selector, *, navigates: bool = True) -> None:
        self.count += 1
        if navigates:
            with self.page.expect_navigation():
                self.page.locator(selector).click() if isinstance(selector, str) else selector.click()
        else:
            self.page.locator(selector).click() if isinstance(selector, str) else selector.click()

    def answer(self, question: str, value: str) -> None:
        self.count += 1
        sent = f"answer_{question}={value}"
        with self.page.expect_response(lambda response: "/guidance/" in response.url and sent in response.url):
            self.page.check(f"input[name=answer_{question}][value={value}]")

    def choose_file(self, row, path) -> None:
        self.count += 1  # the file chooser; choosing sends the form
        with self.page.expect_navigation():
            row.locator("input[type=file]").set_input_files(str(path))


def material_row(page, name: str):
    return page.locator(f"xpath=//tr[contains(@class,'material-row')][td[1][normalize-space(text()[1])='{name}']]")


@pytest.mark.django_db(transaction=True)
def test_a_resident_founds_a_company_in_at_most_fifteen_clicks(catalog, registry, live_server, browser, settings, tmp_path):
    from yiwang.accounts.models import User
    from yiwang.accounts.services import DEMO_ID_ZHANGSAN
    from yiwang.applications.models import Case
    from yiwang.bundles.models import BundleCase
    from yiwang.registries.models import DataAccess

    settings.MEDIA_ROOT = tmp_path / "media"
    founder = User.objects.create_user(username="founder-e2e", password=PASSWORD, kind="resident", real_name="张三",
                                       id_number=DEMO_ID_ZHANGSAN, phone="13800138000")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF_BYTES)
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(10_000)
    login(page, live_server.url, founder.username)
    page.goto(f"{live_server.url}/bundles/{BUSINESS}/")
    clicks = Clicks(page)

    for question, value in (("q1", "company"), ("q2", "yes"), ("q3", "yes"), ("q4", "none")):
        clicks.answer(question, value)
    clicks.click("button:has-text('开始办理')")
    page.fill("#id_address", "上海市奉贤区南桥镇百齐路288号")
    # The items' own fields (company name, shareholders, seals, tax officers …): filling the form,
    # like typing the address, is not a click of the budget.
    fill_in_page(page, bundle_form_for(BUSINESS, {"q1": "company", "q2": "yes", "q3": "yes", "q4": "none"},
                                       applicant_kind="resident"))
    page.locator("#id_phone").focus()
    eventually(lambda: BundleCase.objects.get(applicant=founder).form_data.get("address") == "上海市奉贤区南桥镇百齐路288号",
               what="the form's autosave")

    id_row = material_row(page, "投资人或者代理人身份证件")
    assert "自然人股东身份证件" in id_row.locator("td").nth(0).inner_text()  # one row for the six uses
    assert page.locator("tr.material-row", has_text="经办人身份证件").count() == 1
    clicks.click(id_row.locator("input[name=consent]"), navigates=False)
    clicks.click(id_row.locator("button:has-text('由数据共享调取（免交）')"))
    assert material_row(page, "投资人或者代理人身份证件").locator("td").nth(3).inner_text().strip() == "已由数据共享调取"
    for name in UPLOADS:
        clicks.choose_file(material_row(page, name), scan)
        assert material_row(page, name).locator("td").nth(3).inner_text().strip() == "scan.pdf", name
    page.screenshot(path=str(ARTIFACTS / "business-start-up-clicks.png"), full_page=True)
    clicks.click("button:has-text('一次提交全部事项')")

    bundle_case = BundleCase.objects.get(applicant=founder)
    assert page.inner_text("ul.messages") == f"一件事已提交，编号 {bundle_case.number}。"
    assert set(Case.objects.filter(applicant=founder).values_list("state", flat=True)) == {"received"}
    assert Case.objects.filter(applicant=founder).count() == 7
    assert DataAccess.objects.filter(subject=founder, outcome="ok").count() == 6  # one per use, each audited
    assert clicks.count == 11 and clicks.count <= CLICK_BUDGET  # 4 answers, start, consent + fetch, 3 files, submit
