"""The front desk and the unified output through the REST API: a counter application opened from
the called ticket, a scan attached, accepted on the spot; hold, resume and transfer to a window;
the result handed over or mailed at the output counter. Refusals answer 4xx with a code and
change nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.factories import make_resident, make_staff
from tests.helpers import ITEM_ONE_LEVEL, PDF_BYTES, form_for
from yiwang.applications import services as applications
from yiwang.applications.models import Case
from yiwang.hall import services
from yiwang.hall.models import Handover, Qualification, Ticket, Window

pytestmark = pytest.mark.django_db

ZHANG = "110101199003074514"  # a valid ID number (check character 4)


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def front(hall):
    """A comprehensive-window officer qualified for group A, signed in at window 1, serving a called ticket."""
    officer = make_staff(role="window_officer", departments=[])
    Qualification.objects.create(officer=officer, group=hall.market)
    services.sign_in(officer=officer, window_id=hall.windows[0].pk)
    services.take_ticket(site=hall.site, group=hall.market, channel="machine")
    ticket = services.call_next(officer=officer, window_id=hall.windows[0].pk)
    return client_of(officer), ticket


def open_case(api, ticket, **overrides):
    body = {"item_code": ITEM_ONE_LEVEL, "real_name": "张三", "id_number": ZHANG, "phone": "13800138000",
            "form_data": form_for(ITEM_ONE_LEVEL, address="奉贤区南桥镇解放东路1号"), **overrides}
    return api.post(f"/api/v1/hall/tickets/{ticket.pk}/applications/", body, format="json")


def scan(api, case_id: int, position: int):
    upload = SimpleUploadedFile("scan.pdf", PDF_BYTES, content_type="application/pdf")
    return api.post(f"/api/v1/hall/counter/{case_id}/scans/", {"position": position, "file": upload}, format="multipart")


def test_a_counter_application_is_opened_scanned_and_accepted_through_the_api(hall, front):
    api, ticket = front
    opened = open_case(api, ticket)
    assert opened.status_code == 201, opened.json()
    body = opened.json()
    assert (body["state"], body["item_code"]) == ("draft", ITEM_ONE_LEVEL)
    assert body["applicant"] == {"name": "张*", "identifier": "110101********4514", "kind": "resident"}  # masked
    case_id = body["id"]

    early = api.post(f"/api/v1/hall/tickets/{ticket.pk}/applications/{case_id}/accept/")
    assert (early.status_code, early.json()["code"]) == (400, "missing_materials")
    assert Case.objects.get(pk=case_id).state == "draft"

    for position in (1, 2):
        attached = scan(api, case_id, position)
        assert attached.status_code == 201, attached.json()
        assert (attached.json()["position"], attached.json()["content_type"]) == (position, "application/pdf")
    accepted = api.post(f"/api/v1/hall/tickets/{ticket.pk}/applications/{case_id}/accept/")
    assert accepted.status_code == 200, accepted.json()
    assert (accepted.json()["state"], accepted.json()["notice"]["kind"]) == ("accepted", "acceptance")
    case = Case.objects.get(pk=case_id)
    assert (case.channel, case.received_by_id, case.applicant.registered) == ("window", ticket.officer_id, False)

    done = api.post(f"/api/v1/hall/tickets/{ticket.pk}/complete/", {"outcome": "accepted"}, format="json")
    assert (done.status_code, done.json()["state"], done.json()["outcome"]) == (200, "done", "accepted")


def test_counter_refusals_answer_with_a_code_and_change_nothing(hall, front):
    api, ticket = front
    bad_id = open_case(api, ticket, id_number="110101199003074515")
    assert (bad_id.status_code, bad_id.json()["code"]) == (400, "invalid_id_number_checksum")
    both = open_case(api, ticket, credit_code="91310120MA1HXXXX0X")
    assert (both.status_code, both.json()["code"]) == (400, "identifier_required")
    other_group = open_case(api, ticket, item_code="310120-RSJSB-05-0001")
    assert (other_group.status_code, other_group.json()["code"]) == (403, "not_qualified")
    assert Case.objects.count() == 0

    case_id = open_case(api, ticket).json()["id"]
    stranger = client_of(hall.both)
    assert scan(stranger, case_id, 1).json()["code"] == "case_not_found"
    no_consent = api.post(f"/api/v1/hall/counter/{case_id}/fetch/", {"position": 1, "consented": False}, format="json")
    assert (no_consent.status_code, no_consent.json()["code"]) == (400, "consent_required")
    resident = make_staff(role="approver", departments=["SCJG"])
    assert client_of(resident).post(f"/api/v1/hall/tickets/{ticket.pk}/applications/{case_id}/accept/").status_code == 403
    assert Case.objects.get(pk=case_id).materials.count() == 0


def test_hold_resume_and_transfer_to_a_window_through_the_api(hall, front):
    api, ticket = front
    held = api.post(f"/api/v1/hall/tickets/{ticket.pk}/hold/")
    assert (held.status_code, held.json()["state"]) == (200, "held")
    twice = api.post(f"/api/v1/hall/tickets/{ticket.pk}/hold/")
    assert twice.status_code == 409
    resumed = api.post(f"/api/v1/hall/tickets/{ticket.pk}/resume/")
    assert (resumed.status_code, resumed.json()["state"], resumed.json()["window"]) == (200, "called", "1")

    neither = api.post(f"/api/v1/hall/tickets/{ticket.pk}/transfer/", {}, format="json")
    assert (neither.status_code, neither.json()["code"]) == (400, "group_or_window_required")
    closed = Window.objects.create(site=hall.site, code="9", is_open=False)
    to_closed = api.post(f"/api/v1/hall/tickets/{ticket.pk}/transfer/", {"window": closed.pk}, format="json")
    assert to_closed.status_code == 409
    assert Ticket.objects.get(pk=ticket.pk).state == "called"

    services.sign_in(officer=hall.market_only, window_id=hall.windows[2].pk)
    moved = api.post(f"/api/v1/hall/tickets/{ticket.pk}/transfer/", {"window": hall.windows[2].pk}, format="json")
    assert (moved.status_code, moved.json()["state"]) == (200, "waiting")
    assert Ticket.objects.get(pk=ticket.pk).target_window_id == hall.windows[2].pk


def _issued_counter_case(hall, front, background) -> int:
    api, ticket = front
    case_id = open_case(api, ticket).json()["id"]
    for position in (1, 2):
        scan(api, case_id, position)
    api.post(f"/api/v1/hall/tickets/{ticket.pk}/applications/{case_id}/accept/")
    back_office = make_staff(role="window_officer", departments=["SCJG"])
    applications.perform_action(case_id=case_id, actor=back_office, action="approve", expected_version=2)
    applications.perform_action(case_id=case_id, actor=back_office, action="issue_result", expected_version=3)
    background.run()
    return case_id


def test_the_output_counter_lists_and_hands_over_through_the_api(hall, front, background):
    case_id = _issued_counter_case(hall, front, background)
    clerk = make_staff(role="window_officer", departments=[])
    api = client_of(clerk)
    not_there = api.get("/api/v1/hall/output/")
    assert (not_there.status_code, not_there.json()["code"]) == (409, "not_at_output_window")

    output = Window.objects.create(site=hall.site, code="出1", kind="output")
    services.sign_in(officer=clerk, window_id=output.pk)
    waiting = api.get("/api/v1/hall/output/").json()
    assert [(row["case_id"], row["state"], row["method"]) for row in waiting] == [(case_id, "awaiting", "pickup")]
    assert waiting[0]["applicant"] == {"name": "张*", "identifier": "110101********4514", "kind": "resident"}

    wrong = api.post(f"/api/v1/hall/output/{case_id}/hand-over/", {"id_number": "11010519491231002X"}, format="json")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "identity_mismatch")
    assert Handover.objects.get(case_id=case_id).state == "awaiting"
    given = api.post(f"/api/v1/hall/output/{case_id}/hand-over/", {"id_number": ZHANG.lower()}, format="json")
    assert given.status_code == 200, given.json()
    assert (given.json()["state"], given.json()["collector_masked"]) == ("handed_over", "110101********4514")
    assert Case.objects.get(pk=case_id).state == "delivered"
    again = api.post(f"/api/v1/hall/output/{case_id}/mail/", {"address": "奉贤区南桥镇", "tracking_number": "SF1234567890"},
                     format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_handed_over")
    assert api.get("/api/v1/hall/output/").json() == []


def test_mailing_through_the_api_needs_a_valid_tracking_number(hall, front, background):
    case_id = _issued_counter_case(hall, front, background)
    clerk = make_staff(role="window_officer", departments=[])
    services.sign_in(officer=clerk, window_id=Window.objects.create(site=hall.site, code="出1", kind="output").pk)
    api = client_of(clerk)
    bad = api.post(f"/api/v1/hall/output/{case_id}/mail/", {"address": "奉贤区南桥镇", "tracking_number": "SF 12"}, format="json")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_tracking_number")
    mailed = api.post(f"/api/v1/hall/output/{case_id}/mail/",
                      {"address": "奉贤区南桥镇解放东路1号", "tracking_number": "SF1234567890"}, format="json")
    assert (mailed.status_code, mailed.json()["state"], mailed.json()["tracking_number"]) == (200, "mailed", "SF1234567890")
    unknown = api.post("/api/v1/hall/output/999999/hand-over/", {"id_number": ZHANG}, format="json")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "handover_not_found")


def _output_clerk(hall):
    clerk = make_staff(role="window_officer", departments=[])
    services.sign_in(officer=clerk, window_id=Window.objects.create(site=hall.site, code="出1", kind="output").pk)
    return clerk


def test_the_applicant_chooses_mail_and_the_output_counter_carries_it_out(hall, front, background):
    case_id = _issued_counter_case(hall, front, background)
    applicant = Case.objects.get(pk=case_id).applicant
    mine = client_of(applicant)
    no_address = mine.post(f"/api/v1/hall/results/{case_id}/delivery/", {"method": "mail"}, format="json")
    assert (no_address.status_code, no_address.json()["code"]) == (400, "address_required")
    chosen = mine.post(f"/api/v1/hall/results/{case_id}/delivery/",
                       {"method": "mail", "address": "奉贤区南桥镇解放东路1号"}, format="json")
    assert chosen.status_code == 200, chosen.json()
    assert (chosen.json()["requested_method"], chosen.json()["mail_address"], chosen.json()["state"]) == (
        "mail", "奉贤区南桥镇解放东路1号", "awaiting")
    stranger = client_of(hall.market_only)
    assert stranger.post(f"/api/v1/hall/results/{case_id}/delivery/", {"method": "pickup"}, format="json").status_code == 403
    other_resident = client_of(make_resident())
    not_theirs = other_resident.post(f"/api/v1/hall/results/{case_id}/delivery/", {"method": "pickup"}, format="json")
    assert (not_theirs.status_code, not_theirs.json()["code"]) == (404, "handover_not_found")

    clerk = client_of(_output_clerk(hall))
    listed = clerk.get("/api/v1/hall/output/").json()
    assert [(row["case_id"], row["requested_method"], row["mail_address"]) for row in listed] == [
        (case_id, "mail", "奉贤区南桥镇解放东路1号")]
    mailed = clerk.post(f"/api/v1/hall/output/{case_id}/mail/",
                        {"address": "奉贤区南桥镇解放东路1号", "tracking_number": "SF1234567890"}, format="json")
    assert (mailed.status_code, mailed.json()["state"]) == (200, "mailed")
    late = mine.post(f"/api/v1/hall/results/{case_id}/delivery/", {"method": "pickup"}, format="json")
    assert (late.status_code, late.json()["code"]) == (409, "already_handed_over")


def test_e_licence_only_is_delivered_by_the_output_counter(hall, front, background):
    case_id = _issued_counter_case(hall, front, background)
    applicant = Case.objects.get(pk=case_id).applicant
    chosen = client_of(applicant).post(f"/api/v1/hall/results/{case_id}/delivery/", {"method": "electronic"}, format="json")
    assert (chosen.status_code, chosen.json()["requested_method"]) == (200, "electronic")
    assert Case.objects.get(pk=case_id).state == "result_issued"  # the choice alone delivers nothing

    clerk_user = _output_clerk(hall)
    done = client_of(clerk_user).post(f"/api/v1/hall/output/{case_id}/electronic/")
    assert done.status_code == 200, done.json()
    assert (done.json()["state"], done.json()["method"]) == ("electronic", "electronic")
    case = Case.objects.get(pk=case_id)
    last = case.events.order_by("-sequence").first()
    assert (case.state, last.action, last.actor_id, last.data["method"]) == ("delivered", "deliver", clerk_user.pk,
                                                                             "electronic")
    twice = client_of(clerk_user).post(f"/api/v1/hall/output/{case_id}/electronic/")
    assert (twice.status_code, twice.json()["code"]) == (409, "already_handed_over")


def test_the_case_page_offers_the_choice_to_its_applicant(hall, front, background):
    from django.test import Client

    case_id = _issued_counter_case(hall, front, background)
    applicant = Case.objects.get(pk=case_id).applicant
    browser = Client()
    browser.force_login(applicant)
    page = browser.get(f"/cases/{case_id}/").content.decode()
    assert 'id="delivery"' in page and 'value="electronic"' in page
    answer = browser.post(f"/hall/results/{case_id}/delivery/", {"method": "mail", "address": "奉贤区南桥镇解放东路1号"})
    assert (answer.status_code, answer["Location"]) == (302, f"/cases/{case_id}/")
    page = browser.get(f"/cases/{case_id}/").content.decode()
    assert '<strong id="delivery-requested">邮寄送达</strong>（奉贤区南桥镇解放东路1号）' in page
    handover = Handover.objects.get(case_id=case_id)
    assert (handover.requested_method, handover.mail_address, handover.state) == ("mail", "奉贤区南桥镇解放东路1号", "awaiting")
