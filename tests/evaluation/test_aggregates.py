"""The daily aggregates from real records: cases submitted and decided on different days, ratings,
hall visits; exact counters, the dashboard's figures, a rebuild that replaces, and bad periods."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tests.factories import make_staff
from tests.helpers import act, submitted_case
from yiwang.core.errors import ValidationFailed
from yiwang.evaluation import selectors, services
from yiwang.evaluation.models import DailyFigure, DailyHandlingTime
from yiwang.ratings import services as ratings

pytestmark = pytest.mark.django_db

TUE, WED, THU = dt.date(2026, 3, 10), dt.date(2026, 3, 11), dt.date(2026, 3, 12)


def _at(frozen_clock, day: dt.date, hour: int = 10):
    frozen_clock.set(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=frozen_clock.now().tzinfo))


@pytest.fixture
def district(catalog, resident, settings_media, frozen_clock):
    """Three online applications on Tuesday: one decided at once, one on Thursday (late: promised 0 days), one open;
    on Thursday the resident rates the first 非常不满意 and the second 非常满意."""
    officer = make_staff(role="window_officer", departments=["SCJG"])
    applicant, desk = APIClient(), APIClient()
    applicant.force_authenticate(resident)
    desk.force_authenticate(officer)
    first, second, _third = (submitted_case(applicant, key=f"eval-{n}") for n in range(3))
    for action in ("accept", "approve", "issue_result", "deliver"):
        first = act(desk, first, action).json()
    second = act(desk, second, "accept").json()
    _at(frozen_clock, THU)
    for action in ("approve", "issue_result"):
        second = act(desk, second, action).json()
    ratings.rate_case(person=resident, case_id=first["id"], level=1, comment="慢")
    ratings.rate_case(person=resident, case_id=second["id"], level=5)
    _at(frozen_clock, dt.date(2026, 3, 13))
    return officer


def test_counters_by_day_from_the_records(district):
    result = services.rebuild(since=TUE, until=THU)
    assert result["rows"] == 2 and result["handling_rows"] == 2  # Tuesday and Thursday: Wednesday has no record
    rows = {row.day: row for row in DailyFigure.objects.all()}
    tuesday, thursday = rows[TUE], rows[THU]
    assert (tuesday.submitted, tuesday.online, tuesday.fully_online, tuesday.at_window) == (3, 3, 3, 0)
    assert (tuesday.materials, tuesday.materials_shared) == (6, 0)
    assert (tuesday.decided, tuesday.instant, tuesday.on_time, tuesday.late, tuesday.handling_days) == (1, 1, 1, 0, 0)
    assert (tuesday.delivered, tuesday.delivered_electronically, tuesday.visits) == (1, 1, 0)
    assert (tuesday.promised_days, tuesday.statutory_days, tuesday.limits_counted) == (0, 3, 1)
    assert (thursday.decided, thursday.on_time, thursday.late, thursday.handling_days) == (1, 0, 1, 2)
    assert (thursday.rated, thursday.rated_good, thursday.rated_bad, thursday.bad_real_name, thursday.called_back) == (2, 1, 1, 1, 0)
    assert WED not in rows
    assert sorted(DailyHandlingTime.objects.values_list("day", "working_days", "cases")) == [(TUE, 0, 1), (THU, 2, 1)]


def test_the_period_figures_and_a_department_of_its_own(district):
    services.rebuild(since=TUE, until=THU)
    period = selectors.Period(TUE, THU)
    found = selectors.figures(period)
    assert {k: found.values[k] for k in ("online_rate", "on_time_rate", "overdue_rate", "instant_rate", "good_rate",
                                         "rectification_rate", "callback_rate", "time_reduction", "mean_handling_days",
                                         "material_reduction", "e_licence_rate")} == {
        "online_rate": 1.0, "on_time_rate": 0.5, "overdue_rate": 0.5, "instant_rate": 1.0, "good_rate": 0.5,
        "rectification_rate": 0.0, "callback_rate": 0.0, "time_reduction": 1.0, "mean_handling_days": 1.0,
        "material_reduction": 0.0, "e_licence_rate": 1.0}
    assert found.median_handling_days == 1.0
    # online 100, fully 100, on time 50, instant 100, time cut 100, materials 0, good 50, rectified 0.
    assert found.score == pytest.approx((15 * 100 + 15 * 100 + 15 * 50 + 10 * 100 + 10 * 100 + 0 + 15 * 50 + 0) / 100)
    ranking = selectors.department_ranking(period)
    assert [(r.key, r.rank, round(r.score, 2)) for r in ranking] == [("SCJG", 1, 65.0)]
    from yiwang.catalog.models import Department

    other = selectors.figures(period, department_id=Department.objects.get(code="GAZA").pk)
    assert other.values["online_rate"] is None and other.score is None


def test_follow_up_shows_after_the_next_rebuild_and_a_rebuild_replaces(district):
    services.rebuild(since=TUE, until=THU)
    from yiwang.ratings.models import Rectification

    task = Rectification.objects.get()
    ratings.record_callback(officer=district, task_id=task.pk, reached=True, notes="已联系")
    ratings.resolve(officer=district, task_id=task.pk, outcome="explained", reply="法定时限内")
    services.rebuild(since=TUE, until=THU)
    assert DailyFigure.objects.count() == 2
    found = selectors.figures(selectors.Period(TUE, THU))
    assert (found.values["callback_rate"], found.values["rectification_rate"]) == (1.0, 1.0)


def test_hall_visits_count_by_site_with_waits_against_the_target(catalog, frozen_clock):
    from yiwang.hall import services as hall
    from yiwang.hall.models import ServiceGroup, Site, Window

    site = Site.objects.create(code="FX-NANQIAO", name="南桥镇社区事务受理服务中心", kind="street",
                               opening_hours={str(d): [["09:00", "17:00"]] for d in range(1, 6)})
    group = ServiceGroup.objects.create(code="social", prefix="B", name="社保")
    window = Window.objects.create(site=site, code="1")
    officer = make_staff(role="window_officer", departments=["RSJSB"])
    from yiwang.hall.models import Qualification

    Qualification.objects.create(officer=officer, group=group)
    hall.sign_in(officer=officer, window_id=window.pk)
    for wait_minutes in (5, 20):
        ticket = hall.take_ticket(site=site, group=group, channel="machine")
        frozen_clock.advance(dt.timedelta(minutes=wait_minutes))
        hall.call_next(officer=officer, window_id=window.pk)
        hall.complete(officer=officer, ticket_id=ticket.pk, outcome="consultation")
    services.rebuild(since=TUE, until=TUE)
    row = DailyFigure.objects.get(site=site)
    assert (row.tickets_served, row.wait_seconds, row.called_within_target) == (2, 1500, 1)
    ranked = selectors.site_ranking(selectors.Period(TUE, TUE))
    assert [(r.key, r.score, r.values["mean_wait_minutes"]) for r in ranked] == [("FX-NANQIAO", 50.0, 12.5)]


def test_bad_periods_are_refused_with_a_clear_message():
    for since, until, code in (("2026-03-12", "2026-03-10", "period_reversed"), ("2026-13-01", None, "invalid_date"),
                               ("2016-01-01", "2026-12-31", "period_too_long")):
        with pytest.raises(ValidationFailed) as refused:
            selectors.period_from(since, until)
        assert refused.value.code == code
    assert selectors.period_from(None, None) == selectors.Period(dt.date(2026, 2, 8), dt.date(2026, 3, 9))
    with pytest.raises(ValueError):
        services.rebuild(since=THU, until=TUE)


def test_an_empty_period_has_no_figures_and_no_division_by_zero(db):
    services.rebuild(since=TUE, until=THU)
    found = selectors.figures(selectors.Period(TUE, THU))
    assert found.score is None and found.median_handling_days is None and found.values["good_rate"] is None
    assert selectors.department_ranking(selectors.Period(TUE, THU)) == []
