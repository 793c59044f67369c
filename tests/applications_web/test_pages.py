"""The case pages driven as a browser would: page posts with CSRF-free test clients, real files."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from tests.applications_web.conftest import signed_in
from tests.helpers import as_post, form_for
from yiwang.applications.models import Case, CaseEvent, CaseMaterial, Notice
from yiwang.core import clock
from yiwang.core.identifiers import mask_id_card

ITEM = "310120-SCJG-01-0001"  # 个体工商户设立登记: one step, required materials 1 and 2
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00"
HTMX = {"HX-Request": "true"}


def a_file(name: str = "scan.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def item_form() -> dict:
    """The item's whole form filled with valid values (what a submitted case keeps)."""
    return form_for(ITEM)


def start_draft(client, form=None) -> int:
    response = client.post(f"/cases/apply/{ITEM}/", as_post(item_form()) if form is None else form)
    assert response.status_code == 302
    match = re.fullmatch(r"/cases/(\d+)/edit/", response["Location"])
    assert match, response["Location"]
    return int(match.group(1))


def upload(client, case_id: int, position: int, file=None, htmx: bool = True):
    return client.post(
        f"/cases/{case_id}/materials/", {"position": position, "file": file or a_file()}, headers=HTMX if htmx else {}
    )


def page_key(client, case_id: int) -> str:
    html = client.get(f"/cases/{case_id}/edit/").content.decode()
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html).group(1)


def submit(client, case_id: int, key: str, form=None):
    form = as_post(item_form()) if form is None else form
    return client.post(f"/cases/{case_id}/submit/", {**form, "idempotency_key": key})


def submitted_case(client) -> Case:
    case_id = start_draft(client)
    for position in (1, 2):
        assert upload(client, case_id, position).status_code == 200
    response = submit(client, case_id, page_key(client, case_id))
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200  # as a browser would, showing the flash message
    return Case.objects.get(pk=case_id)


def act(client, case: Case, action: str, **extra):
    return client.post(f"/cases/{case.pk}/act/", {"action": action, "version": case.version, **extra})


def snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    return (case.state, case.version, case.step, CaseEvent.objects.filter(case=case).count(),
            Notice.objects.filter(case=case).count(), CaseMaterial.objects.filter(case=case).count())


# --- apply ------------------------------------------------------------------------------------


def test_apply_page_shows_item_form_and_materials_and_creates_nothing(resident_client):
    response = resident_client.get(f"/cases/apply/{ITEM}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "个体工商户设立登记" in html
    assert 'name="phone"' in html and 'name="address"' in html and 'name="remarks"' in html
    assert "个体工商户登记（备案）申请书" in html and "经营场所不动产权证书（自有房屋）" in html
    assert html.count("necessity-1") == 2 and html.count("necessity-2") == 2
    assert ">必要<" in html and ">非必要<" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "保存草稿" in html
    assert Case.objects.count() == 0


def test_apply_anonymous_is_sent_to_login_with_next(catalog, client):
    response = client.get(f"/cases/apply/{ITEM}/")

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/cases/apply/{ITEM}/"


def test_apply_by_staff_is_forbidden_and_creates_nothing(officer_client):
    get = officer_client.get(f"/cases/apply/{ITEM}/")
    post = officer_client.post(f"/cases/apply/{ITEM}/", as_post(item_form()))

    assert get.status_code == 403
    assert post.status_code == 403
    assert Case.objects.count() == 0


def test_apply_unknown_item_is_404_page(resident_client):
    response = resident_client.get("/cases/apply/310120-NOPE-01-9999/")

    assert response.status_code == 404
    assert Case.objects.count() == 0


def test_save_draft_creates_one_draft_with_partial_data(resident_client, resident):
    case_id = start_draft(resident_client, {"phone": "13800138000"})

    case = Case.objects.get(pk=case_id)
    # the fields the item prefills from the account start with the account's values
    prefilled = {"operator_name": resident.real_name, "operator_id_number": resident.id_number}
    assert (case.state, case.applicant, case.item.code, case.form_data) == (
        "draft", resident, ITEM, {**prefilled, "phone": "13800138000"})
    edit = resident_client.get(f"/cases/{case_id}/edit/")
    assert edit.status_code == 200
    assert 'value="13800138000"' in edit.content.decode()

    saved = resident_client.post(f"/cases/{case_id}/edit/", {"phone": "13800138000", "address": "南桥镇1号"})
    assert saved.status_code == 302 and saved["Location"] == f"/cases/{case_id}/edit/"
    case.refresh_from_db()
    assert case.form_data == {**prefilled, "phone": "13800138000", "address": "南桥镇1号"}  # a partial save keeps the rest
    assert case.state == "draft"


# --- the whole journey ------------------------------------------------------------------------


def test_full_journey_by_page_posts(resident_client, resident, officer_client):
    case_id = start_draft(resident_client)
    first = upload(resident_client, case_id, 1, a_file("申请书.pdf"))
    assert first.status_code == 200
    row = first.content.decode()
    assert row.lstrip().startswith('<tr id="material-row-1"')
    assert "申请书.pdf" in row and "<html" not in row
    assert upload(resident_client, case_id, 2).status_code == 200

    submitted = submit(resident_client, case_id, page_key(resident_client, case_id))
    assert submitted.status_code == 302 and submitted["Location"] == f"/cases/{case_id}/"
    case = Case.objects.get(pk=case_id)
    assert case.state == "received" and case.number.startswith("310120SCJG010001")
    assert case.form_data == item_form()

    officer_page = officer_client.get(f"/cases/{case_id}/").content.decode()
    assert 'value="accept"' in officer_page and 'value="reject"' in officer_page
    assert f'name="version" value="{case.version}"' in officer_page

    assert act(officer_client, case, "accept").status_code == 302
    case.refresh_from_db()
    assert case.state == "accepted"
    assert (case.accepted_on, case.promised_due) == (dt.date(2026, 3, 10), dt.date(2026, 3, 10))  # 即办件: decided the day it is accepted
    assert act(officer_client, case, "approve", opinion="符合条件").status_code == 302
    case.refresh_from_db()
    assert case.state == "approved"
    assert act(officer_client, case, "issue_result").status_code == 302
    case.refresh_from_db()
    assert case.state == "result_issued"
    number = case.licence.number

    page = resident_client.get(f"/cases/{case_id}/")
    html = page.content.decode()
    assert page.status_code == 200
    for title in ("收件回执", "受理通知书", "准予许可决定书", "办结通知书"):
        assert title in html
    assert "决定予以受理" in html and "意见：符合条件" in html
    assert "下载电子证照" in html and f'href="/licences/{number}/pdf/"' in html
    assert "核验" in html and f'href="/licences/verify/{number}/"' in html
    # The applicant sees no staff buttons.
    assert 'value="deliver"' not in html
    mine = resident_client.get("/cases/mine/").content.decode()
    assert case.number in mine and "已出证" in mine


def test_double_submit_with_the_same_key_makes_one_case(resident_client, resident):
    case_id = start_draft(resident_client)
    upload(resident_client, case_id, 1)
    upload(resident_client, case_id, 2)
    key = page_key(resident_client, case_id)

    first = submit(resident_client, case_id, key)
    second = submit(resident_client, case_id, key)

    assert first.status_code == 302 and second.status_code == 302
    assert second["Location"] == first["Location"] == f"/cases/{case_id}/"
    assert Case.objects.filter(applicant=resident).count() == 1
    case = Case.objects.get(pk=case_id)
    assert (case.state, case.version, case.submission_key) == ("received", 1, key)
    assert CaseEvent.objects.filter(case=case, action="submit").count() == 1

    other_key = submit(resident_client, case_id, "f" * 32)
    assert other_key.status_code == 409
    assert "该办件已提交，请勿重复提交。" in other_key.content.decode()
    assert snapshot(case)[:4] == ("received", 1, 0, 1)


def test_submit_with_missing_materials_shows_error_and_keeps_form(resident_client):
    case_id = start_draft(resident_client, {})
    upload(resident_client, case_id, 1)
    key = page_key(resident_client, case_id)

    response = submit(resident_client, case_id, key)

    html = response.content.decode()
    assert response.status_code == 400
    assert "缺少必要材料：经营者身份证件" in html
    assert 'value="上海市奉贤区南桥镇解放东路1号"' in html and "开一家小吃店" in html
    assert f'value="{key}"' in html
    assert "缺少此必要材料" in html
    case = Case.objects.get(pk=case_id)
    assert (case.state, case.number, case.version) == ("draft", None, 0)
    assert case.form_data == item_form()  # what was typed is kept on the draft


def test_submit_with_form_errors_shows_each_error_and_keeps_data(resident_client):
    case_id = start_draft(resident_client, {})
    upload(resident_client, case_id, 1)
    upload(resident_client, case_id, 2)

    typed = {"phone": "123", "address": "", "remarks": "说明"}
    response = submit(resident_client, case_id, page_key(resident_client, case_id), typed)

    html = response.content.decode()
    assert response.status_code == 400
    assert "请填写11位手机号码。" in html
    assert "请填写“联系地址”。" in html
    assert 'value="123"' in html and "说明" in html
    assert Case.objects.get(pk=case_id).state == "draft"


def test_disguised_file_is_refused_in_its_row_and_keeps_the_earlier_upload(resident_client):
    case_id = start_draft(resident_client)
    upload(resident_client, case_id, 1, a_file("good.pdf"))

    refused = upload(resident_client, case_id, 1, a_file("evil.pdf", EXE))

    row = refused.content.decode()
    assert refused.status_code == 400
    assert 'id="material-row-1"' in row and "<html" not in row
    assert "文件内容不是 PDF、JPEG 或 PNG（按文件内容判断，与扩展名无关）。" in row
    assert "good.pdf" in row
    current = CaseMaterial.objects.filter(case_id=case_id, superseded=False)
    assert [(m.material_position, m.original_name) for m in current] == [(1, "good.pdf")]
    assert CaseMaterial.objects.filter(case_id=case_id).count() == 1


def test_refused_file_without_htmx_shows_the_page_with_the_error(resident_client):
    case_id = start_draft(resident_client)

    refused = upload(resident_client, case_id, 2, a_file("evil.pdf", EXE), htmx=False)

    html = refused.content.decode()
    assert refused.status_code == 400
    assert "<html" in html and "文件内容不是 PDF、JPEG 或 PNG" in html
    assert 'value="上海市奉贤区南桥镇解放东路1号"' in html
    assert CaseMaterial.objects.filter(case_id=case_id).count() == 0


# --- who may see what -------------------------------------------------------------------------


def test_another_resident_gets_404_everywhere_and_changes_nothing(resident_client, other_resident):
    draft_id = start_draft(resident_client)
    case = submitted_case(resident_client)
    before = snapshot(case)
    draft = Case.objects.get(pk=draft_id)
    draft_before = (draft.form_data, CaseMaterial.objects.filter(case=draft).count())
    intruder = signed_in(other_resident)

    assert intruder.get(f"/cases/{case.pk}/").status_code == 404
    assert act(intruder, case, "withdraw").status_code == 404
    assert act(intruder, case, "accept").status_code == 404
    assert intruder.get(f"/cases/{draft_id}/edit/").status_code == 404
    assert intruder.post(f"/cases/{draft_id}/edit/", {"phone": "13900000000"}).status_code == 404
    assert upload(intruder, draft_id, 1).status_code == 404
    assert submit(intruder, draft_id, "a" * 32).status_code == 404
    assert intruder.get(f"/cases/{draft_id}/").status_code == 404

    assert snapshot(case) == before
    draft.refresh_from_db()
    assert (draft.form_data, CaseMaterial.objects.filter(case=draft).count()) == draft_before
    assert draft.state == "draft"
    assert case.number not in intruder.get("/cases/mine/").content.decode()


def test_staff_of_another_department_gets_404_and_changes_nothing(resident_client):
    case = submitted_case(resident_client)
    before = snapshot(case)
    police = signed_in(factories.make_staff(role="window_officer", departments=["GAZA"]))

    assert police.get(f"/cases/{case.pk}/").status_code == 404
    assert act(police, case, "accept").status_code == 404
    assert case.number not in police.get("/cases/queue/").content.decode()
    assert snapshot(case) == before


def test_staff_page_masks_the_applicant_id(resident_client, resident, officer_client):
    case = submitted_case(resident_client)

    html = officer_client.get(f"/cases/{case.pk}/").content.decode()

    assert resident.id_number not in html
    assert mask_id_card(resident.id_number) in html
    assert "张*" in html
    # The mobile number of the form too (the applicant's own page shows it in full).
    assert "13800138000" not in html
    assert "<td>138****8000</td>" in html
    assert "13800138000" in resident_client.get(f"/cases/{case.pk}/").content.decode()


def test_stale_version_shows_409_message_and_changes_nothing(resident_client, officer_client):
    case = submitted_case(resident_client)
    stale_version = case.version
    assert act(officer_client, case, "accept").status_code == 302
    before = snapshot(case)

    response = officer_client.post(
        f"/cases/{case.pk}/act/", {"action": "reject", "version": stale_version, "opinion": "材料不符"}
    )

    assert response.status_code == 409
    assert "办件已被他人处理或已更新，请刷新后重试。" in response.content.decode()
    assert snapshot(case) == before
    assert case.state == "accepted"


def test_act_without_version_is_refused(resident_client, officer_client):
    case = submitted_case(resident_client)
    before = snapshot(case)

    response = officer_client.post(f"/cases/{case.pk}/act/", {"action": "accept"})

    assert response.status_code == 400
    assert "缺少办件版本" in response.content.decode()
    assert snapshot(case) == before


def test_reject_needs_an_opinion_and_keeps_nothing_else(resident_client, officer_client):
    case = submitted_case(resident_client)
    before = snapshot(case)

    response = act(officer_client, case, "reject", opinion="  ")

    assert response.status_code == 400
    assert "“不予受理”须填写理由或意见。" in response.content.decode()
    assert snapshot(case) == before


def test_resident_cannot_take_staff_actions(resident_client):
    case = submitted_case(resident_client)
    before = snapshot(case)

    response = act(resident_client, case, "accept")

    assert response.status_code == 403
    assert snapshot(case) == before


# --- supplements ------------------------------------------------------------------------------


def test_supplement_flow(resident_client, officer_client):
    case = submitted_case(resident_client)
    assert act(officer_client, case, "accept").status_code == 302
    case.refresh_from_db()

    page = officer_client.get(f"/cases/{case.pk}/").content.decode()
    assert 'name="missing_materials" value="2"' in page and 'name="missing_materials" value="4"' in page

    none_listed = act(officer_client, case, "request_supplement")
    assert none_listed.status_code == 400
    assert "补正通知须一次性列明全部需补正的材料。" in none_listed.content.decode()
    case.refresh_from_db()
    assert case.state == "accepted"

    assert act(officer_client, case, "request_supplement", missing_materials=["2"], opinion="身份证件不清晰").status_code == 302
    case.refresh_from_db()
    assert case.state == "supplement_requested"

    html = resident_client.get(f"/cases/{case.pk}/").content.decode()
    assert "补正材料通知书" in html and "1. 经营者身份证件" in html
    supplement = html.split('class="card supplement"')[1].split("</table>")[0]
    assert 'id="material-row-2"' in supplement and 'id="material-row-1"' not in supplement
    assert 'name="position" value="2"' in supplement
    assert "提交补正" in html

    early = act(resident_client, case, "supply")
    assert early.status_code == 400
    assert "仍缺少补正材料：经营者身份证件" in early.content.decode()
    case.refresh_from_db()
    assert case.state == "supplement_requested"

    assert upload(resident_client, case.pk, 2, a_file("clear-id.pdf")).status_code == 200
    assert act(resident_client, case, "supply").status_code == 302
    case.refresh_from_db()
    assert case.state == "accepted"
    assert case.paused_on is None
    assert list(case.events.values_list("action", flat=True)) == ["submit", "accept", "request_supplement", "supply"]


# --- my cases ---------------------------------------------------------------------------------


def test_my_cases_lists_drafts_first_with_continue_link(resident_client):
    case = submitted_case(resident_client)
    draft_id = start_draft(resident_client)

    response = resident_client.get("/cases/mine/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(f"/cases/{draft_id}/edit/") < html.index(case.number)
    assert "继续填写" in html and "已申报" in html and "个体工商户设立登记" in html
    assert f'href="/cases/{case.pk}/"' in html
    assert 'href="/cases/mine/"' in html  # nav link for applicants


def test_my_cases_marks_provisional_deadlines(resident_client, officer_client):
    case = submitted_case(resident_client)
    act(officer_client, case, "accept")
    Case.objects.filter(pk=case.pk).update(due_provisional=True)

    html = resident_client.get("/cases/mine/").content.decode()

    assert "暂定" in html


def test_my_cases_is_for_applicants(officer_client, client, catalog):
    assert officer_client.get("/cases/mine/").status_code == 403
    assert client.get("/cases/mine/")["Location"] == "/accounts/login/?next=/cases/mine/"


# --- the work queue ---------------------------------------------------------------------------


def _set_due(case: Case, due: dt.date) -> None:
    # The officer accepted the case; its due date is placed to exercise the colours.
    Case.objects.filter(pk=case.pk).update(state="accepted", accepted_on=due - dt.timedelta(days=40),
                                           promised_due=due, statutory_due=due)


def test_queue_is_sorted_by_deadline_with_colours(resident_client, officer_client):
    today = clock.today()
    later, overdue, soon = submitted_case(resident_client), submitted_case(resident_client), submitted_case(resident_client)
    _set_due(later, today + dt.timedelta(days=60))
    _set_due(overdue, today - dt.timedelta(days=1))
    _set_due(soon, today)
    waiting = submitted_case(resident_client)  # received, not accepted: no deadline yet

    response = officer_client.get("/cases/queue/")

    html = response.content.decode()
    assert response.status_code == 200
    rows = re.findall(r'<tr class="queue-row deadline-(\w+)" data-case="(\d+)">', html)
    assert rows == [("red", str(overdue.pk)), ("yellow", str(soon.pk)), ("green", str(later.pk)), ("green", str(waiting.pk))]
    assert 'hx-trigger="every 30s"' in html
    assert 'href="/cases/queue/"' in html  # nav link for staff


def test_queue_masks_name_and_id(resident_client, resident, officer_client):
    submitted_case(resident_client)

    html = officer_client.get("/cases/queue/").content.decode()

    assert resident.id_number not in html
    assert mask_id_card(resident.id_number) in html
    assert "<td>张*</td>" in html
    assert "张三" not in html


def test_queue_filters_by_own_department_only(resident_client, catalog):
    case = submitted_case(resident_client)
    staff = signed_in(factories.make_staff(role="window_officer", departments=["SCJG", "GAZA"]))

    own = staff.get("/cases/queue/?department=SCJG").content.decode()
    other = staff.get("/cases/queue/?department=GAZA").content.decode()
    foreign = staff.get("/cases/queue/?department=RSJ")

    assert case.number in own
    assert case.number not in other
    assert foreign.status_code == 400
    assert "只能查看本人所属部门的办件。" in foreign.content.decode()


def test_queue_htmx_returns_the_table_partial(resident_client, officer_client):
    case = submitted_case(resident_client)

    response = officer_client.get("/cases/queue/", headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="queue-table"')
    assert "<html" not in html and case.number in html


def test_queue_is_for_staff(resident_client, client, catalog):
    assert resident_client.get("/cases/queue/").status_code == 403
    assert client.get("/cases/queue/")["Location"] == "/accounts/login/?next=/cases/queue/"


# --- languages --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/cases/mine/", f"/cases/apply/{ITEM}/"])
def test_english_switch(resident_client, path):
    submitted_case(resident_client)
    switched = resident_client.post("/i18n/setlang/", {"language": "en", "next": path})
    assert switched.status_code == 302

    html = resident_client.get(path).content.decode()

    assert '<html lang="en">' in html
    assert "Registration of an individual business (getihu)" in html
    if path == "/cases/mine/":
        assert "My cases" in html and "Case number" in html and "Received" in html
        assert "我的办件" not in html and "办件编号" not in html
    else:
        assert "Save draft" in html and "Mobile phone" in html and "Required" in html and "Optional" in html
        assert "保存草稿" not in html


def test_refusals_are_shown_in_english_after_the_switch(resident_client, other_resident):
    case = submitted_case(resident_client)
    intruder = signed_in(other_resident)
    intruder.post("/i18n/setlang/", {"language": "en", "next": "/cases/mine/"})

    response = intruder.get(f"/cases/{case.pk}/")

    assert response.status_code == 404
    assert "Case not found." in response.content.decode()
    assert "办件不存在。" not in response.content.decode()


# --- CSRF -------------------------------------------------------------------------------------


def test_every_form_posts_with_a_csrf_token(catalog, resident):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(resident)
    page = browser.get(f"/cases/apply/{ITEM}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    refused = browser.post(f"/cases/apply/{ITEM}/", as_post(item_form()))
    assert refused.status_code == 403
    assert Case.objects.count() == 0

    accepted = browser.post(f"/cases/apply/{ITEM}/", {**as_post(item_form()), "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    edit = browser.get(accepted["Location"]).content.decode()
    forms = edit.count("<form")
    assert forms == edit.count('name="csrfmiddlewaretoken"')  # every form, including the language switch
    assert Case.objects.count() == 1
