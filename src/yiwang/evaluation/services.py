"""Building the daily aggregates from the platform's records (the nightly job and `yiwang evaluation rebuild`).

`rebuild(since=, until=)` replaces the rows of those days in one transaction: a dashboard read
during a rebuild sees the old figures or the new ones, never half. Each figure is one grouped
query over its records (cases by submission and decision day, deliveries, materials, ratings,
tickets, messages, bundles), so the cost grows with the period's records, not with history.
Days are Shanghai calendar days.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DateField, F, Q
from django.db.models.functions import Coalesce, TruncDate

from yiwang.applications import constants as case_states
from yiwang.applications.models import Case, CaseEvent, CaseMaterial
from yiwang.bundles.models import BundleCase
from yiwang.core import clock
from yiwang.evaluation.indicators import COUNTERS
from yiwang.evaluation.models import DailyFigure, DailyHandlingTime
from yiwang.hall import constants as hall_states
from yiwang.hall.models import Ticket
from yiwang.notifications.models import Delivery
from yiwang.ratings import rules as rating_rules
from yiwang.ratings.models import Rating
from yiwang.workcalendar.selectors import current_calendar

logger = logging.getLogger("yiwang.evaluation")
ONLINE_CHANNELS = (case_states.CHANNEL_ONLINE, case_states.CHANNEL_MOBILE)
MAX_DAYS = 3660  # ten years in one rebuild is plenty; more is a typo


def _day(field: str):
    return TruncDate(field, tzinfo=clock.LEGAL_TIME_ZONE)


def _instants(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(since, dt.time(), tzinfo=clock.LEGAL_TIME_ZONE)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=clock.LEGAL_TIME_ZONE)
    return start, end


class _Figures:
    """Counters keyed by (day, department, item, site), added to from each source."""

    def __init__(self):
        self.rows: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))

    def add(self, day, department, item, site, **counts) -> None:
        row = self.rows[(day, department, item, site)]
        for name, value in counts.items():
            row[name] += int(value or 0)


def _submitted(figures: _Figures, start, end) -> None:
    found = (Case.objects.filter(submitted_at__gte=start, submitted_at__lt=end).annotate(day=_day("submitted_at"))
             .values("day", "department_id", "item_id")
             .annotate(submitted=Count("id"), online=Count("id", filter=Q(channel__in=ONLINE_CHANNELS)),
                       at_mobile=Count("id", filter=Q(channel=case_states.CHANNEL_MOBILE)),
                       fully_online=Count("id", filter=Q(channel__in=ONLINE_CHANNELS, item__online_depth=4)),
                       at_window=Count("id", filter=Q(channel=case_states.CHANNEL_WINDOW)),
                       at_kiosk=Count("id", filter=Q(channel=case_states.CHANNEL_KIOSK)),
                       from_partner=Count("id", filter=Q(channel=case_states.CHANNEL_PARTNER)),
                       bundle_members=Count("id", filter=Q(in_bundle=True))).order_by())
    for row in found:
        day, department, item = row.pop("day"), row.pop("department_id"), row.pop("item_id")
        figures.add(day, department, item, None, **row)


def _decided(figures: _Figures, handling: dict, start, end) -> None:
    calendar = current_calendar()
    found = (Case.objects.filter(decided_at__gte=start, decided_at__lt=end)
             .annotate(day=_day("decided_at"), due=Coalesce("promised_due", "statutory_due", output_field=DateField()))
             .values("day", "department_id", "item_id", "accepted_on", "item__promised_limit_value", "item__promised_limit_unit",
                     "item__statutory_limit_value", "item__statutory_limit_unit")
             .annotate(decided=Count("id"), on_time=Count("id", filter=Q(due__gte=F("day"))),
                       late=Count("id", filter=Q(due__lt=F("day"))),
                       at_window=Count("id", filter=Q(channel=case_states.CHANNEL_WINDOW)),
                       picked_up=Count("id", filter=Q(handover__method=hall_states.PICKUP))).order_by())
    working_days_cache: dict[tuple, int] = {}
    for row in found:
        day, department, item, accepted = row["day"], row["department_id"], row["item_id"], row["accepted_on"]
        decided = row["decided"]
        counts = {"decided": decided, "on_time": row["on_time"], "late": row["late"],
                  "visits": row["at_window"] + row["picked_up"]}
        if row["item__promised_limit_value"] == 0:
            counts["instant"] = decided
        if (row["item__promised_limit_unit"] == row["item__statutory_limit_unit"] == "working_day"
                and row["item__promised_limit_value"] is not None and row["item__statutory_limit_value"]):
            counts.update(promised_days=row["item__promised_limit_value"] * decided,
                          statutory_days=row["item__statutory_limit_value"] * decided, limits_counted=decided)
        if accepted is not None:
            key = (accepted, day)
            if key not in working_days_cache:
                working_days_cache[key] = calendar.working_days_between(accepted, day)[0] if day > accepted else 0
            took = working_days_cache[key]
            counts["handling_days"] = took * decided
            handling[(day, department, item, took)] += decided
        figures.add(day, department, item, None, **counts)


def _delivered(figures: _Figures, start, end) -> None:
    found = (CaseEvent.objects.filter(action="deliver", at__gte=start, at__lt=end).annotate(day=_day("at"))
             .values("day", "case__department_id", "case__item_id")
             .annotate(delivered=Count("id"),
                       delivered_electronically=Count("id", filter=~Q(case__handover__method__in=[hall_states.PICKUP, hall_states.MAIL])))
             .order_by())
    for row in found:
        figures.add(row["day"], row["case__department_id"], row["case__item_id"], None,
                    delivered=row["delivered"], delivered_electronically=row["delivered_electronically"])


def _materials(figures: _Figures, start, end) -> None:
    found = (CaseMaterial.objects.filter(case__submitted_at__gte=start, case__submitted_at__lt=end, superseded=False)
             .annotate(day=_day("case__submitted_at")).values("day", "case__department_id", "case__item_id")
             .annotate(materials=Count("id"), materials_shared=Count("id", filter=Q(source=case_states.SOURCE_REGISTRY)))
             .order_by())
    for row in found:
        figures.add(row["day"], row["case__department_id"], row["case__item_id"], None,
                    materials=row["materials"], materials_shared=row["materials_shared"])


def _ratings(figures: _Figures, since, until) -> None:
    bad = list(rating_rules.BAD_LEVELS)
    found = (Rating.objects.filter(rated_on__gte=since, rated_on__lte=until).exclude(appeal__state="upheld")
             .values("rated_on", "department_id", "item_id", "site_id")
             .annotate(rated=Count("id"), rated_good=Count("id", filter=Q(level__gte=rating_rules.SATISFIED)),
                       rated_bad=Count("id", filter=Q(level__in=bad)),
                       bad_real_name=Count("id", filter=Q(level__in=bad, rater__isnull=False)),
                       called_back=Count("id", filter=Q(level__in=bad, rater__isnull=False, rectification__called_back_at__isnull=False)),
                       rectified=Count("id", filter=Q(level__in=bad, rectification__state__in=list(rating_rules.RECTIFIED_STATES))))
             .order_by())
    for row in found:
        day, department, item, site = row.pop("rated_on"), row.pop("department_id"), row.pop("item_id"), row.pop("site_id")
        figures.add(day, department, item, site, **row)


def _tickets(figures: _Figures, since, until) -> None:
    target = settings.EVALUATION["wait_target_seconds"]
    found = Ticket.objects.filter(day__gte=since, day__lte=until, state=hall_states.DONE, called_at__isnull=False)
    for day, site, taken, called in found.values_list("day", "site_id", "taken_at", "called_at").iterator(chunk_size=5000):
        wait = max(0.0, (called - taken).total_seconds())
        figures.add(day, None, None, site, tickets_served=1, wait_seconds=round(wait), called_within_target=int(wait <= target))


def _messages(figures: _Figures, start, end) -> None:
    found = (Delivery.objects.filter(channel="sms", created_at__gte=start, created_at__lt=end).annotate(day=_day("created_at"))
             .values("day").annotate(sms=Count("id"), sms_within_10s=Count(
                 "id", filter=Q(sent_at__isnull=False, sent_at__lte=F("created_at") + dt.timedelta(seconds=10)))).order_by())
    for row in found:
        figures.add(row["day"], None, None, None, sms=row["sms"], sms_within_10s=row["sms_within_10s"])


def _bundles(figures: _Figures, start, end) -> None:
    found = (BundleCase.objects.filter(submitted_at__gte=start, submitted_at__lt=end).annotate(day=_day("submitted_at"))
             .values("day", "bundle__lead_department_id").annotate(bundle_cases=Count("id")).order_by())
    for row in found:
        figures.add(row["day"], row["bundle__lead_department_id"], None, None, bundle_cases=row["bundle_cases"])


def rebuild(*, since: dt.date, until: dt.date) -> dict:
    """Recompute the aggregates of the days since..until (inclusive); returns rows written and seconds."""
    if until < since:
        raise ValueError(f"the period ends ({until}) before it starts ({since})")
    if (until - since).days >= MAX_DAYS:
        raise ValueError(f"a rebuild covers at most {MAX_DAYS} days; split the period")
    began = time.perf_counter()
    start, end = _instants(since, until)
    figures, handling = _Figures(), defaultdict(int)
    _submitted(figures, start, end)
    _decided(figures, handling, start, end)
    _delivered(figures, start, end)
    _materials(figures, start, end)
    _ratings(figures, since, until)
    _tickets(figures, since, until)
    _messages(figures, start, end)
    _bundles(figures, start, end)
    with transaction.atomic():
        DailyFigure.objects.filter(day__gte=since, day__lte=until).delete()
        DailyHandlingTime.objects.filter(day__gte=since, day__lte=until).delete()
        DailyFigure.objects.bulk_create(
            [DailyFigure(day=day, department_id=department, item_id=item, site_id=site, **counts)
             for (day, department, item, site), counts in figures.rows.items()], batch_size=2000)
        DailyHandlingTime.objects.bulk_create(
            [DailyHandlingTime(day=day, department_id=department, item_id=item, working_days=took, cases=cases)
             for (day, department, item, took), cases in handling.items()], batch_size=2000)
    seconds = time.perf_counter() - began
    logger.info("evaluation: %s figure rows for %s..%s in %.2f s", len(figures.rows), since, until, seconds)
    return {"rows": len(figures.rows), "handling_rows": len(handling), "seconds": round(seconds, 3),
            "since": since.isoformat(), "until": until.isoformat()}


def rebuild_recent() -> dict:
    """The nightly run: the last `EVALUATION["recent_days"]` days up to yesterday (ratings' follow-up
    and late deliveries change recent days' figures, so they are recomputed until they settle)."""
    yesterday = clock.today() - dt.timedelta(days=1)
    return rebuild(since=yesterday - dt.timedelta(days=settings.EVALUATION["recent_days"] - 1), until=yesterday)


def _partner_answer(body) -> tuple[dt.date, dt.date, float | None, dict]:
    """The parts of a partner's published figures we keep; ValueError when the document is not one."""
    from yiwang.evaluation.indicators import BY_CODE

    if not isinstance(body, dict) or not isinstance(body.get("indicators"), list):
        raise ValueError("not a figures document (no indicators list)")
    score = body.get("score")
    if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 100):
        raise ValueError(f"score must be a number from 0 to 100 or null, got {score!r}")
    values = {}
    for row in body["indicators"]:
        if isinstance(row, dict) and row.get("code") in BY_CODE:
            value = row.get("value")
            if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
                values[row["code"]] = value
    try:
        return dt.date.fromisoformat(body["since"]), dt.date.fromisoformat(body["until"]), score, values
    except (KeyError, TypeError, ValueError):
        raise ValueError("since and until must be dates (YYYY-MM-DD)") from None


def fetch_partner_figures(*, timeout: float = 10.0) -> dict:
    """Ask every partner region with a figures address for the same period as our default; keep each
    good answer, and for a failure the error (the previous figures stay). Returns {region: "ok" | error}."""
    import httpx

    from yiwang.evaluation.models import PartnerDashboard
    from yiwang.evaluation.selectors import period_from

    period = period_from(None, None)
    outcome = {}
    for partner in PartnerDashboard.objects.select_related("region").exclude(url=""):
        try:
            response = httpx.get(partner.url, params={"from": period.since.isoformat(), "to": period.until.isoformat()},
                                 timeout=timeout)
            if response.status_code != 200:
                raise ValueError(f"answered {response.status_code}")
            since, until, score, values = _partner_answer(response.json())
        except (httpx.HTTPError, ValueError) as error:
            partner.last_error = f"{clock.now():%Y-%m-%d %H:%M}: {error}"[:300]
            partner.save(update_fields=["last_error"])
            outcome[partner.region.code] = str(error)
            logger.warning("evaluation: partner %s figures not fetched: %s", partner.region.code, error)
            continue
        partner.since, partner.until, partner.score, partner.values = since, until, score, values
        partner.fetched_at, partner.last_error = clock.now(), ""
        partner.save()
        outcome[partner.region.code] = "ok"
    return outcome
