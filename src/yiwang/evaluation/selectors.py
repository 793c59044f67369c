"""Reads of the evaluation figures: a period's indicators for a scope, the daily trend, and the
rankings of departments and hall sites. Every read sums the daily aggregates (`DailyFigure`), so
its cost follows the period's days and scopes, not the number of cases behind them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Sum

from yiwang.catalog.models import Department
from yiwang.core import clock
from yiwang.core.errors import ValidationFailed
from yiwang.evaluation import indicators
from yiwang.evaluation.models import DailyFigure, DailyHandlingTime
from yiwang.hall.models import Site

DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 3660
_SUMS = {name: Sum(name) for name in indicators.COUNTERS}


@dataclass(frozen=True)
class Period:
    since: dt.date
    until: dt.date

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1


def period_from(raw_since: str | None, raw_until: str | None) -> Period:
    """The period asked for (YYYY-MM-DD, both ends included); by default the 30 days to yesterday."""
    try:
        until = dt.date.fromisoformat(raw_until) if raw_until else clock.today() - dt.timedelta(days=1)
        since = dt.date.fromisoformat(raw_since) if raw_since else until - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    except ValueError:
        raise ValidationFailed("invalid_date", "日期格式应为 YYYY-MM-DD。", "Write dates as YYYY-MM-DD.") from None
    if until < since:
        raise ValidationFailed("period_reversed", "结束日期早于开始日期。", "The period ends before it starts.")
    if (until - since).days >= MAX_PERIOD_DAYS:
        raise ValidationFailed("period_too_long", f"查询期间最长 {MAX_PERIOD_DAYS} 天。", f"A period is at most {MAX_PERIOD_DAYS} days.")
    return Period(since, until)


def _rows(period: Period, **scope):
    return DailyFigure.objects.filter(day__gte=period.since, day__lte=period.until, **scope)


def _clean(row: dict) -> dict[str, int]:
    return {name: int(row.get(name) or 0) for name in indicators.COUNTERS}


@dataclass(frozen=True)
class Figures:
    totals: dict[str, int]
    values: dict[str, float | None]
    median_handling_days: float | None
    score: float | None


def figures(period: Period, *, department_id: int | None = None, item_id: int | None = None) -> Figures:
    """The period's counters and indicators (all departments unless one is named)."""
    scope = {k: v for k, v in (("department_id", department_id), ("item_id", item_id)) if v is not None}
    totals = _clean(_rows(period, **scope).aggregate(**_SUMS))
    handled = (DailyHandlingTime.objects.filter(day__gte=period.since, day__lte=period.until, **scope)
               .values("working_days").annotate(cases=Sum("cases")).order_by())
    found = indicators.values(totals)
    return Figures(totals=totals, values=found,
                   median_handling_days=indicators.median_of_histogram({r["working_days"]: r["cases"] for r in handled}),
                   score=indicators.composite(found, settings.EVALUATION["weights"]))


def trend(period: Period, codes: list[str]) -> list[tuple[dt.date, dict[str, float | None]]]:
    """Each day of the period with the named indicators' values (days without records included, as None)."""
    by_day = {row.pop("day"): _clean(row) for row in _rows(period).values("day").annotate(**_SUMS).order_by()}
    days = []
    for n in range(period.days):
        day = period.since + dt.timedelta(days=n)
        totals = by_day.get(day)
        days.append((day, {code: (indicators.BY_CODE[code].value(totals) if totals else None) for code in codes}))
    return days


@dataclass(frozen=True)
class RankRow:
    key: str
    label: str
    label_en: str
    score: float | None
    rank: int | None
    values: dict[str, float | None]
    totals: dict[str, int]


def _ranked(groups: dict[str, tuple[str, str, dict[str, int]]], weights) -> list[RankRow]:
    """{key: (name, English name, summed counters)} ranked by the composite of `weights`, best first."""
    computed = {key: indicators.values(totals) for key, (_, _, totals) in groups.items()}
    order = indicators.rank((key, groups[key][0], indicators.composite(computed[key], weights)) for key in groups)
    return [RankRow(r.key, r.label, groups[r.key][1], r.score, r.rank, computed[r.key], groups[r.key][2]) for r in order]


def department_ranking(period: Period) -> list[RankRow]:
    """Departments with any record in the period, best composite first."""
    sums = {row["department_id"]: _clean(row) for row in _rows(period).exclude(department_id=None)
            .values("department_id").annotate(**_SUMS).order_by()}
    names = {d.pk: (d.code, d.name, d.name_en or d.name) for d in Department.objects.filter(pk__in=sums)}
    return _ranked({names[pk][0]: (names[pk][1], names[pk][2], totals) for pk, totals in sums.items()},
                   settings.EVALUATION["weights"])


SITE_WEIGHTS = {"called_within_target": 50, "good_rate": 50}


def site_ranking(period: Period) -> list[RankRow]:
    """Hall sites (district centre, street centres) by the share called within the target and good ratings."""
    sums = {row["site_id"]: _clean(row) for row in _rows(period).exclude(site_id=None)
            .values("site_id").annotate(**_SUMS).order_by()}
    sites = {s.pk: s for s in Site.objects.filter(pk__in=sums)}
    return _ranked({sites[pk].code: (sites[pk].name, sites[pk].name_en or sites[pk].name, totals) for pk, totals in sums.items()},
                   SITE_WEIGHTS)


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    name_en: str
    score: float | None
    rank: int | None
    since: dt.date | None
    until: dt.date | None
    home: bool
    fetched_at: dt.datetime | None
    error: str


def region_ranking(period: Period, own_score: float | None) -> list[RegionRow]:
    """This platform's region (its composite for the period) and the partners' published scores, best first;
    empty when no partner publishes."""
    from yiwang.catalog.models import Region
    from yiwang.evaluation.models import PartnerDashboard

    partners = list(PartnerDashboard.objects.select_related("region").order_by("region__code"))
    if not partners:
        return []
    home = Region.objects.filter(is_home=True).first()
    rows = {}
    if home is not None:
        rows[home.code] = (home.name, home.name_en or home.name, own_score, period.since, period.until, True, None, "")
    for p in partners:
        rows[p.region.code] = (p.region.name, p.region.name_en or p.region.name, p.score, p.since, p.until, False,
                               p.fetched_at, p.last_error)
    order = indicators.rank((code, row[0], row[2]) for code, row in rows.items())
    return [RegionRow(r.key, rows[r.key][0], rows[r.key][1], r.score, r.rank, *rows[r.key][3:]) for r in order]


def home_region() -> dict:
    from yiwang.catalog.models import Region

    home = Region.objects.filter(is_home=True).first()
    return {"code": home.code, "name": home.name, "name_en": home.name_en} if home else {"code": "", "name": "", "name_en": ""}


def latest_day() -> dt.date | None:
    """The newest day the aggregates hold (the figures are as of then)."""
    row = DailyFigure.objects.order_by("-day").values_list("day", flat=True).first()
    return row


def published(period: Period, department_id: int | None = None) -> dict:
    """The published figures as plain data (the JSON and the CSV are made of it)."""
    found = figures(period, department_id=department_id)
    ranking = department_ranking(period)
    return {
        "region": home_region(),
        "since": period.since.isoformat(), "until": period.until.isoformat(),
        "score": found.score, "median_handling_days": found.median_handling_days,
        "indicators": [{"code": i.code, "name": i.name, "name_en": i.name_en, "formula": i.formula, "formula_en": i.formula_en, "unit": i.unit,
                        "value": found.values[i.code], "numerator": found.totals.get(i.numerator),
                        "denominator": found.totals.get(i.denominator) if i.denominator else None}
                       for i in indicators.INDICATORS],
        "departments": [{"code": r.key, "name": r.label, "name_en": r.label_en, "rank": r.rank, "score": r.score,
                         "values": r.values} for r in ranking],
        "sites": [{"code": r.key, "name": r.label, "rank": r.rank, "score": r.score, "values": r.values}
                  for r in site_ranking(period)],
    }
