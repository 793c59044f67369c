"""Appointments: slots from the opening hours and the working-day calendar, capacity under a lock,
one booking per person, group and day, changes until 2 hours before, check-in for a priority
ticket, 爽约 after the grace period, and the rule that suspends online booking."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tests.factories import make_resident
from yiwang.core.clock import LEGAL_TIME_ZONE

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking_hall(hall):
    from yiwang.hall.models import SlotCapacity

    SlotCapacity.objects.create(site=hall.site, group=hall.market, slot_minutes=30, per_slot=2)
    return hall


def person() -> APIClient:
    client = APIClient()
    client.force_authenticate(make_resident())
    return client


def book(client, day="2026-03-11", start="09:30", group="market"):
    return client.post("/api/v1/hall/appointments/", {"site": "FX-CENTRE", "group": group, "day": day, "start": start},
                       format="json")


def at(day: str, hour: int, minute: int = 0) -> dt.datetime:
    y, m, d = map(int, day.split("-"))
    return dt.datetime(y, m, d, hour, minute, tzinfo=LEGAL_TIME_ZONE)


def test_slots_are_the_next_five_working_days_in_half_hours(booking_hall):
    days = APIClient().get("/api/v1/hall/sites/FX-CENTRE/slots/?group=market").json()
    # Tuesday 10 March: Wednesday to the next Tuesday (the weekend is skipped).
    assert [d["day"] for d in days] == ["2026-03-11", "2026-03-12", "2026-03-13", "2026-03-16", "2026-03-17"]
    assert [(s["start"], s["end"], s["remaining"]) for s in days[0]["slots"][:2]] == [("09:00", "09:30", 2), ("09:30", "10:00", 2)]
    assert len(days[0]["slots"]) == 16
    assert APIClient().get("/api/v1/hall/sites/FX-CENTRE/slots/?group=social").json() == []  # takes no appointments
    assert APIClient().get("/api/v1/hall/sites/FX-CENTRE/slots/").json()["code"] == "group_required"


def test_booking_capacity_double_booking_and_bad_days(booking_hall):
    first = person()
    answer = book(first)
    assert (answer.status_code, answer.json()["state"], answer.json()["end"]) == (201, "booked", "10:00")
    assert book(first, start="10:00").json()["code"] == "already_booked"
    assert book(person()).status_code == 201
    full = book(person())
    assert (full.status_code, full.json()["code"]) == (409, "slot_full")
    assert APIClient().get("/api/v1/hall/sites/FX-CENTRE/slots/?group=market").json()[0]["slots"][1]["remaining"] == 0
    for day, start, code in (("2026-03-10", "11:00", "day_not_bookable"), ("2026-03-18", "09:00", "day_not_bookable"),
                             ("2026-03-14", "09:00", "day_not_bookable"), ("2026-03-12", "17:00", "not_a_slot"),
                             ("2026-03-12", "09:15", "not_a_slot")):
        refused = book(person(), day=day, start=start)
        assert (refused.status_code, refused.json()["code"]) == (400, code), (day, start)
    assert book(person(), group="social").json()["code"] == "no_appointments_here"
    assert book(APIClient()).status_code == 401


def test_no_slots_on_a_holiday(booking_hall, frozen_clock):
    frozen_clock.set(at("2026-04-30", 10))  # before Labour Day: 1-5 May are off, 9 May is a make-up working Saturday
    days = [d["day"] for d in APIClient().get("/api/v1/hall/sites/FX-CENTRE/slots/?group=market").json()]
    assert days == ["2026-05-06", "2026-05-07", "2026-05-08", "2026-05-09", "2026-05-11"]


def test_cancel_and_move_until_two_hours_before(booking_hall, frozen_clock):
    client = person()
    booked = book(client, start="11:00").json()
    moved = client.post(f"/api/v1/hall/appointments/{booked['id']}/move/", {"day": "2026-03-12", "start": "11:00"}, format="json")
    assert (moved.json()["day"], moved.json()["start"]) == ("2026-03-12", "11:00")
    frozen_clock.set(at("2026-03-12", 9, 1))
    late = client.post(f"/api/v1/hall/appointments/{booked['id']}/cancel/")
    assert (late.status_code, late.json()["code"]) == (409, "too_late_to_change")
    frozen_clock.set(at("2026-03-12", 8, 59))
    assert client.post(f"/api/v1/hall/appointments/{booked['id']}/cancel/").json()["state"] == "cancelled"
    assert person().post(f"/api/v1/hall/appointments/{booked['id']}/cancel/").status_code == 404  # not theirs


def test_check_in_gives_a_ticket_called_after_green_and_before_walk_ins(booking_hall, frozen_clock):
    from yiwang.hall import services

    client = person()
    appointment = book(client, start="10:00").json()
    frozen_clock.set(at("2026-03-11", 9, 29))
    early = client.post(f"/api/v1/hall/appointments/{appointment['id']}/check-in/")
    assert (early.status_code, early.json()["code"]) == (409, "check_in_closed")
    machine = APIClient()
    machine.credentials(HTTP_AUTHORIZATION=f"Device {booking_hall.machine_token}")
    walk_in = machine.post("/api/v1/hall/tickets/", {"site": "FX-CENTRE", "group": "market"}, format="json").json()
    frozen_clock.set(at("2026-03-11", 9, 45))
    ticket = client.post(f"/api/v1/hall/appointments/{appointment['id']}/check-in/")
    assert (ticket.status_code, ticket.json()["priority"], ticket.json()["number"]) == (201, "appointment", "A002")
    assert client.post(f"/api/v1/hall/appointments/{appointment['id']}/check-in/").json()["code"] == "appointment_state"
    green = machine.post("/api/v1/hall/tickets/", {"site": "FX-CENTRE", "group": "market", "priority": "green"},
                         format="json").json()
    services.sign_in(officer=booking_hall.market_only, window_id=booking_hall.windows[0].pk)
    order = []
    for _ in range(3):
        called = services.call_next(officer=booking_hall.market_only, window_id=booking_hall.windows[0].pk)
        order.append(called.number)
        services.complete(officer=booking_hall.market_only, ticket_id=called.pk, outcome="consultation")
    assert order == [green["number"], "A002", walk_in["number"]]


def test_no_shows_warn_then_suspend_online_booking(booking_hall, frozen_clock):
    from yiwang.hall import services
    from yiwang.hall.models import Appointment
    from yiwang.notifications.models import Message

    client = person()
    first = book(client, day="2026-03-11", start="09:00").json()
    second = book(client, day="2026-03-12", start="09:00").json()
    frozen_clock.set(at("2026-03-11", 9, 15))
    assert services.mark_missed_appointments() == 0  # still inside the grace period
    frozen_clock.set(at("2026-03-11", 9, 16))
    assert services.mark_missed_appointments() == 1
    assert Appointment.objects.get(pk=first["id"]).state == "missed"
    warning = Message.objects.get(kind="appointment_missed")
    assert warning.body == "您预约的奉贤区行政服务中心“企业开办与市场准入”2026-03-11 09:00未按时签到，已记爽约一次。30天内爽约满2次将暂停网上预约。"
    frozen_clock.set(at("2026-03-12", 10))
    assert services.mark_missed_appointments() == 1
    suspended = Message.objects.get(kind="booking_suspended")
    assert suspended.body == "因30天内爽约或取消预约次数过多，您的网上预约暂停至2026-04-11，期间可到大厅现场取号。"
    refused = book(client, day="2026-03-13")
    assert (refused.status_code, refused.json()["code"]) == (409, "booking_suspended")
    assert Appointment.objects.get(pk=second["id"]).state == "missed"


def test_five_cancellations_in_a_month_suspend_online_booking(booking_hall):
    client = person()
    for n, start in enumerate(("09:00", "09:30", "10:00", "10:30", "11:00")):
        booked = book(client, start=start).json()
        assert client.post(f"/api/v1/hall/appointments/{booked['id']}/cancel/").status_code == 200, n
    assert book(client).json()["code"] == "booking_suspended"
