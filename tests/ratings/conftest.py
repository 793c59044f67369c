"""A resident's case that has ended (result issued) and one still in progress, with the SCJG officer who decided."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from tests.factories import make_staff
from tests.helpers import act, submitted_case


@dataclass
class Cases:
    resident: object
    officer: object
    ended: dict
    open: dict


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def cases(catalog, resident, settings_media):
    officer = make_staff(role="window_officer", departments=["SCJG"])
    applicant, staff = api(resident), api(officer)
    ended = submitted_case(applicant, key="rating-ended")
    for action in ("accept", "approve", "issue_result"):
        response = act(staff, ended, action)
        assert response.status_code == 200, response.json()
        ended = response.json()
    in_progress = submitted_case(applicant, key="rating-open")
    return Cases(resident=resident, officer=officer, ended=ended, open=in_progress)
