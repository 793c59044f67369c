"""Fetching a shared material (免交) once for every member: the licence issued by 企业开办 is reused."""

from __future__ import annotations

import pytest

from tests.bundles.conftest import act, member, start
from yiwang.applications.models import CaseMaterial
from yiwang.registries.models import Consent, DataAccess

pytestmark = pytest.mark.django_db

RESTAURANT = "310120-YJS-010"
RESTAURANT_AS_COMPANY = {"q1": "company", "q2": "no"}


def _issue_business_licence(submitted_business, officers) -> str:
    licence_case = member(submitted_business, "310120-SCJG-01-0002")["case"]
    for action in ("accept", "approve", "issue_result"):
        response = act(officers["SCJG"], licence_case, action)
        assert response.status_code == 200, response.json()
    return response.json()["licence_number"]


def test_the_business_licence_of_the_start_up_exempts_every_member_of_the_next_bundle(
    submitted_business, officers, applicant
):
    licence_number = _issue_business_licence(submitted_business, officers)
    body = start(applicant, code=RESTAURANT, answers=RESTAURANT_AS_COMPANY).json()
    licence_row = next(m for m in body["materials"] if m["name"] == "营业执照")
    assert licence_row["exemptible_via"] == "elicence:business_licence"
    needing = licence_row["items"]
    assert needing == ["310120-SCJG-01-0003", "310120-SWJ-01-0001", "310120-GAZA-20-0001"]

    without_consent = applicant.post(
        f"/api/v1/bundle-applications/{body['id']}/materials/fetch/", {"material_name": "营业执照", "consent": False}, format="json"
    )
    assert without_consent.status_code == 403
    assert without_consent.json()["code"] == "consent_required"
    assert not DataAccess.objects.exists()

    response = applicant.post(
        f"/api/v1/bundle-applications/{body['id']}/materials/fetch/", {"material_name": "营业执照", "consent": True}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert [m["source"] for m in response.json()] == ["registry"] * 3
    member_cases = [member(body, code)["case"]["id"] for code in needing]
    assert sorted(Consent.objects.filter(case_id__in=member_cases).values_list("case_id", flat=True)) == sorted(member_cases)
    accesses = DataAccess.objects.filter(case_id__in=member_cases)
    assert [(a.outcome, a.record_id) for a in accesses] == [("ok", licence_number)] * 3
    after = applicant.get(f"/api/v1/bundle-applications/{body['id']}/").json()
    assert next(m for m in after["materials"] if m["name"] == "营业执照")["uploaded_items"] == needing

    # A retry fetches nothing again: every member already holds the record.
    again = applicant.post(
        f"/api/v1/bundle-applications/{body['id']}/materials/fetch/", {"material_name": "营业执照", "consent": True}, format="json"
    )
    assert again.status_code == 201
    assert DataAccess.objects.filter(case_id__in=member_cases).count() == 3


def test_a_material_without_a_data_source_cannot_be_fetched(applicant, fixed_today):
    body = start(applicant).json()
    response = applicant.post(
        f"/api/v1/bundle-applications/{body['id']}/materials/fetch/", {"material_name": "公司章程", "consent": True}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "not_exemptible"
    assert CaseMaterial.objects.count() == 0
    assert DataAccess.objects.count() == 0
