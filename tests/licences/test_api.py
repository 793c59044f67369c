"""The licences API: public verification, PDF download and revocation with its refusals."""

import pytest
from rest_framework.test import APIClient

from tests.factories import make_staff
from yiwang.licences.models import Licence


@pytest.fixture
def api():
    return APIClient()


def _state(licence):
    licence.refresh_from_db()
    return (licence.status, licence.revoked_at, licence.revoke_reason, licence.revoked_by_id)


UNCHANGED = ("valid", None, "", None)


def test_verify_api_is_public(api, licence, resident):
    response = api.get(f"/api/v1/licences/{licence.number}/verify/")
    assert response.status_code == 200
    assert response.json() == {
        "number": licence.number,
        "status": "valid",
        "detail": "ok",
        "title": "营业执照",
        "holder_name": "张*",
        "holder_identifier": resident.id_number[:6] + "********" + resident.id_number[-4:],
        "department": "区市场监督管理局",
        "department_en": "District Administration for Market Regulation",
        "issued_on": "2026-03-05",
        "revoked_at": None,
        "signature_valid": True,
    }


def test_verify_api_takes_a_number_in_lower_case_with_spaces(api, licence):
    typed = licence.number.lower()
    assert typed != licence.number
    response = api.get(f"/api/v1/licences/%20{typed}%20/verify/")
    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["status"], body["detail"], body["signature_valid"]) == (licence.number, "valid", "ok", True)


def test_verify_api_unknown(api, db):
    response = api.get("/api/v1/licences/NOPE-1/verify/")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["detail"], body["signature_valid"], body["title"]) == (
        "unknown", "not_found", False, ""
    )


def test_pdf_api_permissions(api, licence, resident, other_resident):
    response = api.get(f"/api/v1/licences/{licence.number}/pdf/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"

    api.force_authenticate(other_resident)
    response = api.get(f"/api/v1/licences/{licence.number}/pdf/")
    assert response.status_code == 404
    assert response.json()["code"] == "licence_not_found"

    api.force_authenticate(make_staff(role="approver", departments=["WJW"]))
    response = api.get(f"/api/v1/licences/{licence.number}/pdf/")
    assert response.status_code == 404
    assert response.json()["code"] == "licence_not_found"

    api.force_authenticate(resident)
    response = api.get(f"/api/v1/licences/{licence.number}/pdf/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{licence.number}.pdf"'
    assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize("role", ["window_officer", "approver"])
def test_revoke_by_department_staff_then_conflict(api, licence, role):
    officer = make_staff(role=role, departments=["SCJG"])
    api.force_authenticate(officer)
    response = api.post(f"/api/v1/licences/{licence.number}/revoke/", {"reason": "申请人申请注销"}, format="json")
    assert response.status_code == 200
    licence.refresh_from_db()
    assert response.json() == {
        "number": licence.number,
        "status": "revoked",
        "revoked_at": "2026-03-10T10:00:00+08:00",
        "revoke_reason": "申请人申请注销",
    }
    assert (licence.status, licence.revoke_reason, licence.revoked_by_id) == ("revoked", "申请人申请注销", officer.pk)
    before = _state(licence)

    again = api.post(f"/api/v1/licences/{licence.number}/revoke/", {"reason": "再次撤销"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "licence_already_revoked"
    assert _state(licence) == before

    verified = api.get(f"/api/v1/licences/{licence.number}/verify/").json()
    assert (verified["status"], verified["signature_valid"]) == ("revoked", True)


def test_revoke_by_administrator_is_refused(api, licence):
    """Administrators see every department but decide nothing: revocation is the department's."""
    api.force_authenticate(make_staff(role="administrator"))
    response = api.post(f"/api/v1/licences/{licence.number}/revoke/", {"reason": "系统核查撤销"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "licence_revoke_forbidden"
    licence.refresh_from_db()
    assert licence.status == "valid"


@pytest.mark.parametrize(
    "who",
    ["owner", "other_resident", "officer_other_department", "auditor", "hall_manager_same_department"],
)
def test_revoke_refused_changes_nothing(api, licence, resident, other_resident, who):
    users = {
        "owner": lambda: resident,
        "other_resident": lambda: other_resident,
        "officer_other_department": lambda: make_staff(role="window_officer", departments=["WJW"]),
        "auditor": lambda: make_staff(role="auditor"),
        "hall_manager_same_department": lambda: make_staff(role="hall_manager", departments=["SCJG"]),
    }
    api.force_authenticate(users[who]())
    response = api.post(f"/api/v1/licences/{licence.number}/revoke/", {"reason": "越权撤销"}, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "code": "licence_revoke_forbidden",
        "message": "您无权撤销该证照。",
        "message_en": "You are not allowed to revoke this licence.",
    }
    assert _state(licence) == UNCHANGED


def test_revoke_anonymous_refused(api, licence):
    response = api.post(f"/api/v1/licences/{licence.number}/revoke/", {"reason": "x"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert _state(licence) == UNCHANGED


def test_revoke_without_reason_is_400(api, licence):
    api.force_authenticate(make_staff(role="window_officer", departments=["SCJG"]))
    for body in ({}, {"reason": "   "}):
        response = api.post(f"/api/v1/licences/{licence.number}/revoke/", body, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "revoke_reason_required"
    assert _state(licence) == UNCHANGED


def test_revoke_unknown_number_is_404(api, db):
    api.force_authenticate(make_staff(role="administrator"))
    response = api.post("/api/v1/licences/SCJG-20990101-99999999/revoke/", {"reason": "x"}, format="json")
    assert response.status_code == 404
    assert Licence.objects.count() == 0
