"""Front desk, back office, unified output: a walk-in's application taken in at a comprehensive
window, approved by the department's back office, and collected at the output counter."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from tests.factories import PASSWORD, make_staff
from tests.helpers import ITEM_ONE_LEVEL, PDF_BYTES, as_post, form_for
from yiwang.accounts.models import User
from yiwang.accounts.services import register_resident, request_resident_registration, walk_in_applicant
from yiwang.applications import services as applications
from yiwang.applications.models import Case, CaseEvent
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.hall import services
from yiwang.hall.models import Handover, Qualification, Ticket, Window
from yiwang.notifications.models import Message

pytestmark = pytest.mark.django_db

ZHANG = "110101199003074514"  # a valid ID number (check character 4)
FULL_WIDTH_ZHANG = "".join(chr(ord(ch) + 0xFEE0) for ch in ZHANG)


@pytest.fixture
def desk(hall):
    """A comprehensive-window officer of no department, qualified for group A, serving a called ticket."""
    front = make_staff(role="window_officer", departments=[])
    Qualification.objects.create(officer=front, group=hall.market)
    services.sign_in(officer=front, window_id=hall.windows[0].pk)
    services.take_ticket(site=hall.site, group=hall.market, channel="machine")
    ticket = services.call_next(officer=front, window_id=hall.windows[0].pk)
    return front, ticket


def _counter_case(front, ticket, **person):
    person = {"real_name": "张三", "id_number": ZHANG, **person}
    case = services.open_counter_application(officer=front, ticket_id=ticket.pk, item_code=ITEM_ONE_LEVEL,
                                             form_data=form_for(ITEM_ONE_LEVEL, address="奉贤区南桥镇解放东路1号"),
                                             **person)
    for position in (1, 2):
        services.attach_counter_scan(officer=front, case_id=case.pk, position=position, upload=io.BytesIO(PDF_BYTES))
    return case


def test_a_walk_in_is_recorded_once_and_claims_the_record_when_registering(catalog):
    officer = make_staff(role="window_officer")
    first = walk_in_applicant(officer=officer, real_name="张三", id_number=ZHANG)
    again = walk_in_applicant(officer=officer, real_name="张三", id_number=FULL_WIDTH_ZHANG)
    assert (first.created, again.created, again.person.pk) == (True, False, first.person.pk)
    assert (first.person.registered, first.person.has_usable_password()) == (False, False)
    with pytest.raises(ValidationFailed) as mismatch:
        walk_in_applicant(officer=officer, real_name="李四", id_number=ZHANG)
    assert mismatch.value.code == "identity_mismatch"

    # A later visit records the mobile number the person will register with.
    walk_in_applicant(officer=officer, real_name="张三", id_number=ZHANG, phone="138 0013 8000")
    registered = register_resident(username="zhangsan", password="Zs-2026-secret", real_name="张三",
                                   id_number=ZHANG, phone="13800138000")
    assert registered.pk == first.person.pk and registered.registered and registered.check_password("Zs-2026-secret")
    assert User.objects.filter(id_number=ZHANG).count() == 1


@pytest.mark.parametrize("phone", ["", "13900139000"])
def test_an_id_number_and_name_alone_do_not_claim_a_walk_ins_cases(catalog, phone):
    """Whoever knows a walk-in's ID number and name must not get their counter cases by
    registering with them: without the mobile number recorded at the counter the registration
    is answered as for a taken number (the page tells the two apart for nobody)."""
    officer = make_staff(role="window_officer")
    walk_in = walk_in_applicant(officer=officer, real_name="张三", id_number=ZHANG, phone="13800138000").person
    answer = request_resident_registration(client_ip="198.51.100.7", username="prober", password="Pr-2026-secret",
                                           real_name="张三", id_number=ZHANG, phone=phone)
    walk_in.refresh_from_db()
    assert answer is None
    assert (walk_in.registered, walk_in.has_usable_password(), walk_in.phone) == (False, False, "13800138000")
    assert User.objects.filter(id_number=ZHANG).count() == 1
    assert not User.objects.filter(username="prober").exists()


def test_a_registered_account_keeps_its_own_mobile_number_at_the_counter(catalog):
    registered = register_resident(username="zhangsan", password="Zs-2026-secret", real_name="张三",
                                   id_number=ZHANG, phone="13800138000")
    found = walk_in_applicant(officer=make_staff(role="window_officer"), real_name="张三", id_number=ZHANG,
                              phone="13900139000")
    registered.refresh_from_db()
    assert (found.person.pk, found.created, registered.phone) == (registered.pk, False, "13800138000")


def test_only_window_officers_record_walk_ins(catalog):
    with pytest.raises(PermissionDenied) as refused:
        walk_in_applicant(officer=make_staff(role="approver", departments=["SCJG"]), real_name="张三", id_number=ZHANG)
    assert refused.value.code == "window_officers_only"


def test_counter_application_is_accepted_on_the_spot_and_records_who_acted_for_whom(hall, desk):
    front, ticket = desk
    case = _counter_case(front, ticket)
    accepted = services.accept_counter_application(officer=front, ticket_id=ticket.pk, case_id=case.pk)

    person = User.objects.get(id_number=ZHANG)
    assert (accepted.state, accepted.channel, accepted.received_by_id, accepted.applicant_id) == (
        "accepted", "window", front.pk, person.pk)
    events = list(CaseEvent.objects.filter(case=accepted).order_by("sequence").values_list(
        "action", "actor_id", "actor_role", "on_behalf_of_id", "channel"))
    assert events == [("submit", front.pk, "window_officer", person.pk, "window"),
                      ("accept", front.pk, "window_officer", None, "window")]
    assert sorted(accepted.notices.values_list("kind", flat=True)) == ["acceptance", "receipt"]
    again = services.accept_counter_application(officer=front, ticket_id=ticket.pk, case_id=case.pk)
    assert (again.pk, again.version) == (accepted.pk, accepted.version)  # a retry changes nothing

    done = services.complete(officer=front, ticket_id=ticket.pk, outcome="accepted")
    assert (done.state, list(done.cases.values_list("pk", flat=True))) == ("done", [case.pk])


def test_the_ticket_is_not_done_as_accepted_without_an_accepted_case(hall, desk):
    front, ticket = desk
    _counter_case(front, ticket)
    with pytest.raises(Conflict) as refused:
        services.complete(officer=front, ticket_id=ticket.pk, outcome="accepted")
    assert refused.value.code == "no_case_accepted"
    assert Ticket.objects.get(pk=ticket.pk).state == "called"


def test_an_officer_opens_only_items_of_groups_they_are_qualified_for(hall, desk):
    front, ticket = desk
    with pytest.raises(PermissionDenied) as refused:
        services.open_counter_application(officer=front, ticket_id=ticket.pk, item_code="310120-RSJSB-05-0001",
                                          real_name="张三", id_number=ZHANG)
    assert refused.value.code == "not_qualified"
    assert Case.objects.count() == 0 and User.objects.filter(id_number=ZHANG).count() == 0


def test_the_counter_draft_belongs_to_its_officer_only(hall, desk):
    front, ticket = desk
    case = _counter_case(front, ticket)
    with pytest.raises(Exception) as refused:
        applications.update_draft(case_id=case.pk, applicant=hall.both, form_data={"remarks": "x"})
    assert getattr(refused.value, "code", "") == "case_not_found"


def test_back_office_approves_and_the_result_is_collected_at_the_output_counter(hall, desk, background):
    front, ticket = desk
    case = _counter_case(front, ticket)
    services.accept_counter_application(officer=front, ticket_id=ticket.pk, case_id=case.pk)
    back_office = make_staff(role="window_officer", departments=["SCJG"])
    case = applications.perform_action(case_id=case.pk, actor=back_office, action="approve", expected_version=2)
    case = applications.perform_action(case_id=case.pk, actor=back_office, action="issue_result", expected_version=3)
    background.run()

    handover = Handover.objects.get(case=case)
    assert (handover.method, handover.state, handover.site_id) == ("pickup", "awaiting", hall.site.pk)
    message = Message.objects.get(kind="pickup_ready")
    assert message.recipient.id_number == ZHANG
    assert "奉贤区行政服务中心统一出件窗口" in message.body

    output = Window.objects.create(site=hall.site, code="出1", kind="output")
    clerk = make_staff(role="window_officer", departments=[])
    with pytest.raises(Conflict) as not_there:
        services.hand_over(officer=clerk, case_id=case.pk, id_number=ZHANG)
    assert not_there.value.code == "not_at_output_window"
    services.sign_in(officer=clerk, window_id=output.pk)
    with pytest.raises(ValidationFailed) as wrong_person:
        services.hand_over(officer=clerk, case_id=case.pk, id_number="11010519491231002X")
    assert wrong_person.value.code == "identity_mismatch"
    assert Handover.objects.get(pk=handover.pk).state == "awaiting"

    done = services.hand_over(officer=clerk, case_id=case.pk, id_number=ZHANG)
    assert (done.state, done.handed_over_by_id, done.collector_masked) == ("handed_over", clerk.pk, "110101********4514")
    last = CaseEvent.objects.filter(case=case).order_by("-sequence").first()
    assert (last.action, last.actor_id, last.channel, last.data["method"]) == ("deliver", clerk.pk, "window", "pickup")
    assert Case.objects.get(pk=case.pk).state == "delivered"
    with pytest.raises(Conflict) as twice:
        services.hand_over(officer=clerk, case_id=case.pk, id_number=ZHANG)
    assert twice.value.code == "already_handed_over"


def test_mailing_records_a_valid_tracking_number(hall, desk, background):
    front, ticket = desk
    case = _counter_case(front, ticket)
    services.accept_counter_application(officer=front, ticket_id=ticket.pk, case_id=case.pk)
    back_office = make_staff(role="window_officer", departments=["SCJG"])
    applications.perform_action(case_id=case.pk, actor=back_office, action="approve", expected_version=2)
    applications.perform_action(case_id=case.pk, actor=back_office, action="issue_result", expected_version=3)
    background.run()
    output = Window.objects.create(site=hall.site, code="出1", kind="output")
    clerk = make_staff(role="window_officer", departments=[])
    services.sign_in(officer=clerk, window_id=output.pk)
    with pytest.raises(ValidationFailed) as bad:
        services.record_mailing(officer=clerk, case_id=case.pk, address="奉贤区南桥镇", tracking_number="SF 12")
    assert bad.value.code == "invalid_tracking_number"
    mailed = services.record_mailing(officer=clerk, case_id=case.pk, address="奉贤区南桥镇解放东路1号",
                                     tracking_number="SF1234567890")
    assert (mailed.state, mailed.tracking_number) == ("mailed", "SF1234567890")
    assert Case.objects.get(pk=case.pk).state == "delivered"


def test_transfer_to_one_window_is_called_there_only(hall, desk):
    front, ticket = desk
    services.sign_in(officer=hall.both, window_id=hall.windows[1].pk)
    services.sign_in(officer=hall.market_only, window_id=hall.windows[2].pk)
    moved = services.transfer(officer=front, ticket_id=ticket.pk, window_id=hall.windows[2].pk)
    assert (moved.state, moved.target_window_id) == ("waiting", hall.windows[2].pk)
    with pytest.raises(Conflict) as elsewhere:
        services.call_next(officer=hall.both, window_id=hall.windows[1].pk)
    assert elsewhere.value.code == "no_ticket_waiting"
    called = services.call_next(officer=hall.market_only, window_id=hall.windows[2].pk)
    assert (called.pk, called.number) == (ticket.pk, ticket.number)


def test_transfer_to_a_closed_window_changes_nothing(hall, desk):
    front, ticket = desk
    with pytest.raises(Conflict) as closed:
        services.transfer(officer=front, ticket_id=ticket.pk, window_id=hall.windows[2].pk)
    assert closed.value.code == "window_closed"
    assert Ticket.objects.get(pk=ticket.pk).state == "called"


def test_hold_frees_the_window_and_resume_calls_again(hall, desk):
    front, ticket = desk
    services.take_ticket(site=hall.site, group=hall.market, channel="machine")
    held = services.hold(officer=front, ticket_id=ticket.pk)
    assert held.state == "held"
    second = services.call_next(officer=front, window_id=hall.windows[0].pk)
    with pytest.raises(Conflict) as busy:
        services.resume(officer=front, ticket_id=ticket.pk)
    assert busy.value.code == "ticket_in_service"
    services.complete(officer=front, ticket_id=second.pk, outcome="consultation")
    resumed = services.resume(officer=front, ticket_id=ticket.pk)
    assert (resumed.state, resumed.calls) == ("called", 2)


def test_the_counter_pages_take_a_walk_in_through_acceptance(hall, desk):
    front, ticket = desk
    web = Client()
    assert web.login(username=front.username, password=PASSWORD)
    console = web.get("/hall/window/")
    assert console.status_code == 200 and "开始受理" in console.content.decode()
    opened = web.post("/hall/window/counter/", {"ticket": ticket.pk, "item_code": ITEM_ONE_LEVEL, "real_name": "张三",
                                                "id_number": ZHANG, "phone": "13800138000"})
    case = Case.objects.get()
    assert opened.status_code == 302 and opened["Location"] == f"/hall/window/counter/{case.pk}/"
    web.post(opened["Location"], {"action": "save", **as_post(form_for(ITEM_ONE_LEVEL, address="奉贤区南桥镇解放东路1号",
                                                                         remarks=""))})
    refused = web.post(opened["Location"], {"action": "accept"})
    assert refused.status_code == 400 and "缺少必要材料" in refused.content.decode()
    for position in (1, 2):
        scan = io.BytesIO(PDF_BYTES)
        scan.name = "scan.pdf"
        web.post(opened["Location"], {"action": "upload", "position": position, "file": scan})
    accepted = web.post(opened["Location"], {"action": "accept"})
    assert accepted.status_code == 302
    page = web.get(opened["Location"]).content.decode()
    assert "打印受理通知书" in page
    notice = Case.objects.get().notices.get(kind="acceptance")
    pdf = web.get(f"/cases/{case.pk}/notices/{notice.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    stranger = Client()
    assert stranger.login(username=hall.both.username, password=PASSWORD)
    assert stranger.get(opened["Location"]).status_code == 404
