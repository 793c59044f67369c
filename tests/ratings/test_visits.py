"""一次一评: a hall visit rated from the printed ticket's QR code or at the window's evaluator."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_resident
from tests.hall.conftest import hall  # noqa: F401 - the small hall fixture
from yiwang.core.errors import Conflict, NotFound, ValidationFailed
from yiwang.hall import services as hall_services
from yiwang.hall.selectors import ticket_code
from yiwang.ratings import services
from yiwang.ratings.models import Rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(hall):  # noqa: F811
    """A001 taken on a phone by a resident, served at window 1 by officer `both`, finished."""
    person = make_resident(real_name="王五")
    ticket = hall_services.take_ticket(site=hall.site, group=hall.market, channel="phone", taken_by=person)
    hall_services.sign_in(officer=hall.both, window_id=hall.windows[0].pk)
    hall_services.call_next(officer=hall.both, window_id=hall.windows[0].pk)
    return person, ticket


def _finish(hall, ticket):  # noqa: F811
    hall_services.complete(officer=hall.both, ticket_id=ticket.pk, outcome="consultation")


def test_the_evaluator_rates_its_windows_visit_on_behalf_of_the_ticket_holder(hall, served):  # noqa: F811
    person, ticket = served
    evaluator, _ = hall_services.register_device(site=hall.site, name="1号窗口评价器", kind="evaluator", window=hall.windows[0])
    with pytest.raises(Conflict) as refused:
        services.rate_visit(ticket_id=ticket.pk, device=evaluator, level=5)
    assert refused.value.code == "visit_not_finished"
    _finish(hall, ticket)
    other, _ = hall_services.register_device(site=hall.site, name="2号窗口评价器", kind="evaluator", window=hall.windows[1])
    with pytest.raises(NotFound):
        services.rate_visit(ticket_id=ticket.pk, device=other, level=1)  # another window's tablet
    rating = services.rate_visit(ticket_id=ticket.pk, device=evaluator, level=2, scores={"attitude": 1}, comment="态度冷淡")
    assert (rating.channel, rating.rater, rating.officer, rating.window, rating.subject) == (
        "evaluator", person, hall.both, hall.windows[0], "visit")
    assert rating.department.code == "SCJG"  # the group's item or case decides it; the market group's SCJG
    assert rating.rectification.assignee == hall.both
    with pytest.raises(Conflict) as refused:
        services.rate_visit(ticket_id=ticket.pk, device=evaluator, level=5)
    assert refused.value.code == "already_rated"


def test_the_qr_code_on_the_ticket_lets_its_holder_rate_and_nobody_else(hall, served):  # noqa: F811
    person, ticket = served
    _finish(hall, ticket)
    stranger = make_resident(real_name="赵六")
    with pytest.raises(NotFound):
        services.rate_visit(ticket_id=ticket.pk, person=stranger, level=1)
    with pytest.raises(NotFound):
        services.rate_visit(ticket_id=ticket.pk, person=stranger, token="0" * 20, level=1)
    with pytest.raises(ValidationFailed):
        services.rate_visit(ticket_id=ticket.pk, person=stranger, token=ticket_code(ticket.pk), level=4, scores={"usability": 5})
    rating = services.rate_visit(ticket_id=ticket.pk, person=stranger, token=f" {ticket_code(ticket.pk)} ", level=4)
    assert (rating.rater, rating.channel, rating.level) == (stranger, "qr", 4)  # whoever holds the paper ticket, by real name
    assert Rating.objects.count() == 1


def test_the_ticket_page_prints_the_rating_qr_and_the_visit_page_takes_the_rating(hall, served, client):  # noqa: F811
    person, ticket = served
    _finish(hall, ticket)
    code = ticket_code(ticket.pk)
    client.force_login(person)
    page = client.get(f"/ratings/ticket/{ticket.pk}/")
    assert page.status_code == 200 and "请对本次办理作出评价。" in page.content.decode()
    response = client.post(f"/ratings/ticket/{ticket.pk}/?t={code}", {"level": "1", "score_attitude": "2", "comment": "等太久"})
    assert response.status_code == 302
    shown = client.get(response["Location"]).content.decode()
    assert "非常不满意" in shown and "等太久" in shown and "待回访" in shown
    intruder = Client()
    intruder.force_login(make_resident(real_name="钱七"))
    assert intruder.get(f"/ratings/ticket/{ticket.pk}/").status_code == 404


def test_the_evaluator_page_shows_the_officer_and_takes_one_tap(hall, served):  # noqa: F811
    person, ticket = served
    _, token = hall_services.register_device(site=hall.site, name="1号窗口评价器", kind="evaluator", window=hall.windows[0])
    tablet = Client()
    assert tablet.get("/ratings/evaluator/").status_code == 403
    assert tablet.post("/hall/device/", {"token": token})["Location"] == "/ratings/evaluator/"
    serving = tablet.get("/ratings/evaluator/").content.decode()
    assert hall.both.display_name in serving and "窗口人员" in serving and "正在为 A001 号办理" in serving
    _finish(hall, ticket)
    asking = tablet.get("/ratings/evaluator/").content.decode()
    assert "请为本次服务（A001）评价" in asking
    thanked = tablet.post("/ratings/evaluator/rate/", {"ticket": ticket.pk, "level": "5"}, HTTP_HX_REQUEST="true")
    assert thanked.status_code == 200 and "感谢您的评价！" in thanked.content.decode()
    again = tablet.post("/ratings/evaluator/rate/", {"ticket": ticket.pk, "level": "1"})
    assert again.status_code == 409 and "已评价" in again.content.decode()
    assert Rating.objects.get().level == 5


def test_register_device_requires_a_window_for_an_evaluator_only(hall):  # noqa: F811
    with pytest.raises(ValidationFailed) as refused:
        hall_services.register_device(site=hall.site, name="评价器", kind="evaluator")
    assert refused.value.code == "evaluator_window"
    with pytest.raises(ValidationFailed):
        hall_services.register_device(site=hall.site, name="屏", kind="screen", window=hall.windows[0])


def test_the_reply_to_a_bad_visit_rating_links_to_the_visit_page(hall, served):  # noqa: F811
    from yiwang.notifications.models import Message

    person, ticket = served
    _finish(hall, ticket)
    task = services.rate_visit(ticket_id=ticket.pk, person=person, level=1, comment="态度差").rectification
    services.record_callback(officer=hall.both, task_id=task.pk, reached=True, notes="已联系")
    services.resolve(officer=hall.both, task_id=task.pk, outcome="explained", reply="已加强培训")
    told = Message.objects.get(recipient=person, kind="rating_replied")
    assert told.link == f"/ratings/ticket/{ticket.pk}/"
    client = Client()
    client.force_login(person)
    assert "已加强培训" in client.get(told.link).content.decode()
