"""Real browser: a resident's refused upload or failed data-sharing fetch is shown in the material's row.

A file over the size limit, a program renamed .pdf, and a fetch while the household register is
down (the registry service's fault drill): each reason appears in the row, as an alert, with the
file input cleared and marked invalid; with JavaScript off the page comes back with the reason in
the row and a pointer to it at the top. The limits are stated beside each upload.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, browser_only, login
from tests.factories import PASSWORD
from tests.helpers import EXE_BYTES, FORM, PDF_BYTES, form_for
from tests.registries.conftest import ZHANGSAN_ID

pytestmark = browser_only

ITEM = "310120-SCJG-01-0001"  # 个体工商户设立登记: 1 申请书 (upload), 2 经营者身份证件 (household:id_card)
TOO_LARGE = "文件超过大小上限 1 MB。"
WRONG_TYPE = "文件内容不是 PDF、JPEG 或 PNG（按文件内容判断，与扩展名无关）。"
REGISTRY_DOWN = "“户籍信息”暂时无法访问，请上传该材料，或稍后再试。已填写的内容和已上传的材料不受影响。"


def _resident_with_draft(settings, tmp_path):
    from yiwang.accounts.models import User
    from yiwang.applications.services import create_draft

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MATERIAL_MAX_BYTES = 1024 * 1024
    resident = User.objects.create_user(username="zs-upload", password=PASSWORD, kind="resident", real_name="张三",
                                        id_number=ZHANGSAN_ID, phone="13800138000")
    case = create_draft(applicant=resident, item_code=ITEM, form_data=form_for(ITEM))
    too_large = tmp_path / "big-scan.pdf"
    too_large.write_bytes(PDF_BYTES + b"0" * (1024 * 1024 + 1))
    renamed_program = tmp_path / "scan.pdf"
    renamed_program.write_bytes(EXE_BYTES)
    return case, too_large, renamed_program


@pytest.mark.django_db(transaction=True)
def test_refusals_are_shown_in_the_row_with_htmx(catalog, registry, live_server, browser, settings, tmp_path):
    case, too_large, renamed_program = _resident_with_draft(settings, tmp_path)
    page = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    login(page, live_server.url, "zs-upload")
    page.goto(f"{live_server.url}/cases/{case.pk}/edit/")
    row = page.locator("#material-row-1")
    file_input = row.locator("input[type=file]")
    assert row.locator(".upload-limits").inner_text() == "PDF / JPEG / PNG，不超过 1 MB"

    for chosen, message in ((too_large, TOO_LARGE), (renamed_program, WRONG_TYPE)):
        file_input.set_input_files(str(chosen))
        row.locator("form button[type=submit]").click()
        alert = row.locator("[role=alert]")
        expect(alert).to_have_text(message)  # waits for the row htmx swapped in
        assert alert.is_visible()
        assert file_input.input_value() == ""  # nothing left selected
        assert file_input.get_attribute("aria-invalid") == "true"
        assert row.locator("td").nth(3).inner_text().startswith("未上传")
    page.screenshot(path=str(ARTIFACTS / "upload-refused.png"), full_page=True)

    registry.drill("household", "error")
    id_row = page.locator("#material-row-2")
    id_row.locator("input[name=consent]").check()
    id_row.locator(".fetch-control button[type=submit]").click()
    fetch_alert = id_row.locator(".fetch-error[role=alert]")
    expect(fetch_alert).to_have_text(REGISTRY_DOWN)
    assert fetch_alert.is_visible()
    # The control stays usable: consent again and retry, or upload instead.
    assert id_row.locator(".fetch-control button[type=submit]").is_enabled()
    assert id_row.locator("input[type=file]").is_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    assert case.materials.count() == 0


@pytest.mark.django_db(transaction=True)
def test_refusals_are_shown_in_the_row_without_javascript(catalog, registry, live_server, browser, settings, tmp_path):
    case, _, renamed_program = _resident_with_draft(settings, tmp_path)
    page = browser.new_context(locale="zh-CN", java_script_enabled=False).new_page()
    login(page, live_server.url, "zs-upload")
    page.goto(f"{live_server.url}/cases/{case.pk}/edit/")

    page.locator("#material-row-1 input[type=file]").set_input_files(str(renamed_program))
    page.locator("#material-row-1 form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#material-row-1 [role=alert]").inner_text() == WRONG_TYPE
    pointer = page.locator(".material-error-pointer a")
    assert pointer.inner_text() == "请查看材料“个体工商户登记（备案）申请书”一行中的提示。"
    assert pointer.get_attribute("href") == "#material-row-1"
    assert page.locator("#material-row-1 input[type=file]").input_value() == ""

    registry.drill("household", "error")
    page.locator("#material-row-2 input[name=consent]").check()
    page.locator("#material-row-2 .fetch-control button[type=submit]").click()
    page.wait_for_load_state()
    alert = page.locator("#material-row-2 [role=alert]")
    assert alert.inner_text() == REGISTRY_DOWN
    assert alert.is_visible()
    assert page.locator("#id_address").input_value() == FORM["address"]
    assert case.materials.count() == 0
