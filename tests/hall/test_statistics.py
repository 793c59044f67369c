"""Hall statistics: the pure arithmetic, and the figures of a small day through the page, CSV and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.factories import PASSWORD, make_staff
from yiwang.core import clock
from yiwang.hall import services
from yiwang.hall import statistics as figures


def test_percentiles_interpolate_between_ranks():
    assert figures.percentile([], 50) is None
    assert figures.percentile([60.0], 90) == 60.0
    assert figures.percentile([10.0, 20.0, 30.0, 40.0], 50) == 25.0
    assert figures.percentile([10.0, 20.0, 30.0, 40.0], 90) == pytest.approx(37.0)


def test_spread_of_load_and_utilisation():
    assert figures.coefficient_of_variation([5, 5, 5]) == 0.0
    assert figures.coefficient_of_variation([2, 4]) == pytest.approx(1 / 3)
    assert figures.coefficient_of_variation([]) is None
    assert figures.utilisation(1800, 3600) == 0.5
    assert figures.utilisation(10, 0) is None


@pytest.fixture
def day(hall, frozen_clock):
    """Three tickets of group A: one served for 10 min after a 5 min wait, one called after 15 min and missed, one still waiting."""
    window = hall.windows[0].pk
    services.sign_in(officer=hall.both, window_id=window)
    for _ in range(3):
        services.take_ticket(site=hall.site, group=hall.market, channel="machine")
    frozen_clock.advance(dt.timedelta(minutes=5))
    first = services.call_next(officer=hall.both, window_id=window)
    frozen_clock.advance(dt.timedelta(minutes=10))
    services.complete(officer=hall.both, ticket_id=first.pk, outcome="consultation")
    second = services.call_next(officer=hall.both, window_id=window)
    services.no_show(officer=hall.both, ticket_id=second.pk)
    return hall


@pytest.mark.django_db
def test_the_day_by_group_through_the_api(day, frozen_clock):
    from rest_framework.test import APIClient

    manager = make_staff(role="hall_manager")
    client = APIClient()
    client.force_authenticate(manager)
    today = clock.today().isoformat()
    answer = client.get(f"/api/v1/hall/sites/FX-CENTRE/statistics/?from={today}&by=group")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["rows"] == [{"key": "A 企业开办与市场准入", "tickets": 3, "served": 1, "no_shows": 1, "abandoned": 0,
                             "wait_p50_seconds": 600.0, "wait_p90_seconds": 840.0, "service_mean_seconds": 600.0}]
    assert body["windows"] == [{"window": "1", "served": 1, "busy_seconds": 600.0, "utilisation": 0.021}]
    assert body["load_cv"] == 0.0
    refused = client.get("/api/v1/hall/sites/FX-CENTRE/statistics/?by=colour")
    assert (refused.status_code, refused.json()["code"]) == (400, "bad_dimension")
    officer = APIClient()
    officer.force_authenticate(day.both)
    assert officer.get("/api/v1/hall/sites/FX-CENTRE/statistics/").status_code == 403


@pytest.mark.django_db
def test_the_page_draws_its_chart_and_exports_csv(day, frozen_clock):
    manager = make_staff(role="hall_manager")
    web = Client()
    assert web.login(username=manager.username, password=PASSWORD)
    page = web.get("/hall/FX-CENTRE/statistics/?by=window")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "<rect" in html
    exported = web.get("/hall/FX-CENTRE/statistics/?by=group&format=csv")
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    lines = exported.content.decode("utf-8-sig").splitlines()
    assert lines == ["key,tickets,served,no_shows,abandoned,wait_p50_seconds,wait_p90_seconds,service_mean_seconds",
                     "A 企业开办与市场准入,3,1,1,0,600.0,840.0,600.0"]
    assert web.get("/hall/FX-CENTRE/statistics/?from=2026-13-01").status_code == 400


@pytest.mark.django_db
def test_the_sites_demand_history_for_the_planner(day, frozen_clock):
    """Per group and hour: tickets taken per working day, and the mean service time of those served."""
    from yiwang.hall import selectors

    today = clock.today()
    history = selectors.demand_history(day.site, day_from=today - dt.timedelta(days=6), day_to=today)
    assert (history["working_days"], history["hours"]) == (5, [10])
    assert history["groups"] == [{"code": "market", "prefix": "A", "name": "企业开办与市场准入", "name_en": "",
                                  "arrivals_per_hour": [0.6], "mean_service_minutes": 10.0, "served": 1}]
