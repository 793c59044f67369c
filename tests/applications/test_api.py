"""The case API end to end on the reference catalogue: lifecycle, refusals, access, deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tests.factories import make_resident, make_staff
from tests.helpers import EXE_BYTES, FORM, ITEM_ONE_LEVEL, ITEM_TWO_LEVELS, act, form_for, submitted_case, upload
from yiwang.applications.models import Case, CaseEvent, Notice
from yiwang.core.identifiers import mask_id_card

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings_media):
    return settings_media


@pytest.fixture
def fixed_today(frozen_clock):
    """Thursday 2026-11-26, the day this platform's deadlines are checked against."""
    return frozen_clock.set(dt.date(2026, 11, 26)).date()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def applicant(catalog):
    return client_for(make_resident())


@pytest.fixture
def officer(catalog):
    return client_for(make_staff(role="window_officer", departments=["SCJG"]))


@pytest.fixture
def approver(catalog):
    return client_for(make_staff(role="approver", departments=["SCJG"]))


def test_full_flat_approval_lifecycle(applicant, officer, fixed_today):
    case = submitted_case(applicant)
    assert case["state"] == "received"
    assert case["number"] == "310120SCJG010001" + "20261126" + "000001"  # item code, legal day, daily serial
    assert case["notice"]["kind"] == "receipt"
    assert case["notice"]["title"] == "收件回执"

    accepted = act(officer, case, "accept").json()
    assert accepted["state"] == "accepted"
    assert accepted["accepted_on"] == "2026-11-26"
    # 3 working days after Thu 26 Nov: Fri 27, Mon 30, Tue 1 Dec. Promised 0: decided on the spot.
    assert accepted["statutory_due"] == "2026-12-01"
    assert accepted["promised_due"] == "2026-11-26"
    assert accepted["due_provisional"] is False

    approved = act(officer, accepted, "approve", opinion="符合条件").json()
    assert approved["state"] == "approved"
    issued = act(officer, approved, "issue_result").json()
    assert issued["state"] == "result_issued"
    assert issued["licence_number"]
    delivered = act(officer, issued, "deliver").json()
    assert delivered["state"] == "delivered"

    seen = applicant.get(f"/api/v1/applications/{case['id']}/").json()
    assert [e["action"] for e in seen["events"]] == ["submit", "accept", "approve", "issue_result", "deliver"]
    assert [n["kind"] for n in seen["notices"]] == ["receipt", "acceptance", "approval", "result"]
    assert seen["licence_number"] == issued["licence_number"]


def test_two_level_item_goes_to_the_approver(applicant, officer, approver):
    case = submitted_case(applicant, item_code=ITEM_TWO_LEVELS, positions=(1, 2, 3))
    accepted = act(officer, case, "accept").json()
    refused = act(officer, accepted, "approve")
    assert refused.status_code == 409
    assert refused.json()["code"] == "wrong_flow_step"
    reviewed = act(officer, accepted, "review").json()
    assert reviewed["step"] == 1
    assert act(officer, reviewed, "approve").json()["code"] == "role_not_allowed"
    approved = act(approver, reviewed, "approve").json()
    assert approved["state"] == "approved"


def test_stale_action_is_a_conflict_and_changes_nothing(applicant, officer):
    case = submitted_case(applicant)
    act(officer, case, "accept")
    again = act(officer, case, "reject", opinion="材料不全")  # still holds version of the received case
    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "stale_case"
    assert body["message"] == "办件已被他人处理或已更新，请刷新后重试。"
    stored = Case.objects.get(pk=case["id"])
    assert stored.state == "accepted"
    assert CaseEvent.objects.filter(case=stored).count() == 2


def test_invalid_transition_is_a_conflict(applicant, officer):
    case = submitted_case(applicant)
    response = act(officer, case, "issue_result")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert Case.objects.get(pk=case["id"]).state == "received"


def test_reject_requires_a_reason(applicant, officer):
    case = submitted_case(applicant)
    response = act(officer, case, "reject")
    assert response.status_code == 400
    assert response.json()["code"] == "opinion_required"
    assert Case.objects.get(pk=case["id"]).state == "received"
    rejected = act(officer, case, "reject", opinion="不属于本部门职权范围").json()
    assert rejected["state"] == "not_accepted"
    assert rejected["notice"]["kind"] == "non_acceptance"
    assert "不属于本部门职权范围" in rejected["notice"]["body"]


def test_supplement_pauses_the_clock_and_lists_every_material(applicant, officer, frozen_clock):
    frozen_clock.set(dt.date(2026, 11, 26))
    case = submitted_case(applicant, item_code=ITEM_TWO_LEVELS, positions=(1, 2, 3))
    accepted = act(officer, case, "accept").json()
    # 10 working days after Thu 26 Nov 2026: 27, 30, 1, 2, 3, 4, 7, 8, 9, 10 Dec.
    assert accepted["statutory_due"] == "2026-12-10"
    requested = act(officer, accepted, "request_supplement", missing_materials=[3, 1], opinion="请提供清晰扫描件").json()
    assert requested["state"] == "supplement_requested"
    notice = requested["notice"]
    assert notice["kind"] == "supplement"
    assert len(notice["missing_materials"]) == 2

    early = act(applicant, requested, "supply")
    assert early.status_code == 400
    assert early.json()["code"] == "supplement_incomplete"

    frozen_clock.set(dt.date(2026, 11, 30))  # Monday: the pause covered Fri 27 and Mon 30 (2 working days)
    assert upload(applicant, case["id"], 1).status_code == 201
    assert upload(applicant, case["id"], 3).status_code == 201
    supplied = act(applicant, requested, "supply").json()
    assert supplied["state"] == "accepted"
    assert supplied["statutory_due"] == "2026-12-14"  # 10 Dec + 2 working days (Fri 11, Mon 14)
    assert Case.objects.get(pk=case["id"]).paused_working_days == 2


def test_supplement_request_must_name_materials(applicant, officer):
    case = submitted_case(applicant)
    response = act(officer, case, "request_supplement")
    assert response.status_code == 400
    assert response.json()["code"] == "missing_materials_required"


def test_missing_required_materials_refuse_submission_and_keep_the_draft(applicant):
    created = applicant.post("/api/v1/applications/", {"item_code": ITEM_ONE_LEVEL, "form_data": form_for(ITEM_ONE_LEVEL)}, format="json").json()
    assert upload(applicant, created["id"], 1).status_code == 201
    response = applicant.post(f"/api/v1/applications/{created['id']}/submit/")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "missing_materials"
    assert body["details"] == {"missing": ["经营者身份证件"]}
    draft = Case.objects.get(pk=created["id"])
    assert draft.state == "draft"
    assert draft.number is None
    assert draft.form_data == form_for(ITEM_ONE_LEVEL)
    assert draft.materials.count() == 1


def test_double_submit_with_same_key_returns_the_same_case(applicant):
    case = submitted_case(applicant, key="retry-me")
    again = applicant.post(f"/api/v1/applications/{case['id']}/submit/", HTTP_IDEMPOTENCY_KEY="retry-me")
    assert again.status_code == 200
    assert again.json()["number"] == case["number"]
    other_key = applicant.post(f"/api/v1/applications/{case['id']}/submit/", HTTP_IDEMPOTENCY_KEY="another")
    assert other_key.status_code == 409
    assert other_key.json()["code"] == "already_submitted"
    assert Case.objects.exclude(state="draft").count() == 1
    assert Notice.objects.filter(case_id=case["id"], kind="receipt").count() == 1


def test_one_call_submission_is_idempotent(applicant):
    item = "310120-SCJG-21-0001"  # 企业名称状态查询: no materials
    first = applicant.post("/api/v1/applications/", {"item_code": item, "form_data": FORM, "submit": True},
                           format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert first.status_code == 201
    second = applicant.post("/api/v1/applications/", {"item_code": item, "form_data": FORM, "submit": True},
                            format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 1


def test_one_call_submission_needs_a_key(applicant):
    response = applicant.post("/api/v1/applications/", {"item_code": "310120-SCJG-21-0001", "form_data": FORM, "submit": True}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    "payload, code",
    [
        ({"item_code": "310120-XXXX-01-9999", "form_data": FORM}, "unknown_item"),
        ({"form_data": FORM}, "invalid_input"),
        ({"item_code": ITEM_ONE_LEVEL, "form_data": "not a dict"}, "invalid_input"),
    ],
)
def test_bad_create_input(applicant, payload, code):
    response = applicant.post("/api/v1/applications/", payload, format="json")
    assert (response.status_code, response.json()["code"]) == ({"unknown_item": 404}.get(code, 400), code)
    assert Case.objects.count() == 0


def test_malformed_json_is_a_400(applicant):
    response = applicant.post("/api/v1/applications/", data='{"item_code": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"
    assert Case.objects.count() == 0


def test_invalid_form_is_refused_on_submit(applicant):
    form = {**form_for(ITEM_ONE_LEVEL), "phone": "123"}
    del form["address"]
    created = applicant.post("/api/v1/applications/", {"item_code": ITEM_ONE_LEVEL, "form_data": form}, format="json").json()
    upload(applicant, created["id"], 1)
    upload(applicant, created["id"], 2)
    response = applicant.post(f"/api/v1/applications/{created['id']}/submit/")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_form"
    assert set(response.json()["details"]) == {"phone", "address"}
    assert Case.objects.get(pk=created["id"]).state == "draft"


def test_disguised_and_oversized_uploads_are_refused(applicant, settings):
    created = applicant.post("/api/v1/applications/", {"item_code": ITEM_ONE_LEVEL, "form_data": form_for(ITEM_ONE_LEVEL)}, format="json").json()
    disguised = upload(applicant, created["id"], 1, content=EXE_BYTES, name="licence.pdf")
    assert disguised.status_code == 400
    assert disguised.json()["code"] == "unsupported_file_type"
    settings.MATERIAL_MAX_BYTES = 1024
    big = upload(applicant, created["id"], 1, content=b"%PDF-1.4\n" + b"0" * 2048)
    assert big.status_code == 400
    assert big.json()["code"] == "file_too_large"
    assert Case.objects.get(pk=created["id"]).materials.count() == 0


def test_upload_stores_sha256(applicant):
    import hashlib

    from tests.helpers import PDF_BYTES

    created = applicant.post("/api/v1/applications/", {"item_code": ITEM_ONE_LEVEL, "form_data": form_for(ITEM_ONE_LEVEL)}, format="json").json()
    body = upload(applicant, created["id"], 2).json()
    assert body["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF_BYTES)
    assert body["name"] == "经营者身份证件"


def test_residents_never_see_or_touch_another_residents_case(applicant, catalog):
    case = submitted_case(applicant)
    intruder = client_for(make_resident(real_name="王五"))
    assert intruder.get(f"/api/v1/applications/{case['id']}/").status_code == 404
    assert intruder.get("/api/v1/applications/").json() == []
    assert act(intruder, case, "withdraw").status_code == 404
    assert upload(intruder, case["id"], 1).status_code == 404
    assert intruder.patch(f"/api/v1/applications/{case['id']}/", {"form_data": FORM}, format="json").status_code == 404
    assert intruder.post(f"/api/v1/applications/{case['id']}/submit/").status_code == 404
    material_id = applicant.get(f"/api/v1/applications/{case['id']}/").json()["materials"][0]["id"]
    assert intruder.get(f"/api/v1/applications/{case['id']}/materials/{material_id}/").status_code == 404
    assert applicant.get(f"/api/v1/applications/{case['id']}/materials/{material_id}/").status_code == 200
    assert Case.objects.get(pk=case["id"]).state == "received"


def test_staff_only_see_their_departments(applicant, officer, catalog):
    case = submitted_case(applicant)
    outsider = client_for(make_staff(role="window_officer", departments=["GAZA"]))
    assert outsider.get(f"/api/v1/applications/{case['id']}/").status_code == 404
    assert act(outsider, case, "accept").status_code == 404
    assert outsider.get("/api/v1/queue/").json() == []
    assert [row["case"]["id"] for row in officer.get("/api/v1/queue/").json()] == [case["id"]]
    assert Case.objects.get(pk=case["id"]).state == "received"


def test_staff_see_masked_applicant_identity(applicant, officer):
    case = submitted_case(applicant)
    seen = officer.get(f"/api/v1/applications/{case['id']}/").json()
    assert seen["applicant"]["name"] == "张*"
    assert "*" in seen["applicant"]["identifier"]
    form = form_for(ITEM_ONE_LEVEL)
    assert seen["form_data"] == {**form, "phone": "138****8000",
                                 "operator_id_number": mask_id_card(form["operator_id_number"])}
    own = applicant.get(f"/api/v1/applications/{case['id']}/").json()
    assert "*" not in own["applicant"]["identifier"]
    assert own["form_data"] == form_for(ITEM_ONE_LEVEL)


def test_applicants_cannot_take_staff_actions(applicant):
    case = submitted_case(applicant)
    response = act(applicant, case, "accept")
    assert response.status_code == 403
    assert response.json()["code"] == "staff_only"


def test_anonymous_gets_401(catalog):
    response = APIClient().get("/api/v1/applications/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_catalogue_edit_never_changes_a_running_case(applicant, officer):
    from yiwang.catalog.models import ServiceItem

    case = submitted_case(applicant)
    ServiceItem.objects.filter(code=ITEM_ONE_LEVEL).update(statutory_limit_value=30, version=99)
    accepted = act(officer, case, "accept").json()
    rules = officer.get(f"/api/v1/applications/{case['id']}/").json()["rules"]
    assert rules["statutory_limit"] == {"value": 3, "unit": "working_day"}
    assert accepted["statutory_due"] != accepted["accepted_on"]


def test_deadline_running_into_2027_is_provisional(applicant, officer, frozen_clock):
    frozen_clock.set(dt.date(2026, 12, 21))
    case = submitted_case(applicant, item_code=ITEM_TWO_LEVELS, positions=(1, 2, 3))
    accepted = act(officer, case, "accept").json()
    # 10 working days after Mon 21 Dec 2026 reach into January 2027, whose schedule is not known yet.
    # Tue 22 … Thu 31 Dec are 8 working days; without a 2027 schedule Fri 1 Jan counts (9), Mon 4 Jan is the 10th.
    assert accepted["due_provisional"] is True
    assert accepted["statutory_due"] == "2027-01-04"
    assert accepted["promised_due"] == "2026-12-24"


def test_publishing_next_years_schedule_recomputes_running_deadlines(applicant, officer, frozen_clock, background):
    from yiwang.workcalendar.services import publish_schedule

    frozen_clock.set(dt.date(2026, 12, 21))
    case = submitted_case(applicant, item_code=ITEM_TWO_LEVELS, positions=(1, 2, 3))
    act(officer, case, "accept")
    publish_schedule(year=2027, holidays=[(dt.date(2027, 1, 1), "元旦")], makeup_workdays=[], source="国办发明电〔2026〕")
    assert Case.objects.get(pk=case["id"]).statutory_due == dt.date(2027, 1, 4)  # until the worker runs
    assert background.run()["applications.recompute_open_deadlines"] == ["done"]
    stored = Case.objects.get(pk=case["id"])
    # New Year's Day is now a day off: Mon 4 Jan is the 9th working day, Tue 5 Jan the 10th.
    assert stored.statutory_due == dt.date(2027, 1, 5)
    assert stored.due_provisional is False


def test_staff_action_on_someone_elses_case_is_a_404_not_a_403(applicant, catalog):
    case = submitted_case(applicant)
    intruder = client_for(make_resident(real_name="王五"))
    response = act(intruder, case, "accept")
    assert response.status_code == 404
    assert response.json()["code"] == "case_not_found"


def test_during_a_supplement_only_requested_materials_can_be_replaced(applicant, officer):
    case = submitted_case(applicant)
    requested = act(officer, case, "request_supplement", missing_materials=[2]).json()
    refused = upload(applicant, case["id"], 1)
    assert refused.status_code == 409
    assert refused.json()["code"] == "materials_closed"
    assert upload(applicant, case["id"], 2).status_code == 201
    assert act(applicant, requested, "supply").json()["state"] == "received"
    assert Case.objects.get(pk=case["id"]).materials.filter(material_position=1).count() == 1


def test_case_admin_is_read_only_and_masks_the_applicant(applicant, catalog, client):
    from yiwang.accounts.services import create_administrator

    case = submitted_case(applicant)
    admin_user = create_administrator(username="root-admin", password="Adm1n-pass-2026", real_name="管理员")
    client.force_login(admin_user)
    listing = client.get("/admin/applications/case/").content.decode()
    assert case["number"] in listing
    stored = Case.objects.get(pk=case["id"])
    assert stored.applicant.id_number not in listing
    assert "张*" in listing
    assert client.get("/admin/applications/case/add/").status_code == 403
    page = client.get(f"/admin/applications/case/{case['id']}/change/")
    assert page.status_code == 200
    assert stored.applicant.id_number not in page.content.decode()


def test_shared_record_replaces_an_exemptible_upload(applicant, catalog):
    """免交: a registry record attached in place of the ID card lets the case be submitted."""
    import datetime as dt_

    from yiwang.applications import services
    from yiwang.accounts.models import User

    created = applicant.post("/api/v1/applications/", {"item_code": ITEM_ONE_LEVEL, "form_data": form_for(ITEM_ONE_LEVEL)}, format="json").json()
    user = User.objects.get(pk=Case.objects.get(pk=created["id"]).applicant_id)
    upload(applicant, created["id"], 1)
    with pytest.raises(Exception) as refused:
        services.attach_shared_record(case_id=created["id"], user=user, position=1, exemptible_via="household:id_card",
                                      record={"x": 1}, fetched_at=dt_.datetime(2026, 11, 26, tzinfo=dt_.timezone.utc), access_log_id=1)
    assert refused.value.code == "not_exemptible"
    material = services.attach_shared_record(
        case_id=created["id"], user=user, position=2, exemptible_via="household:id_card",
        record={"name": "张三", "id_number": user.id_number}, fetched_at=dt_.datetime(2026, 11, 26, tzinfo=dt_.timezone.utc),
        access_log_id=7,
    )
    assert (material.source, material.shared_source, material.content_type, material.access_log_id) == (
        "registry", "household:id_card", "application/json", 7
    )
    submitted = applicant.post(f"/api/v1/applications/{created['id']}/submit/")
    assert submitted.status_code == 200
    assert submitted.json()["state"] == "received"


def test_a_draft_stores_only_its_forms_fields_within_their_lengths(applicant):
    """The probe stored 100,000 unknown form keys and 11 MB values in one draft."""
    flood = {f"k{n}": "x" for n in range(100_000)}
    response = applicant.post("/api/v1/applications/", {"item_code": ITEM_ONE_LEVEL, "form_data": {**form_for(ITEM_ONE_LEVEL), **flood}},
                              format="json")
    assert (response.status_code, response.json()["code"]) == (413, "request_too_large")  # over a megabyte of JSON
    some = {f"k{n}": "x" for n in range(5000)}
    response = applicant.post("/api/v1/applications/", {"item_code": ITEM_ONE_LEVEL, "form_data": {**form_for(ITEM_ONE_LEVEL), **some}},
                              format="json")
    assert (response.status_code, response.json()["code"]) == (400, "unknown_form_field")
    assert response.json()["message_en"] == (
        "The application form has errors: The form has no such fields: k0, k1, k10, k100, k1000, k1001, k1002, "
        "k1003, k1004, k1005, … (5000 in all)."
    )
    assert Case.objects.count() == 0
    created = applicant.post("/api/v1/applications/", {"item_code": ITEM_ONE_LEVEL, "form_data": form_for(ITEM_ONE_LEVEL)}, format="json").json()
    long_address = applicant.patch(f"/api/v1/applications/{created['id']}/", {"form_data": {"address": "路" * 201}},
                                   format="json")
    assert (long_address.status_code, long_address.json()["code"]) == (400, "invalid_form")
    assert Case.objects.get(pk=created["id"]).form_data == form_for(ITEM_ONE_LEVEL)
