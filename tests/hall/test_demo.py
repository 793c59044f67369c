"""The demo's hall: the district centre after the reform, officers hall01–hall10, device tokens."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_the_demo_hall_is_the_reformed_centre_and_its_tokens_work(catalog, frozen_clock):
    from yiwang.hall.demo import ensure_demo_hall
    from yiwang.hall.models import Qualification, ServiceGroup, SlotCapacity, Window

    first = ensure_demo_hall()
    centre = Window.objects.filter(site__code="FX-CENTRE")
    assert (centre.filter(kind="comprehensive").count(), centre.filter(kind="output").count()) == (123, 1)
    assert [g.prefix for g in ServiceGroup.objects.all()] == ["A", "B", "C", "D", "E", "Z"]
    assert [a.username for a in first.accounts] == [f"hall{n:02d}" for n in range(1, 11)]
    assert Qualification.objects.filter(officer__username="hall07").count() == 6
    assert SlotCapacity.objects.filter(site__code="FX-CENTRE").count() == 5
    machine = APIClient()
    machine.credentials(HTTP_AUTHORIZATION=f"Device {first.ticket_machine_token}")
    answer = machine.post("/api/v1/hall/tickets/", {"site": "FX-CENTRE", "group": "market"}, format="json")
    assert (answer.status_code, answer.json()["number"]) == (201, "A001")
    again = ensure_demo_hall()  # a second start: nothing doubled, fresh tokens, the old one refused
    assert Window.objects.count() == 124 + 9
    assert machine.post("/api/v1/hall/tickets/", {"site": "FX-CENTRE", "group": "market"}, format="json").status_code == 401
    machine.credentials(HTTP_AUTHORIZATION=f"Device {again.ticket_machine_token}")
    assert machine.post("/api/v1/hall/tickets/", {"site": "FX-CENTRE", "group": "market"}, format="json").json()["number"] == "A002"


def test_the_demo_centre_has_four_weeks_of_served_tickets_once(catalog, frozen_clock):
    from yiwang.hall.demo import ensure_demo_hall
    from yiwang.hall.models import Ticket
    from yiwang.staffing import selectors

    ensure_demo_hall()
    past = Ticket.objects.filter(site__code="FX-CENTRE")
    days = sorted(set(past.values_list("day", flat=True)))
    assert (past.count(), len(days), days[0].isoformat(), days[-1].isoformat()) == (8752, 16, "2026-02-10", "2026-03-09")
    assert set(past.values_list("state", flat=True)) == {"done"}
    assert not Ticket.objects.filter(site__code="FX-CENTRE", day__gte=frozen_clock.now().date()).exists()
    ensure_demo_hall()
    assert Ticket.objects.filter(site__code="FX-CENTRE").count() == past.count()  # a second start adds nothing
    history = selectors.history_request("FX-CENTRE", day_from=days[0], day_to=days[-1],
                                        target={"wait_seconds": 900, "service_level": 0.8})
    assert history["working_days"] == 16 and history["hours"] == list(range(9, 17))
    assert [(q["name"], max(q["arrivals_per_hour"]), q["mean_service_minutes"]) for q in history["document"]["queues"]] == [
        ("企业开办与市场准入", 23.0, 13.707), ("社保医保与公积金", 24.0, 7.855), ("户籍出入境与婚姻", 22.0, 9.696),
        ("规划建设与不动产", 11.0, 19.621), ("卫生教育与文旅", 8.0, 8.964), ("综合咨询", 5.0, 4.163)]
    english = selectors.history_request("FX-CENTRE", day_from=days[0], day_to=days[-1],
                                        target={"wait_seconds": 900, "service_level": 0.8}, english=True)
    assert english["document"]["queues"][0]["name"] == "Business start-up and market access"
