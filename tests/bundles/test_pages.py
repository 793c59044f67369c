"""The bundle pages: list, live guide, one form with shared materials, status, lists for residents and staff."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from tests.bundles.conftest import BUSINESS, COMPANY_ANSWERS, SCHOOL, act, client_for, member, pdf, start
from tests.factories import make_resident, make_staff
from tests.helpers import as_post, bundle_form_for
from yiwang.applications.models import Case, CaseMaterial
from yiwang.bundles.models import BundleCase

pytestmark = pytest.mark.django_db


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def answers_form(answers: dict) -> dict:
    return {f"answer_{q}": v for q, v in answers.items()}


def test_the_list_shows_every_bundle(catalog):
    page = browser().get("/bundles/").content.decode()
    assert page.count('class="card bundle-card"') == 42
    assert "企业开办一件事" in page


def test_the_guide_shows_members_reasons_and_the_collecting_window(catalog):
    page = browser().get(f"/bundles/{BUSINESS}/").content.decode()
    assert "您要开办的市场主体类型是？" in page
    assert "办理结果统一在牵头部门（区市场监督管理局）窗口领取" in page
    assert "请回答：“您要开办的市场主体类型是？”" in page
    assert "登录后办理" in page


def test_answering_updates_the_items_live(catalog):
    response = browser().get(f"/bundles/{BUSINESS}/guidance/", {"answer_q1": "individual"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="guidance"')  # the partial alone, not a whole page
    assert "<html" not in page
    assert "因为您在“您要开办的市场主体类型是？”中选择了“个体工商户”，增加“个体工商户设立登记”。" in page
    assert "无需办理“有限责任公司设立登记”" in page
    assert "请回答：“是否需要开具发票？”" in page


def test_start_with_missing_answers_keeps_what_was_chosen(enterprise):
    response = browser(enterprise).post(f"/bundles/{BUSINESS}/start/", answers_form({"q1": "individual", "q4": "none"}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "请回答：“是否需要开具发票？”" in page
    assert 'name="answer_q1" value="individual" checked' in page
    assert 'name="answer_q4" value="none" checked' in page
    assert BundleCase.objects.count() == 0


def test_the_guide_outside_the_window_says_when_it_opens(catalog, frozen_clock):
    frozen_clock.set(dt.date(2026, 3, 1))
    resident = make_resident()
    page = browser(resident).get(f"/bundles/{SCHOOL}/").content.decode()
    assert "当前不在受理期内。下次开放：2026-06-20（至 2026-07-10）。" in page
    response = browser(resident).post(f"/bundles/{SCHOOL}/start/", answers_form({"q1": "hukou_move", "q2": "yes"}))
    assert response.status_code == 400
    assert "下次开放日期为2026年6月20日" in response.content.decode()


def _started_draft(enterprise) -> BundleCase:
    assert browser(enterprise).post(f"/bundles/{BUSINESS}/start/", answers_form(COMPANY_ANSWERS)).status_code == 302
    return BundleCase.objects.get()


def test_the_form_page_numbers_its_saves_and_sends_one_at_a_time(enterprise, fixed_today):
    bundle_case = _started_draft(enterprise)
    page = browser(enterprise).get(f"/bundles/cases/{bundle_case.pk}/").content.decode()
    assert 'hx-sync="this:queue last"' in page
    assert '<input type="hidden" name="form_seq" value="0">' in page
    assert re.search(r'<input type="hidden" name="form_page" value="[A-Za-z0-9_-]{16}">', page)
    assert '<script src="/static/bundles/form-order.js" defer></script>' in page


def test_an_overtaken_autosave_does_not_undo_a_newer_one(enterprise, fixed_today):
    bundle_case = _started_draft(enterprise)
    web = browser(enterprise)
    url = f"/bundles/cases/{bundle_case.pk}/form/"

    def save(address: str, page: str, seq) -> int:
        return web.post(url, {"address": address, "form_page": page, "form_seq": str(seq)}, HTTP_HX_REQUEST="true").status_code

    # The page sent save 1 (南桥) and then save 2 (金汇); save 1 was overtaken and arrives last.
    assert save("南桥镇解放东路1号", "page-aaaaaaaa", 2) == 204
    assert save("南桥镇", "page-aaaaaaaa", 1) == 204
    bundle_case.refresh_from_db()
    assert (bundle_case.form_data["address"], bundle_case.form_page, bundle_case.form_seq) == (
        "南桥镇解放东路1号", "page-aaaaaaaa", 2)
    members = Case.objects.filter(bundle_member__bundle_case=bundle_case)
    assert {case.form_data["address"] for case in members} == {"南桥镇解放东路1号"}
    # A save repeated with the same number is the same save: also not applied again.
    assert save("奉城镇", "page-aaaaaaaa", 2) == 204
    # Another page (a reload, another tab) starts its own numbering and is applied as it arrives.
    assert save("金汇镇", "page-bbbbbbbb", 1) == 204
    bundle_case.refresh_from_db()
    assert (bundle_case.form_data["address"], bundle_case.form_page, bundle_case.form_seq) == ("金汇镇", "page-bbbbbbbb", 1)
    # A save without a usable mark (an old page, a script) is applied as it comes.
    assert web.post(url, {"address": "海湾镇", "form_page": "x", "form_seq": "-1"}, HTTP_HX_REQUEST="true").status_code == 204
    bundle_case.refresh_from_db()
    assert (bundle_case.form_data["address"], bundle_case.form_page, bundle_case.form_seq) == ("海湾镇", "page-bbbbbbbb", 1)


def test_a_resident_fills_one_form_uploads_shared_materials_and_submits(enterprise, fixed_today):
    web = browser(enterprise)
    response = web.post(f"/bundles/{BUSINESS}/start/", answers_form(COMPANY_ANSWERS))
    assert response.status_code == 302
    bundle_case = BundleCase.objects.get()
    assert response["Location"] == f"/bundles/cases/{bundle_case.pk}/"
    page = web.get(response["Location"]).content.decode()
    # The company's own business licence comes from the registration member: nothing to bring.
    assert page.count('value="营业执照"') == 0
    assert page.count("由本件事“有限责任公司设立登记”办结后自动提供，无需提交") == 1
    assert "由数据共享调取（免交）" in page

    form = {**as_post(bundle_form_for(BUSINESS, COMPANY_ANSWERS)), "idempotency_key": "p-1"}
    assert (form["contact_name"], form["phone"]) == ("王经办", "13800138000")
    refused = web.post(f"/bundles/cases/{bundle_case.pk}/submit/", form)
    assert refused.status_code == 400
    assert "缺少必要材料" in refused.content.decode()
    assert 'value="王经办"' in refused.content.decode()  # what was typed is kept

    api = client_for(enterprise)
    for material in api.get(f"/api/v1/bundle-applications/{bundle_case.pk}/").json()["materials"]:
        if material["necessity"] == "1" and not material["produced_by"]:
            uploaded = web.post(f"/bundles/cases/{bundle_case.pk}/materials/", {"material_name": material["name"], "file": pdf()})
            assert uploaded.status_code == 302
    assert CaseMaterial.objects.filter(material_name="营业执照").count() == 0
    submitted = web.post(f"/bundles/cases/{bundle_case.pk}/submit/", form)
    assert submitted.status_code == 302
    page = web.get(submitted["Location"]).content.decode()
    assert "办理中" in page
    assert page.count('class="member-row') == 7
    cases = Case.objects.filter(bundle_member__bundle_case=bundle_case)
    assert {c.state for c in cases} == {"received"}
    assert {c.form_data["contact_name"] for c in cases} == {"王经办"}
    assert sorted(c.item.code for c in cases if c.owed_materials == ["营业执照"]) == [
        "310120-GAZA-20-0001", "310120-GJJ-21-0004", "310120-RSJSB-21-0004", "310120-TAX-20-0001", "310120-TAX-20-0002"
    ]
    for case in cases:
        assert f'href="/cases/{case.pk}/"' in page
    mine = web.get("/bundles/mine/").content.decode()
    assert BundleCase.objects.get().number in mine


def test_the_status_page_groups_supplements_and_one_upload_fixes_both(submitted_business, applicant, enterprise, officers):
    for code, department in (("310120-GAZA-20-0001", "GAZA"), ("310120-TAX-20-0001", "TAX")):
        assert act(officers[department], member(submitted_business, code)["case"], "request_supplement", missing_materials=[1]).status_code == 200
    web = browser(enterprise)
    page = web.get(f"/bundles/cases/{submitted_business['id']}/").content.decode()
    assert "待补正" in page
    assert page.count('class="supplement-row"') == 1
    assert "公章刻制备案、新办纳税人涉税事项信息确认" in page
    response = web.post(f"/bundles/cases/{submitted_business['id']}/materials/", {"material_name": "营业执照", "file": pdf()})
    assert response.status_code == 302
    page = web.get(response["Location"]).content.decode()
    assert "办理中" in page
    assert "2 个事项已恢复办理" in page


def test_a_refusal_is_shown_with_its_reason(submitted_business, enterprise, officers):
    act(officers["GAZA"], member(submitted_business, "310120-GAZA-20-0001")["case"], "reject", opinion="印章样式不符合规定")
    page = browser(enterprise).get(f"/bundles/cases/{submitted_business['id']}/").content.decode()
    assert "部分不予" in page
    assert "印章样式不符合规定" in page


def test_staff_queue_lists_bundle_cases_of_their_departments_masked(catalog, frozen_clock):
    frozen_clock.set(dt.date(2026, 6, 25))
    person = make_resident(real_name="张三丰")
    api = client_for(person)
    answers = {"q1": "hukou_move", "q2": "yes"}
    body = start(api, code=SCHOOL, answers=answers,
                 form=bundle_form_for(SCHOOL, answers, applicant_kind="resident", address="上海市奉贤区")).json()
    for material in body["materials"]:
        if material["necessity"] == "1":
            api.post(f"/api/v1/bundle-applications/{body['id']}/materials/", {"material_name": material["name"], "file": pdf()},
                     format="multipart")
    assert api.post(f"/api/v1/bundle-applications/{body['id']}/submit/", HTTP_IDEMPOTENCY_KEY="k").status_code == 200
    officer = make_staff(role="window_officer", departments=["GAHZ"])
    page = browser(officer).get("/bundles/queue/").content.decode()
    assert "义务教育阶段转学一件事" in page
    assert "张三丰" not in page
    assert person.id_number not in page
    detail = browser(officer).get(f"/bundles/cases/{body['id']}/").content.decode()
    assert "张三丰" not in detail
    other = make_staff(role="window_officer", departments=["TAX"])
    assert "义务教育阶段转学一件事" not in browser(other).get("/bundles/queue/").content.decode()
    assert browser(other).get(f"/bundles/cases/{body['id']}/").status_code == 404


def test_another_resident_gets_404_on_the_page(submitted_business, catalog):
    stranger = make_resident()
    assert browser(stranger).get(f"/bundles/cases/{submitted_business['id']}/").status_code == 404


def test_pages_need_the_right_role(catalog):
    assert browser().get("/bundles/mine/").status_code == 302
    assert browser(make_resident()).get("/bundles/queue/").status_code == 403


def test_the_guide_in_english(catalog):
    web = browser()
    web.post("/i18n/setlang/", {"language": "en"})
    page = web.get(f"/bundles/{BUSINESS}/").content.decode()
    assert "Starting a business" in page
    assert "Sign in to apply" in page  # not signed in
    assert "登录后办理" not in page


def test_the_bundle_page_shows_other_departments_members_by_state_only(submitted_business):
    officer = make_staff(role="window_officer", departments=["GAZA"])
    page = browser(officer).get(f"/bundles/cases/{submitted_business['id']}/").content.decode()
    assert page.count('class="member-row') == 7
    own = member(submitted_business, "310120-GAZA-20-0001")["case"]
    assert own["number"] in page
    assert f'href="/cases/{own["id"]}/"' in page
    others = [m["case"] for m in submitted_business["members"] if m["department"] != "GAZA"]
    assert [c["number"] for c in others if c["number"] in page] == []
    assert [c["id"] for c in others if f'href="/cases/{c["id"]}/"' in page] == []
    assert page.count("已申报") == 7  # every member's state, for coordination


SCHOOL_NOTE = "“随申办”移动端在申请时段内办理；户口簿、不动产权证“两个免交”。申请时段为演示值。"


def test_the_guide_hides_the_bundle_notes_from_residents(catalog):
    for viewer in (None, make_resident(), make_staff(role="window_officer", departments=["JYJ"])):
        page = browser(viewer).get(f"/bundles/{SCHOOL}/").content.decode()
        assert "义务教育阶段转学一件事" in page
        assert "演示值" not in page
        assert "内部备注" not in page


def test_the_guide_shows_the_bundle_notes_to_an_administrator(catalog):
    page = browser(make_staff(role="administrator")).get(f"/bundles/{SCHOOL}/").content.decode()
    assert f'<p class="notes internal-notes">内部备注（仅管理员可见）：{SCHOOL_NOTE}</p>' in page


def _question_fieldsets(page: str) -> dict[str, str]:
    """{question id: the attributes after data-question} of the questionnaire's fieldsets."""
    return dict(re.findall(r'<fieldset class="question[^"]*" data-question="(\w+)"([^>]*)>', page))


def test_the_guide_hides_and_disables_a_question_the_earlier_answers_made_irrelevant(catalog):
    local = browser().get(f"/bundles/{SCHOOL}/", {"answer_q1": "other", "answer_q2": "yes"}).content.decode()
    assert _question_fieldsets(local) == {"q1": "", "q2": "", "q3": " hidden disabled"}
    assert '<section id="guidance" aria-live="polite" data-irrelevant-questions="q3">' in local
    non_local = browser().get(f"/bundles/{SCHOOL}/", {"answer_q1": "other", "answer_q2": "no"}).content.decode()
    assert _question_fieldsets(non_local) == {"q1": "", "q2": "", "q3": ""}
    assert '<section id="guidance" aria-live="polite" data-irrelevant-questions="">' in non_local
    assert "bundles/guidance.js" in local


def test_the_live_guidance_names_the_hidden_questions_and_ignores_their_answers(catalog):
    response = browser().get(f"/bundles/{SCHOOL}/guidance/", {"answer_q1": "other", "answer_q2": "yes", "answer_q3": "nonsense"},
                             HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="guidance" aria-live="polite" data-irrelevant-questions="q3">')
    assert "guidance-errors" not in page  # no "invalid answer" for the hidden question, nothing missing
    assert re.findall(r'<tr class="applicable-item" data-code="([^"]+)">', page) == ["310120-JYJ-21-0001"]
