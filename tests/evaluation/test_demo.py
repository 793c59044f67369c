"""The demo's past: seeded once, the same every time, and the dashboard has figures at once."""

import datetime as dt

import pytest

from yiwang.evaluation import demo, selectors
from yiwang.evaluation.models import DailyFigure

pytestmark = pytest.mark.django_db


def test_the_demo_history_is_seeded_once_and_fills_the_dashboard(catalog):
    from yiwang.applications.models import Case
    from yiwang.ratings.models import Rating, Rectification

    made = demo.seed_demo_cases(days=10, per_day=20)
    # 6 working days (2–6 and 9 March) of 20 applications; of those 120, the 64 whose result came by yesterday.
    assert made == Case.objects.count() == 64
    assert demo.seed_demo_cases(days=10, per_day=20) == 0
    assert Case.objects.count() == made
    # Three in four rated, within three working days of the result: those rated by yesterday are there.
    assert Rating.objects.count() == 32
    assert Rectification.objects.count() == Rating.objects.filter(level__lte=2).count()
    assert DailyFigure.objects.filter(day__lt=dt.date(2026, 3, 10)).exists()
    found = selectors.figures(selectors.period_from(None, None))
    assert found.totals["decided"] == made and found.score is not None
    assert (found.totals["submitted"], found.totals["online"], found.totals["rated"]) == (64, 48, 32)
    assert {r.key for r in selectors.department_ranking(selectors.period_from(None, None))} >= {"SCJG", "GAZA"}
