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
