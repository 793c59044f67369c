"""Real-browser journeys through 一件事 bundles and data sharing (headless Chromium + Playwright).

1. School transfer: a parent answers the questionnaire, fills the one form, lets data sharing supply
   the household register, the property certificate and the student record, uploads only the
   application form and submits once.
2. 企业开办, then a food business licence: the company brings no business licence to the bundle (it
   is produced there); a window officer processes every member from the work queue; the company's
   later food licence application takes that licence from data sharing instead of an upload.

Registry records come from the REAL registry service process (tests/e2e/conftest.py `registry`);
licences this platform issued come from its own e-licence store.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.e2e.conftest import ARTIFACTS, background_settled, browser_only, eventually, login
from tests.factories import PASSWORD, make_staff
from tests.helpers import PDF_BYTES, bundle_form_for, fill_in_page, form_for
from yiwang.accounts.models import User
from yiwang.accounts.services import DEMO_CREDIT_CODE, DEMO_ID_ZHANGSAN
from yiwang.applications.models import Case, CaseMaterial
from yiwang.applications.storage import open_material_file
from yiwang.bundles.models import BundleCase
from yiwang.licences.models import Licence
from yiwang.registries.models import DataAccess

pytestmark = browser_only

SCHOOL = "310120-YJS-002"
# Inside the 06-20..07-10 application window; the registry service's clock is kept at the same instant
# (tests/e2e/conftest.py `registry`), as it refuses consents that expired by its own clock.
SCHOOL_DAY = dt.date(2026, 6, 25)
SCHOOL_ITEM = "310120-JYJ-21-0001"
HUKOU_MOVE = "310120-GAHZ-07-0006"
FETCHED_FOR_SCHOOL = ("居民户口簿", "不动产权证书", "学籍信息", "申请人有效身份证件", "迁入地住所的不动产权证书")

BUSINESS = "310120-YJS-001"
COMPANY_REGISTRATION = "310120-SCJG-01-0002"
NEEDING_THE_LICENCE = ("310120-GAZA-20-0001", "310120-TAX-20-0001", "310120-TAX-20-0002", "310120-RSJSB-21-0004",
                       "310120-GJJ-21-0004")
# The required materials of 企业开办 (as a company) that nothing in the bundle or data sharing supplies
# for an enterprise account: identity documents are person-only records.
BUSINESS_UPLOADS = (
    "投资人或者代理人身份证件", "公司登记（备案）申请书", "公司章程", "自然人股东身份证件",
    "法定代表人、董事、监事和高级管理人员的任职文件及身份证件", "法定代表人或者经办人身份证件",
    "法定代表人、财务负责人、办税人员身份证件", "经办人身份证件", "单位经办人身份证件",
)
FOOD_LICENCE = "310120-SCJG-01-0003"


def click_and_load(page, target) -> None:
    """Click something that submits a form or follows a link, and wait for the next page's load."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    locator = page.locator(target) if isinstance(target, str) else target
    # On a loaded CI machine (two suites side by side) a click on a button that has just been
    # rendered was seen to send nothing at all; a POST that approves and signs a licence can also
    # take more than the default 10 s. So: wait 20 s, then click once more and wait 30 s (were the
    # first POST only slow, the second is refused as stale and the journey's checks say so).
    try:
        with page.expect_navigation(timeout=20_000):
            locator.click()
    except PlaywrightTimeout:
        with page.expect_navigation(timeout=30_000):
            locator.click()


def answer(page, question: str, value: str) -> None:
    """Tick an answer and wait for the htmx guidance request it sends (the next answer must not race it)."""
    sent = f"answer_{question}={value}"
    with page.expect_response(lambda response: "/guidance/" in response.url and sent in response.url):
        page.check(f"input[name=answer_{question}][value={value}]")


def material_row(page, name: str):
    """The bundle form's material row whose name (the name cell's own text, without the other
    items' names for the same record) is exactly `name`."""
    return page.locator(f"xpath=//tr[contains(@class,'material-row')][td[1][normalize-space(text()[1])='{name}']]")


def cell_texts(rows, column: int) -> list[str]:
    return [rows.nth(i).locator("td").nth(column).inner_text().strip() for i in range(rows.count())]


def process_from_queue(officer, base: str, number: str, actions=("accept", "approve", "issue_result")) -> None:
    """The officer opens case `number` from the work queue and performs `actions` in order."""
    officer.goto(f"{base}/cases/queue/")
    click_and_load(officer, officer.locator("tr.queue-row", has_text=number).locator("a:has-text('办理')"))
    for action in actions:
        click_and_load(officer, f"form.action-{action} button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_school_transfer_without_uploading_the_household_register_or_property_certificate(
    catalog, registry, live_server, browser, settings, tmp_path, frozen_clock
):
    settings.MEDIA_ROOT = tmp_path / "media"
    frozen_clock.set(SCHOOL_DAY)
    ARTIFACTS.mkdir(exist_ok=True)
    parent = User.objects.create_user(username="zhangsan-e2e", password=PASSWORD, kind="resident", real_name="张三",
                                      id_number=DEMO_ID_ZHANGSAN, phone="13800138000")
    scan = tmp_path / "application.pdf"
    scan.write_bytes(PDF_BYTES)
    base = live_server.url

    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(10_000)
    login(page, base, parent.username)
    page.goto(f"{base}/bundles/")
    click_and_load(page, "text=义务教育阶段转学一件事")
    assert page.url == f"{base}/bundles/{SCHOOL}/"
    assert "受理中 本期受理截止日期：2026-07-10" in page.inner_text("header.card")

    # Answering updates the applicable items, each with its reason, without a reload.
    answer(page, "q1", "hukou_move")
    answer(page, "q2", "yes")
    page.wait_for_selector(".guidance-errors", state="detached")
    items = page.locator("tr.applicable-item")
    assert [items.nth(i).get_attribute("data-code") for i in range(items.count())] == [SCHOOL_ITEM, HUKOU_MOVE]
    assert cell_texts(items, 2) == [
        "本一件事的基本事项“义务教育阶段转学”。",
        "因为您在“转学的主要原因是？”中选择了“户籍迁移”，增加“户口迁移（本市范围内）”。",
    ]
    hukou_line = page.locator("table.bundle-materials tr", has_text="居民户口簿")
    assert hukou_line.locator("td").nth(2).inner_text() == "义务教育阶段转学、户口迁移（本市范围内）"
    assert hukou_line.locator("td").nth(3).inner_text() == "可由数据共享调取（免交）"
    page.screenshot(path=str(ARTIFACTS / "journey-school-01-guide.png"), full_page=True)
    click_and_load(page, "button:has-text('开始办理')")
    assert page.input_value("#id_phone") == "13800138000"  # taken from the account

    # The one form, saved once for both items; then data sharing instead of uploads.
    page.fill("#id_address", "上海市奉贤区南桥镇解放东路1号")
    page.fill("#id_remarks", "因户籍迁移，孩子张小明申请转学。")
    fill_in_page(page, bundle_form_for(SCHOOL, {"q1": "hukou_move", "q2": "yes"}, applicant_kind="resident"))
    click_and_load(page, "#bundle-form button:has-text('保存')")
    assert page.inner_text("ul.messages") == "申请表已保存，已同步到每个事项。"
    # Typed values are kept without pressing 保存: the form saves itself as the parent types.
    page.fill("#id_remarks", "因户籍迁移，孩子张小明申请转学，入学时间待定。")
    page.locator("#id_address").focus()
    eventually(lambda: "入学时间待定" in BundleCase.objects.get(applicant=parent).form_data.get("remarks", ""),
               what="the autosave of the remarks")
    for name in FETCHED_FOR_SCHOOL:
        row = material_row(page, name)
        row.locator("input[name=consent]").check()
        click_and_load(page, row.locator("button:has-text('由数据共享调取（免交）')"))
        assert page.inner_text("ul.messages") == "已由数据共享调取该材料，无需上传。", name
        assert material_row(page, name).locator("td").nth(3).inner_text().strip() == "已由数据共享调取", name
    form_row = material_row(page, "义务教育阶段转学申请")
    with page.expect_navigation():  # choosing the file sends it
        form_row.locator("input[type=file]").set_input_files(str(scan))
    assert material_row(page, "义务教育阶段转学申请").locator("td").nth(3).inner_text().strip() == "application.pdf"
    assert page.input_value("#id_address") == "上海市奉贤区南桥镇解放东路1号"
    page.screenshot(path=str(ARTIFACTS / "journey-school-02-form.png"), full_page=True)
    click_and_load(page, "button:has-text('一次提交全部事项')")

    # One submission; the bundle page lists both member cases with their numbers.
    bundle_case = BundleCase.objects.get(applicant=parent)
    assert page.inner_text("ul.messages") == f"一件事已提交，编号 {bundle_case.number}。"
    members = {m.item.code: m.case for m in bundle_case.members.select_related("item", "case")}
    assert sorted(members) == [HUKOU_MOVE, SCHOOL_ITEM]
    member_rows = page.locator("tr.member-row")
    assert cell_texts(member_rows, 0) == ["义务教育阶段转学", "户口迁移（本市范围内）"]
    assert cell_texts(member_rows, 2) == [members[SCHOOL_ITEM].number, members[HUKOU_MOVE].number]
    assert cell_texts(member_rows, 3) == ["已申报", "已申报"]
    page.screenshot(path=str(ARTIFACTS / "journey-school-03-submitted.png"), full_page=True)

    # Only the application form was uploaded; every other material is a registry record.
    def materials_of(code):
        return sorted((m.material_position, m.material_name, m.source, m.shared_source)
                      for m in CaseMaterial.objects.filter(case=members[code], superseded=False))

    assert materials_of(SCHOOL_ITEM) == [
        (1, "义务教育阶段转学申请", "upload", ""),
        (2, "居民户口簿", "registry", "household:hukou_booklet"),
        (3, "不动产权证书", "registry", "property:property_certificate"),
        (5, "学籍信息", "registry", "education:student_status"),
    ]
    assert materials_of(HUKOU_MOVE) == [
        (1, "居民户口簿", "registry", "household:hukou_booklet"),
        (2, "申请人有效身份证件", "registry", "household:id_card"),
        (3, "迁入地住所的不动产权证书", "registry", "property:property_certificate"),
    ]
    assert not CaseMaterial.objects.filter(
        case__in=members.values(), source="upload",
        material_name__in=["居民户口簿", "不动产权证书", "迁入地住所的不动产权证书", "学籍信息", "申请人有效身份证件"],
    ).exists()
    school, hukou = members[SCHOOL_ITEM], members[HUKOU_MOVE]
    accesses = DataAccess.objects.filter(subject=parent).order_by("id")
    assert [(a.case_id, a.registry, a.record_kind, a.record_id, a.outcome) for a in accesses] == [
        (school.pk, "household", "hukou_booklet", "GAHZ-HK-310120-0012345", "ok"),
        (hukou.pk, "household", "hukou_booklet", "GAHZ-HK-310120-0012345", "ok"),
        (school.pk, "property", "property_certificate", "BDC-2021-012345", "ok"),
        (school.pk, "education", "student_status", "JYJ-XJ-2025-000777", "ok"),
        (hukou.pk, "household", "id_card", "GAHZ-IDC-0001", "ok"),
        (hukou.pk, "property", "property_certificate", "BDC-2021-012345", "ok"),
    ]

    # The parent sees every fetch of their data, newest first, with the case it was for.
    click_and_load(page, "nav >> text=我的数据")
    assert page.url == f"{base}/data-sharing/my-data/"
    rows = page.locator("#access-list tr.access-row")
    assert list(zip(cell_texts(rows, 2), cell_texts(rows, 3), cell_texts(rows, 5))) == [
        ("不动产登记信息 · 不动产权证书", hukou.number, "调取成功"),
        ("户籍信息 · 居民身份证", hukou.number, "调取成功"),
        ("学籍信息 · 中小学生学籍信息", school.number, "调取成功"),
        ("不动产登记信息 · 不动产权证书", school.number, "调取成功"),
        ("户籍信息 · 居民户口簿", hukou.number, "调取成功"),
        ("户籍信息 · 居民户口簿", school.number, "调取成功"),
    ]
    assert page.locator("#consent-list tr.consent-row").count() == 6
    page.screenshot(path=str(ARTIFACTS / "journey-school-04-my-data.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_start_a_company_then_apply_for_a_food_licence_with_the_business_licence_from_data_sharing(
    catalog, registry, live_server, worker, browser, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_URL = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    company = User.objects.create_user(username="company-e2e", password=PASSWORD, kind="enterprise",
                                       real_name="上海奉贤示例餐饮有限公司", credit_code=DEMO_CREDIT_CODE)
    make_staff(role="window_officer", departments=["SCJG", "GAZA", "TAX", "RSJSB", "GJJ"], username="window-e2e")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF_BYTES)
    base = live_server.url

    # --- 企业开办: the guide, the one form, no business licence brought -------------------------------
    owner = browser.new_context(locale="zh-CN").new_page()
    owner.set_default_timeout(10_000)
    login(owner, base, company.username)
    owner.goto(f"{base}/bundles/{BUSINESS}/")
    for question, value in (("q1", "company"), ("q2", "yes"), ("q3", "yes"), ("q4", "none")):
        answer(owner, question, value)
    owner.wait_for_selector(".guidance-errors", state="detached")
    items = owner.locator("tr.applicable-item")
    assert [items.nth(i).get_attribute("data-code") for i in range(items.count())] == [
        "310120-SCJG-20-0001", COMPANY_REGISTRATION, *NEEDING_THE_LICENCE,
    ]
    click_and_load(owner, "button:has-text('开始办理')")
    owner.fill("#id_contact_name", "张三")
    owner.fill("#id_phone", "13900139000")
    owner.fill("#id_address", "上海市奉贤区南桥镇百齐路288号")
    fill_in_page(owner, bundle_form_for(BUSINESS, {"q1": "company", "q2": "yes", "q3": "yes", "q4": "none"}))
    click_and_load(owner, "#bundle-form button:has-text('保存')")

    licence_row = material_row(owner, "营业执照")
    assert licence_row.locator("td").nth(3).inner_text().strip() == "由本件事“有限责任公司设立登记”办结后自动提供，无需提交"
    assert licence_row.locator("input[type=file], button").count() == 0
    # Identity documents are records of people: a company's account is not offered to fetch them.
    assert material_row(owner, "投资人或者代理人身份证件").locator("button:has-text('由数据共享调取（免交）')").count() == 0
    assert not CaseMaterial.objects.filter(case__applicant=company).exists()
    assert not DataAccess.objects.filter(subject=company).exists()
    for name in BUSINESS_UPLOADS:
        with owner.expect_navigation():  # choosing the file sends it
            material_row(owner, name).locator("input[type=file]").set_input_files(str(scan))
        assert material_row(owner, name).locator("td").nth(3).inner_text().strip() == "scan.pdf", name
    owner.screenshot(path=str(ARTIFACTS / "journey-business-01-form.png"), full_page=True)
    click_and_load(owner, "button:has-text('一次提交全部事项')")
    bundle_case = BundleCase.objects.get(applicant=company)
    assert owner.inner_text("ul.messages") == f"一件事已提交，编号 {bundle_case.number}。"
    members = {m.item.code: m.case for m in bundle_case.members.select_related("item", "case")}
    assert cell_texts(owner.locator("tr.member-row"), 3) == ["已申报"] * 7
    assert not CaseMaterial.objects.filter(case__applicant=company, material_name="营业执照").exists()

    # --- The window officer issues the business licence, then processes the other members ----------
    officer = browser.new_context(locale="zh-CN").new_page()
    officer.set_default_timeout(10_000)
    login(officer, base, "window-e2e")
    registration = members[COMPANY_REGISTRATION]
    process_from_queue(officer, base, registration.number)
    assert officer.inner_text("ul.messages") == "已办理：出证。"
    licence = Licence.objects.get(case=registration)
    assert (licence.title, licence.holder_identifier) == ("营业执照", DEMO_CREDIT_CODE)
    assert licence.number in officer.inner_text("main")
    officer.screenshot(path=str(ARTIFACTS / "journey-business-02-licence-issued.png"), full_page=True)

    # Issuing it handed the licence (through the background worker) to every member waiting for it.
    eventually(background_settled, what="the worker to pass the licence on")
    for code in NEEDING_THE_LICENCE:
        shared = CaseMaterial.objects.get(case=members[code], material_name="营业执照", superseded=False)
        assert (shared.source, shared.shared_source) == ("registry", "elicence:business_licence"), code
        assert DataAccess.objects.get(pk=shared.access_log_id).record_id == licence.number, code
    for code in ("310120-SCJG-20-0001", *NEEDING_THE_LICENCE):
        process_from_queue(officer, base, members[code].number)
        assert officer.inner_text("ul.messages") == "已办理：出证。", code
    # The officer's case page (the last member, 公积金) shows the licence as a shared record.
    assert "已由数据共享调取（免交）" in officer.locator("tr.material-row", has_text="营业执照").inner_text()
    assert set(Case.objects.filter(pk__in=[case.pk for case in members.values()]).values_list("state", flat=True)) == {
        "result_issued"
    }

    owner.goto(f"{base}/bundles/cases/{bundle_case.pk}/")
    assert cell_texts(owner.locator("tr.member-row"), 3) == ["已出证"] * 7
    owner.screenshot(path=str(ARTIFACTS / "journey-business-03-bundle-done.png"), full_page=True)

    # --- Later: the food business licence, with the business licence from data sharing -------------
    owner.goto(f"{base}/cases/apply/{FOOD_LICENCE}/")
    owner.fill("#id_contact_name", "张三")
    owner.fill("#id_phone", "13900139000")
    owner.fill("#id_address", "上海市奉贤区南桥镇百齐路288号")
    fill_in_page(owner, form_for(FOOD_LICENCE, applicant_kind="enterprise"))
    click_and_load(owner, "button:has-text('保存草稿')")
    assert owner.url.endswith("/edit/")
    licence_row = owner.locator("#material-row-2")
    assert licence_row.locator("td").nth(1).inner_text() == "营业执照"
    licence_row.locator("input[name=consent]").check()
    licence_row.locator("button:has-text('调取共享数据')").click()
    # The control answers, then the whole row reloads itself (htmx event yiwang:material-fetched).
    owner.wait_for_selector("#material-row-2 >> text=已由数据共享调取（免交）")
    assert "已调取（免交） 来源：电子证照库" in owner.inner_text("#material-row-2 .fetch-control")
    for position in (1, 3, 4):
        row = owner.locator(f"#material-row-{position}")
        row.locator("input[type=file]").set_input_files(str(scan))
        row.locator("button:has-text('上传')").click()
        owner.wait_for_selector(f"#material-row-{position} >> text=已上传")
    owner.screenshot(path=str(ARTIFACTS / "journey-business-04-food-licence.png"), full_page=True)
    click_and_load(owner, "button:has-text('提交申报')")
    assert "收件回执" in owner.inner_text("main")
    food = Case.objects.get(applicant=company, item__code=FOOD_LICENCE)
    assert owner.inner_text("ul.messages") == f"申报已提交，办件编号 {food.number}。"
    assert food.state == "received"
    materials = {m.material_position: m for m in food.materials.filter(superseded=False)}
    assert sorted(materials) == [1, 2, 3, 4]
    shared = materials[2]
    assert (shared.material_name, shared.source, shared.shared_source) == (
        "营业执照", "registry", "elicence:business_licence"
    )
    assert not food.materials.filter(material_position=2, source="upload").exists()
    access = DataAccess.objects.get(pk=shared.access_log_id)
    assert (access.case_id, access.record_id, access.outcome) == (food.pk, licence.number, "ok")
    assert access.source == "platform"  # answered from the licences this platform issued
    with open_material_file(shared.storage_path) as stored:
        envelope = json.loads(stored.read())
    assert envelope["record_id"] == licence.number
    assert envelope["record"]["number"] == licence.number
    assert envelope["record"]["holder_identifier"] == DEMO_CREDIT_CODE
