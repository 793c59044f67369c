"""Tickets and calling through the API: numbers per group and day, one waiting ticket per person,
the calling order, qualifications, recall / no-show / requeue / transfer / complete, the screen's feed."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tests.factories import make_resident

pytestmark = pytest.mark.django_db

ID_NUMBER = "31012019900307123X"


def machine(hall) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {hall.machine_token}")
    return client


def officer(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def take(hall, **body):
    return machine(hall).post("/api/v1/hall/tickets/", {"site": "FX-CENTRE", **body}, format="json")


def test_numbers_run_per_group_and_day_and_start_again_the_next_day(hall, frozen_clock):
    numbers = [take(hall, group=g).json()["number"] for g in ("market", "market", "social", "market")]
    assert numbers == ["A001", "A002", "B001", "A003"]
    frozen_clock.advance(days=1)  # Wednesday
    first = take(hall, group="market")
    assert (first.status_code, first.json()["number"], first.json()["state"]) == (201, "A001", "waiting")


def test_a_ticket_for_an_item_goes_to_its_departments_group_and_shows_the_people_ahead(hall):
    from yiwang.catalog.models import ServiceItem

    item = ServiceItem.objects.filter(department__code="RSJSB", is_active=True).order_by("code").first()
    take(hall, group="social")
    answer = take(hall, item_code=item.code)
    body = answer.json()
    assert (answer.status_code, body["number"], body["group"], body["item_code"]) == (201, "B002", "social", item.code)
    assert (body["people_ahead"], body["estimated_wait_seconds"]) == (1, 300)  # no window serving yet: one at 300 s


def test_one_waiting_ticket_per_person_and_group(hall):
    assert take(hall, group="market", id_number=ID_NUMBER).status_code == 201
    again = take(hall, group="market", id_number=ID_NUMBER)
    assert (again.status_code, again.json()["code"]) == (409, "ticket_already_waiting")
    assert take(hall, group="social", id_number=ID_NUMBER).status_code == 201
    bad = take(hall, group="market", id_number="310120199003071230")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_id_number")


def test_no_ticket_outside_opening_hours_or_on_a_holiday(hall, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 3, 10, 17, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    late = take(hall, group="market")
    assert (late.status_code, late.json()["code"]) == (409, "site_closed")
    frozen_clock.set(dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))  # Labour Day
    assert take(hall, group="market").json()["code"] == "site_closed"


def test_who_may_take_a_number(hall):
    anonymous = APIClient().post("/api/v1/hall/tickets/", {"site": "FX-CENTRE", "group": "market"}, format="json")
    assert anonymous.status_code == 401
    screen = APIClient()
    screen.credentials(HTTP_AUTHORIZATION=f"Device {hall.screen_token}")
    assert screen.post("/api/v1/hall/tickets/", {"site": "FX-CENTRE", "group": "market"}, format="json").status_code == 403
    other_site = take(hall, group="market", site="FX-NANQIAO")
    assert (other_site.status_code, other_site.json()["code"]) == (403, "device_of_another_site")
    phone = officer(make_resident())
    mine = phone.post("/api/v1/hall/tickets/", {"site": "FX-CENTRE", "group": "market"}, format="json")
    assert (mine.status_code, mine.json()["number"]) == (201, "A001")
    green = phone.post("/api/v1/hall/tickets/", {"site": "FX-CENTRE", "group": "social", "priority": "green"}, format="json")
    assert (green.status_code, green.json()["code"]) == (403, "priority_at_the_hall")
    assert phone.get(f"/api/v1/hall/tickets/{mine.json()['id']}/").status_code == 200
    assert officer(make_resident()).get(f"/api/v1/hall/tickets/{mine.json()['id']}/").status_code == 404
    wrong = take(hall, group="market", item_code="X")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "group_or_item_required")


def test_calling_order_green_first_then_by_take_time_within_the_officers_groups(hall, frozen_clock):
    for group in ("social", "market", "market"):
        take(hall, group=group)
        frozen_clock.advance(seconds=30)
    take(hall, group="market", priority="green")  # A003, taken last, called first
    market_only, both = officer(hall.market_only), officer(hall.both)
    window_1, window_2 = hall.windows[0].pk, hall.windows[1].pk
    assert market_only.post(f"/api/v1/hall/windows/{window_1}/sign-in/").status_code == 200
    assert both.post(f"/api/v1/hall/windows/{window_2}/sign-in/").status_code == 200
    called = []
    for client, window in ((market_only, window_1), (both, window_2), (market_only, window_1), (both, window_2)):
        answer = client.post(f"/api/v1/hall/windows/{window}/call-next/")
        assert answer.status_code == 200, answer.json()
        ticket = answer.json()["ticket"]
        called.append((ticket["number"], ticket["window"]))
        client.post(f"/api/v1/hall/tickets/{ticket['id']}/complete/", {"outcome": "consultation"}, format="json")
    assert called == [("A003", "1"), ("B001", "2"), ("A001", "1"), ("A002", "2")]
    empty = market_only.post(f"/api/v1/hall/windows/{window_1}/call-next/")
    assert (empty.status_code, empty.json()["code"]) == (409, "no_ticket_waiting")


def test_calling_needs_a_signed_in_officer_and_one_ticket_at_a_time(hall):
    take(hall, group="market")
    take(hall, group="market")
    client = officer(hall.both)
    window = hall.windows[0].pk
    not_in = client.post(f"/api/v1/hall/windows/{window}/call-next/")
    assert (not_in.status_code, not_in.json()["code"]) == (409, "not_signed_in")
    client.post(f"/api/v1/hall/windows/{window}/sign-in/")
    taken = officer(hall.market_only).post(f"/api/v1/hall/windows/{window}/sign-in/")
    assert (taken.status_code, taken.json()["code"]) == (409, "window_taken")
    first = client.post(f"/api/v1/hall/windows/{window}/call-next/").json()["ticket"]
    busy = client.post(f"/api/v1/hall/windows/{window}/call-next/")
    assert (busy.status_code, busy.json()["code"]) == (409, "ticket_in_service")
    assert client.post(f"/api/v1/hall/tickets/{first['id']}/complete/", {"outcome": "told_missing"}, format="json").status_code == 200
    twice = client.post(f"/api/v1/hall/tickets/{first['id']}/complete/", {"outcome": "told_missing"}, format="json")
    assert (twice.status_code, twice.json()["code"]) == (409, "ticket_state")
    resident = officer(make_resident())
    assert resident.post(f"/api/v1/hall/windows/{window}/call-next/").status_code == 403


def test_recall_no_show_requeue_and_the_screens_feed(hall, frozen_clock):
    ticket_id = take(hall, group="market").json()["id"]
    client = officer(hall.both)
    window = hall.windows[2].pk
    client.post(f"/api/v1/hall/windows/{window}/sign-in/")
    client.post(f"/api/v1/hall/windows/{window}/call-next/")
    assert client.post(f"/api/v1/hall/tickets/{ticket_id}/recall/").json()["state"] == "called"
    assert client.post(f"/api/v1/hall/tickets/{ticket_id}/no-show/").json()["state"] == "no_show"
    frozen_clock.advance(minutes=10)
    back = client.post(f"/api/v1/hall/tickets/{ticket_id}/requeue/").json()
    assert (back["state"], back["number"]) == ("waiting", "A001")
    screen = APIClient()
    screen.credentials(HTTP_AUTHORIZATION=f"Device {hall.screen_token}")
    feed = screen.get("/api/v1/hall/sites/FX-CENTRE/calls/?after=0").json()
    assert [(call["number"], call["window"], call["text"]) for call in feed["calls"]] == [
        ("A001", "3", "请A001号到3号窗口办理"), ("A001", "3", "请A001号到3号窗口办理")]
    assert feed["waiting"] == {"A": 1}
    latest = feed["calls"][-1]["id"]
    assert screen.get(f"/api/v1/hall/sites/FX-CENTRE/calls/?after={latest}").json()["calls"] == []
    assert screen.get("/api/v1/hall/sites/FX-CENTRE/calls/?after=x").json()["code"] == "bad_after"
    assert APIClient().get("/api/v1/hall/sites/FX-CENTRE/calls/").status_code == 401
    client.post(f"/api/v1/hall/windows/{window}/call-next/")
    frozen_clock.advance(minutes=1)
    client.post(f"/api/v1/hall/tickets/{ticket_id}/no-show/")
    frozen_clock.advance(minutes=31)
    late = client.post(f"/api/v1/hall/tickets/{ticket_id}/requeue/")
    assert (late.status_code, late.json()["code"]) == (409, "requeue_too_late")


def test_transfer_keeps_the_take_time_and_needs_an_open_window_for_the_group(hall, frozen_clock):
    take(hall, group="market")
    frozen_clock.advance(minutes=5)
    take(hall, group="social")
    market_only, both = officer(hall.market_only), officer(hall.both)
    market_only.post(f"/api/v1/hall/windows/{hall.windows[0].pk}/sign-in/")
    ticket = market_only.post(f"/api/v1/hall/windows/{hall.windows[0].pk}/call-next/").json()["ticket"]
    closed = market_only.post(f"/api/v1/hall/tickets/{ticket['id']}/transfer/", {"group": "social"}, format="json")
    assert (closed.status_code, closed.json()["code"]) == (409, "no_open_window")
    both.post(f"/api/v1/hall/windows/{hall.windows[1].pk}/sign-in/")
    moved = market_only.post(f"/api/v1/hall/tickets/{ticket['id']}/transfer/", {"group": "social"}, format="json").json()
    assert (moved["state"], moved["group"], moved["number"]) == ("waiting", "social", "A001")
    # Taken before B001, it is called first in its new queue.
    assert both.post(f"/api/v1/hall/windows/{hall.windows[1].pk}/call-next/").json()["ticket"]["number"] == "A001"


def test_sites_and_windows_are_listed(hall):
    sites = APIClient().get("/api/v1/hall/sites/").json()
    assert [site["code"] for site in sites] == ["FX-CENTRE", "FX-NANQIAO"]
    assert [g["prefix"] for g in sites[0]["groups"]] == ["A", "B"]
    officer(hall.both).post(f"/api/v1/hall/windows/{hall.windows[0].pk}/sign-in/")
    windows = APIClient().get("/api/v1/hall/sites/FX-CENTRE/windows/").json()
    assert [(w["code"], w["kind"], w["state"]) for w in windows] == [
        ("1", "comprehensive", "staffed"), ("2", "comprehensive", "open"), ("3", "comprehensive", "open")]
    assert APIClient().get("/api/v1/hall/sites/NOPE/windows/").json()["code"] == "site_not_found"
