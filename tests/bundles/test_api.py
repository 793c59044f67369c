"""The bundle API on the reference catalogue: fan-out on submission, join of the member cases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests.bundles.conftest import (
    BUSINESS, COMPANY_ANSWERS, SCHOOL, act, client_for, member, start, upload, upload_required,
)
from tests.factories import make_enterprise, make_resident, make_staff
from tests.helpers import PNG_BYTES, bundle_form_for
from yiwang.applications.models import Case, CaseEvent, CaseMaterial
from yiwang.bundles.models import BundleCase, BundleCaseMember
from yiwang.jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    """An anonymous API client (the bundle catalogue and guidance are public)."""
    return APIClient()

COMPANY_ITEMS = [
    "310120-SCJG-20-0001", "310120-SCJG-01-0002", "310120-GAZA-20-0001", "310120-TAX-20-0001",
    "310120-TAX-20-0002", "310120-RSJSB-21-0004", "310120-GJJ-21-0004",
]
LICENCE = "营业执照"


# ---------------------------------------------------------------------------------------------
# Catalogue of bundles and guidance
# ---------------------------------------------------------------------------------------------


def test_the_bundle_list_is_public_and_has_all_42(api, catalog):
    response = api.get("/api/v1/bundles/")
    assert response.status_code == 200
    body = response.json()
    assert len(body) == 42
    business = body[0]
    assert business == {
        "code": BUSINESS, "name": "企业开办一件事", "name_en": "Starting a business", "lead_department": "SCJG",
        "lead_department_name": "区市场监督管理局", "member_count": 7, "has_questions": True,
        "application_window": None,
    }


def test_every_bundle_detail_loads(api, catalog):
    codes = [b["code"] for b in api.get("/api/v1/bundles/").json()]
    for code in codes:
        response = api.get(f"/api/v1/bundles/{code}/")
        assert response.status_code == 200, code
        assert response.json()["members"]


def test_bundle_detail_has_members_questions_rules_and_window(api, catalog, fixed_today):
    body = api.get(f"/api/v1/bundles/{SCHOOL}/").json()
    assert [m["code"] for m in body["members"]] == ["310120-JYJ-21-0001"]
    assert [q["id"] for q in body["questions"]] == ["q1", "q2", "q3"]
    assert body["rules"][0] == {"when": {"q1": "hukou_move"}, "add_items": ["310120-GAHZ-07-0006"]}
    assert body["application_window"] == {
        "opens": "06-20", "closes": "07-10", "open_today": False, "next_opens": "2027-06-20", "closes_on": "2027-07-10",
    }
    assert api.get("/api/v1/bundles/310120-YJS-999/").json()["code"] == "unknown_bundle"


def test_guidance_returns_items_skipped_and_materials_with_reasons(api, catalog):
    response = api.post(
        f"/api/v1/bundles/{BUSINESS}/guidance/",
        {"answers": {"q1": "individual", "q2": "no", "q3": "no", "q4": "none"}}, format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [i["code"] for i in body["items"]] == [
        "310120-SCJG-20-0001", "310120-GAZA-20-0001", "310120-TAX-20-0001", "310120-SCJG-01-0001",
    ]
    assert body["items"][3]["reason"] == "因为您在“您要开办的市场主体类型是？”中选择了“个体工商户”，增加“个体工商户设立登记”。"
    assert [s["code"] for s in body["skipped"]] == [
        "310120-SCJG-01-0002", "310120-TAX-20-0002", "310120-RSJSB-21-0004", "310120-GJJ-21-0004",
    ]
    licence = next(m for m in body["materials"] if m["name"] == LICENCE)
    assert licence == {
        "name": LICENCE, "items": ["310120-GAZA-20-0001", "310120-TAX-20-0001"], "necessity": "1",
        "exemptible_via": "elicence:business_licence",
    }
    names = [(m["name"], m["exemptible_via"]) for m in body["materials"]]
    assert len(names) == len(set(names))


def test_guidance_with_missing_answers_lists_them_all(api, catalog):
    response = api.post(f"/api/v1/bundles/{BUSINESS}/guidance/", {"answers": {"q2": "yes"}}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "missing_answers"
    assert body["details"]["missing"] == ["q1", "q3", "q4"]
    assert body["message"] == (
        "引导问题的回答有误：请回答：“您要开办的市场主体类型是？”；请回答：“是否招用员工？”；请回答：“经营范围是否涉及食品？”"
    )


def test_guidance_with_an_invalid_option(api, catalog):
    response = api.post(
        f"/api/v1/bundles/{BUSINESS}/guidance/", {"answers": {**COMPANY_ANSWERS, "q4": "wine"}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_answer"
    assert response.json()["details"]["errors"][0]["question"] == "q4"


# ---------------------------------------------------------------------------------------------
# Start
# ---------------------------------------------------------------------------------------------


def test_start_makes_one_draft_per_applicable_item_with_the_shared_form(applicant, enterprise, fixed_today):
    response = start(applicant)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["number"] is None
    assert [m["item_code"] for m in body["members"]] == COMPANY_ITEMS
    assert all(m["channel"] == "online" and m["case"]["state"] == "draft" for m in body["members"])
    assert body["collect_at"] == "区市场监督管理局"
    cases = Case.objects.filter(pk__in=[m["case"]["id"] for m in body["members"]])
    assert cases.count() == 7
    shared = bundle_form_for(BUSINESS, COMPANY_ANSWERS)
    common = ["contact_name", "phone", "address", "remarks"]
    asked = {  # each member gets the fields of the one form that its own form asks
        "310120-SCJG-20-0001": ["enterprise_name", "name_trade_mark", "name_industry", "company_type",
                                "registered_capital", "investors"],
        "310120-SCJG-01-0002": ["enterprise_name", "company_type", "domicile", "legal_representative",
                                "legal_representative_id_number", "registered_capital", "business_scope",
                                "operating_term", "shareholders", "supervisor_name"],
        "310120-GAZA-20-0001": ["enterprise_name", "credit_code", "seal_types", "electronic_seal", "seal_maker"],
        "310120-TAX-20-0001": ["enterprise_name", "credit_code", "finance_manager", "finance_manager_id_number",
                               "finance_manager_phone", "tax_officer", "tax_officer_id_number",
                               "accounting_standard", "vat_taxpayer_type"],
        "310120-TAX-20-0002": ["enterprise_name", "credit_code", "invoice_types", "monthly_invoice_amount"],
        "310120-RSJSB-21-0004": ["enterprise_name", "credit_code", "insured_employees", "first_insurance_month",
                                 "social_insurance_bank", "social_insurance_account"],
        "310120-GJJ-21-0004": ["enterprise_name", "credit_code", "unit_contribution_rate",
                               "employee_contribution_rate", "contributing_employees", "first_contribution_month",
                               "housing_fund_officer", "housing_fund_officer_id_number"],
    }
    assert {c.item.code: c.form_data for c in cases} == {
        code: {name: shared[name] for name in names + common} for code, names in asked.items()}
    assert all(c.applicant_id == enterprise.pk for c in cases)
    licence = next(m for m in body["materials"] if m["name"] == LICENCE)
    assert licence["items"] == ["310120-GAZA-20-0001", "310120-TAX-20-0001", "310120-TAX-20-0002",
                                "310120-RSJSB-21-0004", "310120-GJJ-21-0004"]
    assert licence["uploaded_items"] == []


def test_item_specific_fields_override_the_shared_ones(applicant, fixed_today):
    response = applicant.post(
        f"/api/v1/bundles/{BUSINESS}/applications/",
        {"answers": COMPANY_ANSWERS, "form_data": bundle_form_for(BUSINESS, COMPANY_ANSWERS, remarks="开办公司"),
         "item_form_data": {"310120-TAX-20-0002": {"remarks": "需要数字化电子发票"}}},
        format="json",
    )
    body = response.json()
    remarks = {m["item_code"]: Case.objects.get(pk=m["case"]["id"]).form_data["remarks"] for m in body["members"]}
    assert remarks["310120-TAX-20-0002"] == "需要数字化电子发票"
    assert remarks["310120-GAZA-20-0001"] == "开办公司"


def test_start_with_bad_answers_is_refused_and_creates_nothing(applicant, fixed_today):
    before = Case.objects.count()
    response = start(applicant, answers={"q1": "company"})
    assert response.status_code == 400
    assert response.json()["code"] == "missing_answers"
    assert response.json()["details"]["missing"] == ["q2", "q3", "q4"]
    assert BundleCase.objects.count() == 0
    assert Case.objects.count() == before


def test_staff_cannot_start_a_bundle(catalog, fixed_today):
    officer = client_for(make_staff(role="window_officer", departments=["SCJG"]))
    response = start(officer)
    assert response.status_code == 403
    assert BundleCase.objects.count() == 0


def test_a_member_that_cannot_be_applied_for_online_goes_to_a_window(catalog, fixed_today):
    resident = client_for(make_resident())
    response = start(resident, code="310120-YJS-004", answers={"q1": "self", "q2": "yes"},
                     form={"phone": "13800138000", "address": "上海市奉贤区"})
    assert response.status_code == 201, response.json()
    members = response.json()["members"]
    assert [(m["item_code"], m["channel"], m["case"] is None) for m in members] == [
        ("310120-WJW-21-0006", "online", False), ("310120-WJW-05-0002", "window", True),
    ]


# ---------------------------------------------------------------------------------------------
# Windows
# ---------------------------------------------------------------------------------------------


SCHOOL_ANSWERS = {"q1": "hukou_move", "q2": "yes"}


def school_form(answers=SCHOOL_ANSWERS) -> dict:
    """The school transfer's one form, filled for the items these answers call for."""
    return bundle_form_for(SCHOOL, answers, applicant_kind="resident")


def test_school_transfer_outside_its_window_says_when_it_opens(catalog, frozen_clock):
    frozen_clock.set(dt.date(2026, 7, 11))
    resident = client_for(make_resident())
    response = start(resident, code=SCHOOL, answers=SCHOOL_ANSWERS, form=school_form())
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "outside_application_window"
    assert body["message"] == "“义务教育阶段转学一件事”每年6月20日至7月10日受理申请，当前不在受理期内；下次开放日期为2027年6月20日。"
    assert body["details"]["next_opens"] == "2027-06-20"
    assert BundleCase.objects.count() == 0


def test_school_transfer_inside_its_window_fans_out_with_the_hukou_transfer(catalog, frozen_clock):
    frozen_clock.set(dt.date(2026, 6, 25))
    resident = client_for(make_resident())
    response = start(resident, code=SCHOOL, answers=SCHOOL_ANSWERS, form=school_form())
    assert response.status_code == 201, response.json()
    assert [m["item_code"] for m in response.json()["members"]] == ["310120-JYJ-21-0001", "310120-GAHZ-07-0006"]


def test_the_window_is_checked_again_at_submission(catalog, frozen_clock):
    frozen_clock.set(dt.date(2026, 7, 10))
    resident = client_for(make_resident())
    body = start(resident, code=SCHOOL, answers=SCHOOL_ANSWERS, form=school_form()).json()
    upload_required(resident, body)
    frozen_clock.set(dt.date(2026, 7, 11))
    response = resident.post(f"/api/v1/bundle-applications/{body['id']}/submit/", HTTP_IDEMPOTENCY_KEY="s-1")
    assert response.status_code == 400
    assert response.json()["code"] == "outside_application_window"
    assert set(Case.objects.filter(bundle_member__bundle_case_id=body["id"]).values_list("state", flat=True)) == {"draft"}


# ---------------------------------------------------------------------------------------------
# Materials and submission
# ---------------------------------------------------------------------------------------------


def test_one_upload_is_stored_once_for_every_member_that_needs_it(applicant, fixed_today, settings_media):
    body = start(applicant).json()
    response = upload(applicant, body["id"], LICENCE)
    assert response.status_code == 201, response.json()
    stored = response.json()
    assert len(stored) == 5
    assert len({s["sha256"] for s in stored}) == 1
    assert {s["case_id"] for s in stored} == {member(body, c)["case"]["id"] for c in COMPANY_ITEMS[2:]}
    files = [p for p in Path(settings_media, "materials").rglob("*") if p.is_file()]
    assert len(files) == 1


def test_a_refused_file_is_stored_for_no_member(applicant, fixed_today):
    body = start(applicant).json()
    response = upload(applicant, body["id"], LICENCE, content=b"MZ\x90\x00" + b"\x00" * 64)
    assert response.status_code == 400
    assert response.json()["code"] == "unsupported_file_type"
    assert CaseMaterial.objects.count() == 0


def test_an_unknown_material_name_is_refused(applicant, fixed_today):
    body = start(applicant).json()
    response = upload(applicant, body["id"], "结婚证")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_material"


def test_submission_with_missing_materials_submits_no_member(applicant, fixed_today):
    body = start(applicant).json()
    upload(applicant, body["id"], LICENCE)
    response = applicant.post(f"/api/v1/bundle-applications/{body['id']}/submit/", HTTP_IDEMPOTENCY_KEY="x")
    assert response.status_code == 400
    refusal = response.json()
    assert refusal["code"] == "missing_materials"
    assert LICENCE not in refusal["details"]["missing"]
    assert refusal["details"]["by_material"]["公司章程"] == ["有限责任公司设立登记"]
    assert set(Case.objects.filter(bundle_member__bundle_case_id=body["id"]).values_list("state", flat=True)) == {"draft"}
    assert BundleCase.objects.get(pk=body["id"]).submitted_at is None


def test_submission_fans_out_to_numbered_member_cases(submitted_business):
    body = submitted_business
    assert body["status"] == "in_progress"
    assert body["status_label"] == "办理中"
    assert body["number"] == f"310120YJS00120261126{body['id']:06d}"
    numbers = [m["case"]["number"] for m in body["members"]]
    assert len(set(numbers)) == 7
    for m in body["members"]:
        assert m["case"]["state"] == "received"
        assert m["case"]["number"].startswith(m["item_code"].replace("-", "") + "20261126")
        assert m["notice"] == {"kind": "receipt", "title": "收件回执"}
    assert body["materials"] == []


def test_a_retried_submission_returns_the_same_bundle_case(applicant, submitted_business):
    events = CaseEvent.objects.count()
    again = applicant.post(f"/api/v1/bundle-applications/{submitted_business['id']}/submit/", HTTP_IDEMPOTENCY_KEY="b-1")
    assert again.status_code == 200
    assert again.json()["number"] == submitted_business["number"]
    assert [m["case"]["number"] for m in again.json()["members"]] == [m["case"]["number"] for m in submitted_business["members"]]
    assert CaseEvent.objects.count() == events
    other_key = applicant.post(f"/api/v1/bundle-applications/{submitted_business['id']}/submit/", HTTP_IDEMPOTENCY_KEY="b-2")
    assert other_key.status_code == 409
    assert other_key.json()["code"] == "already_submitted"
    assert CaseEvent.objects.count() == events


def test_a_key_used_for_another_bundle_case_is_refused(applicant, submitted_business):
    body = start(applicant).json()
    upload_required(applicant, body)
    response = applicant.post(f"/api/v1/bundle-applications/{body['id']}/submit/", HTTP_IDEMPOTENCY_KEY="b-1")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert BundleCase.objects.get(pk=body["id"]).submitted_at is None


def test_another_applicant_sees_nothing_and_changes_nothing(submitted_business, applicant, catalog):
    stranger = client_for(make_enterprise(real_name="另一家公司"))
    bundle_case_id = submitted_business["id"]
    assert stranger.get(f"/api/v1/bundle-applications/{bundle_case_id}/").status_code == 404
    assert stranger.get("/api/v1/bundle-applications/").json() == []
    events = CaseEvent.objects.count()
    assert stranger.post(f"/api/v1/bundle-applications/{bundle_case_id}/submit/", HTTP_IDEMPOTENCY_KEY="b-1").status_code == 404
    assert upload(stranger, bundle_case_id, LICENCE).status_code == 404
    response = stranger.post(
        f"/api/v1/bundle-applications/{bundle_case_id}/supplements/",
        {"material_name": LICENCE, "file": _pdf()}, format="multipart",
    )
    assert response.status_code == 404
    assert CaseEvent.objects.count() == events


def test_a_draft_of_another_resident_is_invisible_too(applicant, fixed_today):
    body = start(applicant).json()
    stranger = client_for(make_resident())
    assert stranger.get(f"/api/v1/bundle-applications/{body['id']}/").json()["code"] == "bundle_case_not_found"
    assert upload(stranger, body["id"], LICENCE).status_code == 404
    assert CaseMaterial.objects.count() == 0


def _pdf():
    from tests.bundles.conftest import pdf

    return pdf()


# ---------------------------------------------------------------------------------------------
# Processing by the departments: same-day licence, refusal, supplements, the join
# ---------------------------------------------------------------------------------------------


def _finish(officer, case: dict) -> dict:
    for action in ("accept", "approve", "issue_result"):
        response = act(officer, case, action)
        assert response.status_code == 200, (case, action, response.json())
    return response.json()


def test_the_market_regulator_issues_the_business_licence_the_same_day(submitted_business, officers, applicant, fixed_today):
    licence_case = member(submitted_business, "310120-SCJG-01-0002")["case"]
    accepted = act(officers["SCJG"], licence_case, "accept").json()
    assert accepted["accepted_on"] == "2026-11-26"
    issued = _finish(officers["SCJG"], member(submitted_business, "310120-SCJG-20-0001")["case"])
    assert issued["promised_due"] == "2026-11-26"
    for action in ("approve", "issue_result"):
        assert act(officers["SCJG"], licence_case, action).status_code == 200
    detail = applicant.get(f"/api/v1/bundle-applications/{submitted_business['id']}/").json()
    state = {m["item_code"]: m["case"]["state"] for m in detail["members"]}
    assert state["310120-SCJG-01-0002"] == "result_issued"
    assert Case.objects.get(pk=licence_case["id"]).licence.number
    assert detail["status"] == "in_progress"
    # The market regulator does not see the other departments' members.
    gaza_case = member(submitted_business, "310120-GAZA-20-0001")["case"]
    assert officers["SCJG"].get(f"/api/v1/applications/{gaza_case['id']}/").status_code == 404


def test_the_bundle_finishes_when_every_member_finishes(submitted_business, officers, applicant, fixed_today):
    for m in submitted_business["members"]:
        _finish(officers[m["department"]], m["case"])
    detail = applicant.get(f"/api/v1/bundle-applications/{submitted_business['id']}/").json()
    assert detail["status"] == "completed"
    assert detail["status_label"] == "已办结"
    assert all(m["case"]["accepted_on"] == "2026-11-26" for m in detail["members"])
    assert (detail["lead_department"], detail["collect_at"]) == ("SCJG", "区市场监督管理局")


def test_a_refused_member_shows_in_the_bundle_and_the_others_go_on(submitted_business, officers, applicant, fixed_today):
    seal = member(submitted_business, "310120-GAZA-20-0001")["case"]
    refused = act(officers["GAZA"], seal, "reject", opinion="印章样式不符合规定")
    assert refused.status_code == 200
    detail = applicant.get(f"/api/v1/bundle-applications/{submitted_business['id']}/").json()
    assert detail["status"] == "partly_refused"
    assert detail["status_label"] == "部分不予"
    states = {m["item_code"]: m["case"]["state"] for m in detail["members"]}
    assert states.pop("310120-GAZA-20-0001") == "not_accepted"
    assert set(states.values()) == {"received"}
    assert member(detail, "310120-GAZA-20-0001")["notice"]["kind"] == "non_acceptance"
    for m in submitted_business["members"]:
        if m["item_code"] != "310120-GAZA-20-0001":
            _finish(officers[m["department"]], m["case"])
    detail = applicant.get(f"/api/v1/bundle-applications/{submitted_business['id']}/").json()
    assert detail["status"] == "completed_partly"
    assert detail["status_label"] == "已办结（部分未获办理）"


def test_one_upload_answers_the_same_supplement_of_two_members(submitted_business, officers, applicant, fixed_today):
    seal = member(submitted_business, "310120-GAZA-20-0001")["case"]
    tax = member(submitted_business, "310120-TAX-20-0001")["case"]
    assert act(officers["GAZA"], seal, "request_supplement", missing_materials=[1]).status_code == 200
    accepted = act(officers["TAX"], tax, "accept").json()
    assert act(officers["TAX"], accepted, "request_supplement", missing_materials=[1]).status_code == 200
    detail = applicant.get(f"/api/v1/bundle-applications/{submitted_business['id']}/").json()
    assert detail["status"] == "supplement_requested"
    assert detail["status_label"] == "待补正"
    assert detail["supplements"] == [{"material_name": LICENCE, "items": ["310120-GAZA-20-0001", "310120-TAX-20-0001"]}]
    assert member(detail, "310120-GAZA-20-0001")["requested_materials"] == [LICENCE]

    response = applicant.post(
        f"/api/v1/bundle-applications/{submitted_business['id']}/supplements/",
        {"material_name": LICENCE, "file": _png()}, format="multipart",
    )
    assert response.status_code == 200, response.json()
    result = response.json()
    assert result["uploaded_case_ids"] == [seal["id"], tax["id"]]
    assert result["resumed_case_ids"] == [seal["id"], tax["id"]]
    assert result["waiting"] == {}
    after = result["bundle_application"]
    assert after["status"] == "in_progress"
    assert member(after, "310120-GAZA-20-0001")["case"]["state"] == "received"
    assert member(after, "310120-TAX-20-0001")["case"]["state"] == "accepted"
    fresh = CaseMaterial.objects.filter(case_id__in=[seal["id"], tax["id"]], material_name=LICENCE, superseded=False)
    assert fresh.count() == 2
    assert len({m.sha256 for m in fresh}) == 1
    assert {m.content_type for m in fresh} == {"image/png"}


def test_a_member_asking_for_more_waits_for_the_rest(submitted_business, officers, applicant, fixed_today):
    seal = member(submitted_business, "310120-GAZA-20-0001")["case"]
    assert act(officers["GAZA"], seal, "request_supplement", missing_materials=[1, 2]).status_code == 200
    first = applicant.post(
        f"/api/v1/bundle-applications/{submitted_business['id']}/supplements/",
        {"material_name": LICENCE, "file": _png()}, format="multipart",
    ).json()
    assert first["resumed_case_ids"] == []
    assert first["waiting"] == {str(seal["id"]): ["法定代表人或者经办人身份证件"]}
    assert first["bundle_application"]["status"] == "supplement_requested"
    second = applicant.post(
        f"/api/v1/bundle-applications/{submitted_business['id']}/supplements/",
        {"material_name": "法定代表人或者经办人身份证件", "file": _png()}, format="multipart",
    ).json()
    assert second["resumed_case_ids"] == [seal["id"]]


def test_a_supplement_nobody_asked_for_is_refused(submitted_business, applicant):
    events = CaseEvent.objects.count()
    response = applicant.post(
        f"/api/v1/bundle-applications/{submitted_business['id']}/supplements/",
        {"material_name": LICENCE, "file": _png()}, format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "material_not_requested"
    assert CaseEvent.objects.count() == events


def _png():
    from tests.bundles.conftest import pdf

    return pdf(PNG_BYTES, "licence.png")


# ---------------------------------------------------------------------------------------------
# Staff
# ---------------------------------------------------------------------------------------------


def test_staff_see_bundle_cases_touching_their_departments_masked(submitted_business, officers, catalog):
    listed = officers["GAZA"].get("/api/v1/bundle-applications/").json()
    assert [b["id"] for b in listed] == [submitted_business["id"]]
    unrelated = client_for(make_staff(role="window_officer", departments=["JYJ"]))
    assert unrelated.get("/api/v1/bundle-applications/").json() == []
    assert unrelated.get(f"/api/v1/bundle-applications/{submitted_business['id']}/").status_code == 404


def test_staff_lists_mask_a_residents_name(catalog, frozen_clock):
    frozen_clock.set(dt.date(2026, 6, 25))
    person = make_resident(real_name="张三丰")
    resident = client_for(person)
    body = start(resident, code=SCHOOL, answers=SCHOOL_ANSWERS, form=school_form()).json()
    upload_required(resident, body)
    assert resident.post(f"/api/v1/bundle-applications/{body['id']}/submit/", HTTP_IDEMPOTENCY_KEY="s").status_code == 200
    officer = client_for(make_staff(role="window_officer", departments=["JYJ"]))
    seen = officer.get("/api/v1/bundle-applications/").json()[0]["applicant"]
    assert seen["name"] != "张三丰" and seen["name"].startswith("张")
    assert seen["identifier"] != person.id_number
    assert BundleCaseMember.objects.filter(bundle_case_id=body["id"]).count() == 2


def test_drafts_are_not_shown_to_staff(applicant, officers, fixed_today):
    start(applicant)
    assert officers["SCJG"].get("/api/v1/bundle-applications/").json() == []


def test_business_start_up_needs_no_licence_from_the_founder_and_passes_it_on(
    applicant, enterprise, fixed_today, background
):
    """企业开办 at one window: the founder brings no 营业执照 (it does not exist yet); the company
    registration issues it and every other member receives it from the e-licence store."""
    body = start(applicant).json()
    produced = [m for m in body["materials"] if m["produced_by"]]
    assert [(m["name"], m["produced_by"]) for m in produced] == [("营业执照", "310120-SCJG-01-0002")]
    upload_required(applicant, body, including_produced=False)
    submitted = applicant.post(f"/api/v1/bundle-applications/{body['id']}/submit/", HTTP_IDEMPOTENCY_KEY="one-window")
    assert submitted.status_code == 200, submitted.json()
    submitted = submitted.json()
    window = client_for(make_staff(role="window_officer", departments=["SCJG", "GAZA", "TAX", "RSJSB", "GJJ"]))

    registration = member(submitted, "310120-SCJG-01-0002")["case"]
    for action in ("accept", "approve"):
        assert act(window, registration, action).status_code == 200
    assert act(window, registration, "issue_result").status_code == 200
    licence_number = Case.objects.get(pk=registration["id"]).licence.number
    seal = Case.objects.get(pk=member(submitted, "310120-GAZA-20-0001")["case"]["id"])
    assert seal.owed_materials == ["营业执照"]  # until the worker passes it on
    assert background.run()["bundles.pass_result_on"] == ["done"]
    assert Job.objects.get(kind="bundles.pass_result_on").result == {
        "attached_to_cases": [member(submitted, code)["case"]["id"] for code in (
            "310120-GAZA-20-0001", "310120-TAX-20-0001", "310120-TAX-20-0002", "310120-RSJSB-21-0004", "310120-GJJ-21-0004")],
        "not_passed_on": {},
    }
    assert "bundles.pass_result_on" not in background.run()  # nothing is passed on twice

    for code in ("310120-GAZA-20-0001", "310120-TAX-20-0001", "310120-TAX-20-0002", "310120-RSJSB-21-0004", "310120-GJJ-21-0004"):
        case = Case.objects.get(pk=member(submitted, code)["case"]["id"])
        assert case.owed_materials == []
        shared = case.materials.get(material_name="营业执照", superseded=False)
        assert (shared.source, shared.shared_source) == ("registry", "elicence:business_licence")
    # The rest of the bundle is then decided the same day at the same window.
    for m in submitted["members"]:
        if m["item_code"] != "310120-SCJG-01-0002":
            for action in ("accept", "approve", "issue_result"):
                assert act(window, m["case"], action).status_code == 200, (m["item_code"], action)
    detail = applicant.get(f"/api/v1/bundle-applications/{body['id']}/").json()
    assert detail["status"] == "completed"
    assert {m["case"]["state"] for m in detail["members"]} == {"result_issued"}
    assert licence_number.startswith("11310120MB2P41K5X6-20261126-")  # SCJG issued it that day


def test_an_officer_sees_other_departments_members_only_by_their_state(submitted_business, officers, enterprise):
    detail = officers["GAZA"].get(f"/api/v1/bundle-applications/{submitted_business['id']}/").json()
    by_department = {m["department"]: m for m in detail["members"]}
    own = by_department["GAZA"]
    assert (own["details_hidden"], own["state"], own["case"]["number"]) == (
        False, "received", member(submitted_business, "310120-GAZA-20-0001")["case"]["number"])
    others = [m for m in detail["members"] if m["department"] != "GAZA"]
    assert len(others) == 6
    assert all((m["details_hidden"], m["case"], m["requested_materials"], m["notice"], m["state"]) ==
               (True, None, [], None, "received") for m in others)
    # The applicant sees every member in full.
    mine = client_for(enterprise).get(f"/api/v1/bundle-applications/{submitted_business['id']}/").json()
    assert [m["details_hidden"] for m in mine["members"]] == [False] * 7
    assert all(m["case"]["number"] for m in mine["members"])


def test_an_answer_to_a_question_made_irrelevant_is_not_stored(catalog, frozen_clock):
    frozen_clock.set(dt.date(2026, 6, 25))
    resident = client_for(make_resident())
    answers = {"q1": "residence_move", "q2": "yes", "q3": "no"}  # 本市户籍: q3 (居住证) no longer applies
    response = start(resident, code=SCHOOL, answers=answers, form=school_form(answers))
    assert response.status_code == 201, response.json()
    assert BundleCase.objects.get(pk=response.json()["id"]).answers == {"q1": "residence_move", "q2": "yes"}
