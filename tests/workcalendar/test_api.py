"""GET /api/v1/calendar/deadline — public, exact dates, specific error codes."""

from __future__ import annotations

import datetime as dt

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from yiwang.workcalendar import services
from yiwang.workcalendar.models import HolidaySchedule

URL = "/api/v1/calendar/deadline"
pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return APIClient()


def get(client, **params):
    return client.get(URL, params)


def test_working_days_across_national_day(client):
    # Mon Sep 28: Sep 29 (1), Sep 30 (2), Oct 1–7 off, Oct 8 (3), Oct 9 (4), Sat Oct 10 make-up (5),
    # Oct 12–16 (6–10).
    response = get(client, start="2026-09-28", working_days="10")
    assert response.status_code == 200
    assert response.json() == {"due": "2026-10-16", "provisional": False}


def test_working_days_across_spring_festival(client):
    # Thu Feb 12: Fri 13 (1), Sat 14 make-up (2), Feb 15–23 off, Tue 24 (3).
    assert get(client, start="2026-02-12", working_days="3").json() == {"due": "2026-02-24", "provisional": False}


def test_zero_days_is_the_start_itself(client):
    assert get(client, start="2026-10-03", working_days="0").json() == {"due": "2026-10-03", "provisional": False}


def test_calendar_days(client):
    # Sep 21 + 10 = Thu Oct 1, a holiday; Oct 1–7 off, so Thu Oct 8.
    response = get(client, start="2026-09-21", working_days="10", unit="calendar_day")
    assert response.json() == {"due": "2026-10-08", "provisional": False}
    explicit = get(client, start="2026-09-28", working_days="10", unit="working_day")
    assert explicit.json() == {"due": "2026-10-16", "provisional": False}
    # An empty unit (a form's blank select) means the default, working days.
    blank = get(client, start="2026-09-28", working_days="10", unit="")
    assert blank.json() == {"due": "2026-10-16", "provisional": False}


def test_into_2027_is_provisional_until_published(client):
    # Thu Dec 10 + 20 working days: Dec 11–31 give 15, Fri Jan 1 2027 (unknown) 16, Jan 4–7 17–20.
    assert get(client, start="2026-12-10", working_days="20").json() == {"due": "2027-01-07", "provisional": True}
    services.publish_schedule(year=2027, holidays=[(dt.date(2027, 1, 1), "元旦")], makeup_workdays=[])
    # Jan 1 off: Jan 4–8 are 16–20.
    assert get(client, start="2026-12-10", working_days="20").json() == {"due": "2027-01-08", "provisional": False}


def test_upper_bound_is_accepted(client):
    response = get(client, start="2026-01-05", working_days="3650")
    assert response.status_code == 200
    assert response.json()["provisional"] is True


def test_public_even_with_a_stale_token(client):
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = get(client, start="2026-09-28", working_days="10")
    assert response.status_code == 200
    assert response.json() == {"due": "2026-10-16", "provisional": False}


@pytest.mark.parametrize(
    "params,code",
    [
        ({"working_days": "10"}, "invalid_date"),
        ({"start": "", "working_days": "10"}, "invalid_date"),
        ({"start": "2026-02-30", "working_days": "10"}, "invalid_date"),
        ({"start": "20261001", "working_days": "10"}, "invalid_date"),
        ({"start": "2026-10-01T00:00", "working_days": "10"}, "invalid_date"),
        ({"start": "0999-01-01", "working_days": "10"}, "date_out_of_range"),
        ({"start": "9999-12-31", "working_days": "10"}, "date_out_of_range"),
        ({"start": "2026-09-28"}, "invalid_working_days"),
        ({"start": "2026-09-28", "working_days": ""}, "invalid_working_days"),
        ({"start": "2026-09-28", "working_days": "-1"}, "invalid_working_days"),
        ({"start": "2026-09-28", "working_days": "1.5"}, "invalid_working_days"),
        ({"start": "2026-09-28", "working_days": "ten"}, "invalid_working_days"),
        ({"start": "2026-09-28", "working_days": "+3"}, "invalid_working_days"),
        ({"start": "2026-09-28", "working_days": "3651"}, "invalid_working_days"),
        ({"start": "2026-09-28", "working_days": "99999999999999999999"}, "invalid_working_days"),
        ({"start": "2026-09-28", "working_days": "10", "unit": "month"}, "invalid_unit"),
        ({"start": "2026-09-28", "working_days": "10", "unit": "working_days"}, "invalid_unit"),
    ],
)
def test_bad_input_is_a_400_with_a_specific_code(client, params, code):
    response = client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert set(body) == {"code", "message", "message_en"}
    assert body["message"] and body["message_en"]


def test_invalid_working_days_message(client):
    body = get(client, start="2026-09-28", working_days="-1").json()
    assert body == {
        "code": "invalid_working_days",
        "message": "working_days 应为 0 至 3650 之间的整数。",
        "message_en": "working_days must be a whole number from 0 to 3650.",
    }


def test_only_get_is_allowed(client):
    response = client.post(URL, {"start": "2026-09-28", "working_days": "10"}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert HolidaySchedule.objects.count() == 0


def test_schema_documents_parameters_and_responses():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/calendar/deadline"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {"start", "working_days", "unit"}
    assert parameters["start"]["required"] is True
    assert parameters["start"]["schema"] == {"type": "string", "format": "date"}
    assert parameters["working_days"]["required"] is True
    assert sorted(parameters["unit"]["schema"]["enum"]) == ["calendar_day", "working_day"]
    assert set(operation["responses"]) == {"200", "400"}
    assert operation["security"] == [{}]
