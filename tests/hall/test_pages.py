"""The hall's pages without a browser: device sign-in, who may see the machine and the screen,
the screen's feed, the officer's window with its refusals shown on it."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD, make_resident

pytestmark = pytest.mark.django_db


def device_client(token: str) -> Client:
    client = Client()
    answer = client.post("/hall/device/", {"token": token})
    assert answer.status_code == 302
    return client


def test_a_device_signs_in_with_its_token_and_lands_on_its_page(hall):
    machine = Client()
    answer = machine.post("/hall/device/", {"token": hall.machine_token})
    assert answer["Location"] == "/hall/FX-CENTRE/take/"
    wrong = Client().post("/hall/device/", {"token": "nope"}, follow=True)
    assert "设备令牌无效或已停用" in wrong.content.decode()
    screen = Client()
    assert screen.post("/hall/device/", {"token": hall.screen_token})["Location"] == "/hall/FX-CENTRE/screen/"


def test_the_machine_gives_a_number_and_refuses_what_it_must(hall):
    machine = device_client(hall.machine_token)
    page = machine.get("/hall/FX-CENTRE/take/").content.decode()
    assert "企业开办与市场准入" in page and "绿色通道" in page
    first = machine.post("/hall/FX-CENTRE/take/", {"group": hall.market.pk, "id_number": "31012019900307123X"})
    assert first.status_code == 200 and 'id="ticket-number">A001<' in first.content.decode()
    again = machine.post("/hall/FX-CENTRE/take/", {"group": hall.market.pk, "id_number": "31012019900307123X"})
    assert again.status_code == 409 and "您在该业务分组已有等候中的号码" in again.content.decode()
    assert machine.post("/hall/FX-CENTRE/take/", {}).status_code == 400
    assert machine.get("/hall/FX-NANQIAO/take/").status_code == 403  # another site's machine
    assert Client().get("/hall/FX-CENTRE/take/").status_code == 403
    phone = Client()
    phone.login(username=make_resident().username, password=PASSWORD)
    mine = phone.post("/hall/FX-CENTRE/take/", {"group": hall.social.pk, "priority": "green"})
    assert 'id="ticket-number">B001<' in mine.content.decode() and "绿色通道" not in mine.content.decode()


def test_the_screen_and_its_feed_are_for_the_screen_and_hall_staff(hall):
    screen = device_client(hall.screen_token)
    assert screen.get("/hall/FX-CENTRE/screen/").status_code == 200
    assert screen.get("/hall/FX-CENTRE/screen/feed/?after=0").json() == {"calls": [], "waiting": {}}
    assert screen.get("/hall/FX-CENTRE/screen/feed/?after=x").json()["code"] == "bad_after"
    assert Client().get("/hall/FX-CENTRE/screen/feed/").status_code == 403
    assert device_client(hall.machine_token).get("/hall/FX-CENTRE/screen/").status_code == 403


def test_the_officers_window_signs_in_calls_and_shows_refusals(hall):
    desk = Client()
    desk.login(username=hall.both.username, password=PASSWORD)
    assert "签到窗口" in desk.get("/hall/window/").content.decode()
    desk.post("/hall/window/sign-in/", {"window": hall.windows[1].pk})
    empty = desk.post("/hall/window/call-next/", {"window": hall.windows[1].pk}, follow=True).content.decode()
    assert "当前没有等候的号码" in empty
    device_client(hall.machine_token).post("/hall/FX-CENTRE/take/", {"group": hall.social.pk})
    called = desk.post("/hall/window/call-next/", {"window": hall.windows[1].pk}, follow=True).content.decode()
    assert "已呼叫 B001 号" in called and 'class="ticket-number">B001<' in called
    resident = Client()
    resident.login(username=make_resident().username, password=PASSWORD)
    assert resident.get("/hall/window/").status_code == 403
    assert desk.post("/hall/window/nonsense/").status_code == 404


def test_a_resident_books_checks_in_and_cancels_on_the_appointments_page(hall, frozen_clock):
    import datetime as dt

    from yiwang.core.clock import LEGAL_TIME_ZONE
    from yiwang.hall.models import Appointment, SlotCapacity

    SlotCapacity.objects.create(site=hall.site, group=hall.market, per_slot=1)
    resident = make_resident()
    page = Client()
    page.login(username=resident.username, password=PASSWORD)
    listing = page.get(f"/hall/appointments/?site=FX-CENTRE&group={hall.market.pk}").content.decode()
    assert listing.count('class="slot"') == 5 * 16
    booked = page.post("/hall/appointments/", {"site": "FX-CENTRE", "group": hall.market.pk, "day": "2026-03-11",
                                                "start": "09:30"}, follow=True).content.decode()
    assert "预约成功" in booked and "09:30–10:00" in booked
    again = page.post("/hall/appointments/", {"site": "FX-CENTRE", "group": hall.market.pk, "day": "2026-03-11",
                                               "start": "10:00"}, follow=True).content.decode()
    assert "您当天已预约该业务" in again
    appointment = Appointment.objects.get(person=resident)
    frozen_clock.set(dt.datetime(2026, 3, 11, 9, 20, tzinfo=LEGAL_TIME_ZONE))
    checked = page.post("/hall/appointments/", {"action": "check-in", "appointment": appointment.pk}, follow=True)
    assert "签到成功，您的号码是 A001" in checked.content.decode()
    assert Client().get("/hall/appointments/").status_code == 302  # to the login page
    staff = Client()
    staff.login(username=hall.both.username, password=PASSWORD)
    assert staff.get("/hall/appointments/").status_code == 403
