"""The hall of tests/hall (one site, groups A and B) with a little history for the planner."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.hall.conftest import hall  # noqa: F401  (the fixture)
from yiwang.core import clock


@pytest.fixture
def history(hall, frozen_clock):  # noqa: F811
    """Monday 2026-03-09: four market tickets from 09:30, two served (12 and 8 minutes); one social
    ticket at 10:15 still waiting, so group B has arrivals but no service time."""
    from yiwang.hall import services

    frozen_clock.set(dt.datetime(2026, 3, 9, 9, 30, tzinfo=clock.LEGAL_TIME_ZONE))
    window = hall.windows[0].pk
    services.sign_in(officer=hall.both, window_id=window)
    for _ in range(4):
        services.take_ticket(site=hall.site, group=hall.market, channel="machine")
    frozen_clock.advance(dt.timedelta(minutes=5))
    first = services.call_next(officer=hall.both, window_id=window)
    frozen_clock.advance(dt.timedelta(minutes=12))
    services.complete(officer=hall.both, ticket_id=first.pk, outcome="consultation")
    second = services.call_next(officer=hall.both, window_id=window)
    frozen_clock.advance(dt.timedelta(minutes=8))
    services.complete(officer=hall.both, ticket_id=second.pk, outcome="consultation")
    frozen_clock.set(dt.datetime(2026, 3, 9, 10, 15, tzinfo=clock.LEGAL_TIME_ZONE))
    services.take_ticket(site=hall.site, group=hall.social, channel="machine")
    frozen_clock.set(dt.datetime(2026, 3, 10, 10, 0, tzinfo=clock.LEGAL_TIME_ZONE))
    return hall
