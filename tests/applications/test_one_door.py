"""Submission has one door, and no action runs on a case whose rules were never frozen.

The probe moved a draft to "received" through the generic action endpoint (no checks, no number, no
frozen rules); with no frozen flow the case fell back to a one-step flow, so one officer accepted,
approved and issued a signed 食品经营许可证 on an empty case of a two-level item.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_resident, make_staff
from tests.helpers import ITEM_TWO_LEVELS, act, submitted_case
from yiwang.applications import lifecycle
from yiwang.applications.models import Case, CaseEvent, Notice
from yiwang.core.errors import Conflict
from yiwang.licences.models import Licence

pytestmark = pytest.mark.django_db

FOOD_LICENCE = "310120-SCJG-01-0003"  # 食品经营许可: window officer, then an approver decides


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(autouse=True)
def _media(settings_media):
    return settings_media


@pytest.fixture
def resident(catalog):
    return make_resident()


@pytest.fixture
def officer(catalog):
    return make_staff(role="window_officer", departments=["SCJG"])


def draft_of(resident, item_code=FOOD_LICENCE) -> dict:
    created = client_for(resident).post("/api/v1/applications/", {"item_code": item_code, "form_data": {}}, format="json")
    assert created.status_code == 201
    return created.json()


def test_only_submission_has_its_own_service():
    assert {name: a.own_service for name, a in lifecycle.ACTIONS.items() if a.own_service} == {
        "submit": "submit_application"
    }


@pytest.mark.parametrize("action", [name for name, a in lifecycle.ACTIONS.items() if a.own_service])
def test_the_generic_endpoint_refuses_what_only_a_dedicated_service_does(resident, action):
    draft = draft_of(resident)
    response = client_for(resident).post(
        f"/api/v1/applications/{draft['id']}/actions/", {"action": action, "version": 0}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "dedicated_action"
    assert body["message_en"] == (
        "'Submit' is only done through its own service (submit_application), which checks the form and materials, "
        "numbers the case and freezes its rules."
    )
    case = Case.objects.get(pk=draft["id"])
    assert (case.state, case.number, case.rules, case.version, case.submitted_at) == ("draft", None, {}, 0, None)
    assert CaseEvent.objects.filter(case=case).count() == 0
    assert Notice.objects.filter(case=case).count() == 0


def test_the_action_page_refuses_submission_too(resident):
    draft = draft_of(resident)
    web = Client()
    web.force_login(resident)
    response = web.post(f"/cases/{draft['id']}/act/", {"action": "submit", "version": "0"})
    assert response.status_code == 400
    assert "“提交申报”只能通过其专门的办理入口进行" in response.content.decode()
    assert Case.objects.get(pk=draft["id"]).state == "draft"


def test_the_applicants_draft_offers_no_generic_submit(resident):
    draft = draft_of(resident)
    assert client_for(resident).get(f"/api/v1/applications/{draft['id']}/").json()["available_actions"] == []


def _unfrozen(case_id: int, state: str) -> None:
    # What the bypass left behind (or a row written by hand): a case past draft without frozen rules.
    Case.objects.filter(pk=case_id).update(state=state, rules={}, number=None, version=1)


STAFF_ACTIONS_AND_A_STATE = [
    (name, sorted(action.from_states)[0]) for name, action in lifecycle.ACTIONS.items() if action.actor != lifecycle.APPLICANT
]


@pytest.mark.parametrize(("action", "state"), STAFF_ACTIONS_AND_A_STATE)
def test_no_staff_action_runs_on_a_case_without_frozen_rules(resident, officer, action, state):
    draft = draft_of(resident)
    _unfrozen(draft["id"], state)
    response = client_for(officer).post(
        f"/api/v1/applications/{draft['id']}/actions/", {"action": action, "version": 1, "opinion": "意见"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "rules_not_frozen")
    case = Case.objects.get(pk=draft["id"])
    assert (case.state, case.version) == (state, 1)
    assert Licence.objects.count() == 0


@pytest.mark.parametrize(("action", "state"), [
    (name, sorted(action.from_states)[0]) for name, action in lifecycle.ACTIONS.items()
    if action.actor == lifecycle.APPLICANT and not action.own_service
])
def test_no_applicant_action_runs_on_a_case_without_frozen_rules(resident, action, state):
    draft = draft_of(resident)
    _unfrozen(draft["id"], state)
    response = client_for(resident).post(
        f"/api/v1/applications/{draft['id']}/actions/", {"action": action, "version": 1}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "rules_not_frozen")
    assert Case.objects.get(pk=draft["id"]).state == state


def test_an_unfrozen_case_shows_no_buttons_to_its_officer(resident, officer):
    draft = draft_of(resident)
    _unfrozen(draft["id"], "received")
    assert client_for(officer).get(f"/api/v1/applications/{draft['id']}/").json()["available_actions"] == []


def test_a_two_level_item_still_needs_its_approver_after_acceptance(resident, officer, catalog):
    applicant = client_for(resident)
    case = submitted_case(applicant, item_code=ITEM_TWO_LEVELS, positions=(1, 2, 3))
    window = client_for(officer)
    accepted = act(window, case, "accept").json()
    refused = act(window, accepted, "approve")
    assert (refused.status_code, refused.json()["code"]) == (409, "wrong_flow_step")
    assert Case.objects.get(pk=case["id"]).state == "accepted"


def test_no_licence_is_sealed_for_a_case_that_was_not_submitted_and_decided(resident, officer):
    from yiwang.licences.services import issue_licence

    draft = draft_of(resident)
    Case.objects.filter(pk=draft["id"]).update(state="approved")
    with pytest.raises(Conflict) as refused:
        issue_licence(case=Case.objects.get(pk=draft["id"]), issued_by=officer)
    assert refused.value.code == "case_not_decided"
    assert Licence.objects.count() == 0


def test_the_same_empty_draft_through_the_one_door_is_refused_for_what_it_lacks(resident):
    draft = draft_of(resident)
    response = client_for(resident).post(f"/api/v1/applications/{draft['id']}/submit/", HTTP_IDEMPOTENCY_KEY="d-1")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_form")
    assert Case.objects.get(pk=draft["id"]).state == "draft"
