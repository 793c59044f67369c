"""Drivers for bundle tests: API clients, the 企业开办 application, officers of its departments."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from rest_framework.test import APIClient

from tests.factories import make_enterprise, make_staff
from tests.helpers import PDF_BYTES, bundle_form_for

BUSINESS = "310120-YJS-001"
SCHOOL = "310120-YJS-002"
COMPANY_ANSWERS = {"q1": "company", "q2": "yes", "q3": "yes", "q4": "none"}
ENTERPRISE_FORM = {"contact_name": "王经办", "phone": "13800138000", "address": "上海市奉贤区南桥镇解放东路1号"}
DAY = dt.date(2026, 11, 26)  # a Thursday


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def pdf(content: bytes = PDF_BYTES, name: str = "scan.pdf") -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


def upload(client, bundle_case_id: int, material_name: str, content: bytes = PDF_BYTES):
    return client.post(
        f"/api/v1/bundle-applications/{bundle_case_id}/materials/",
        {"material_name": material_name, "file": pdf(content)}, format="multipart",
    )


def start(client, code: str = BUSINESS, answers=None, form=None):
    """Start a bundle application; without `form`, the whole one form filled as a company would."""
    answers = COMPANY_ANSWERS if answers is None else answers
    return client.post(
        f"/api/v1/bundles/{code}/applications/",
        {"answers": answers, "form_data": bundle_form_for(code, answers) if form is None else form},
        format="json",
    )


def upload_required(client, body: dict, *, including_produced: bool = True) -> None:
    """Upload every required material of a draft once (each shared material a single time).

    `including_produced=False` leaves out what another member's result will supply."""
    for material in body["materials"]:
        if material["necessity"] == "1" and (including_produced or not material["produced_by"]):
            response = upload(client, body["id"], material["name"])
            assert response.status_code == 201, response.json()


def act(client, case: dict, action: str, **extra):
    fresh = client.get(f"/api/v1/applications/{case['id']}/").json()
    body = {"action": action, "version": fresh["version"], **extra}
    return client.post(f"/api/v1/applications/{case['id']}/actions/", body, format="json")


@pytest.fixture(autouse=True)
def _media(settings_media):
    return settings_media


@pytest.fixture
def fixed_today(frozen_clock):
    frozen_clock.set(DAY)
    return DAY


@pytest.fixture
def enterprise(catalog):
    return make_enterprise()


@pytest.fixture
def applicant(enterprise):
    return client_for(enterprise)


@pytest.fixture
def officers(catalog):
    """A window officer of each department of 企业开办 (and an approver of SCJG)."""
    return {code: client_for(make_staff(role="window_officer", departments=[code])) for code in ("SCJG", "GAZA", "TAX", "RSJSB", "GJJ")}


@pytest.fixture
def submitted_business(applicant, fixed_today):
    """企业开办 as a company: started, every required material uploaded once, submitted."""
    started = start(applicant)
    assert started.status_code == 201, started.json()
    upload_required(applicant, started.json())
    submitted = applicant.post(f"/api/v1/bundle-applications/{started.json()['id']}/submit/", HTTP_IDEMPOTENCY_KEY="b-1")
    assert submitted.status_code == 200, submitted.json()
    return submitted.json()


def member(body: dict, item_code: str) -> dict:
    return next(m for m in body["members"] if m["item_code"] == item_code)
