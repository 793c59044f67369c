"""Reads for the staffing planner: the hall's own history as a planner input document.

The planner itself is pure (`planner`); this module is the one place it meets the database, through
the hall's public selector `hall.selectors.demand_history`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from yiwang.core import clock
from yiwang.core.errors import NotFound, ValidationFailed
from yiwang.hall import selectors as hall

__all__ = ["HISTORY_DAYS", "history_period", "history_request", "planning_sites"]

HISTORY_DAYS = 28  # four weeks: every weekday four times, short enough to follow a season
MAX_HISTORY_DAYS = 366


def planning_sites():
    """The sites a manager may plan, in a stable order."""
    return hall.active_sites().order_by("code")


def history_period(params) -> tuple[str, dt.date, dt.date]:
    """The site code and the period asked for: by default the four weeks before today.

    ValidationFailed for a missing site, a malformed date, or a period that ends after today, starts
    after it ends or is longer than a year.
    """
    site = (params.get("site") or "").strip()
    if not site:
        raise ValidationFailed("site_required", "请选择场所。", "Choose a site.")
    today = clock.today()
    try:
        day_to = dt.date.fromisoformat(params.get("to") or (today - dt.timedelta(days=1)).isoformat())
        day_from = dt.date.fromisoformat(params.get("from") or (day_to - dt.timedelta(days=HISTORY_DAYS - 1)).isoformat())
    except ValueError:
        raise ValidationFailed("bad_date", "日期格式应为 YYYY-MM-DD。", "Dates are written YYYY-MM-DD.") from None
    if day_to < day_from or (day_to - day_from).days >= MAX_HISTORY_DAYS:
        raise ValidationFailed("bad_period", "历史区间应为一年以内且起始不晚于截止。",
                               "The period must start no later than it ends and last at most a year.")
    if day_to > today:
        raise ValidationFailed("bad_period", "历史区间不能晚于今天。", "The period cannot end after today.")
    return site, day_from, day_to


def history_request(site_code: str, *, day_from: dt.date, day_to: dt.date, target: dict[str, Any],
                    english: bool = False) -> dict[str, Any]:
    """The site's demand over the period as a planner input document, with what it left out.

    One queue per service group: its mean tickets per hour of the day over the period's working
    days (an interval list, one value per hour from the first to the last hour anyone took a
    ticket) and the mean service time of the tickets it served. A group with tickets but none
    served yet has no service time to plan with: it is listed under ``skipped``. The queues carry
    the groups' English names with `english` (where a group has one). Raises NotFound for an
    unknown site.
    """
    site = hall.site_by_code(site_code)
    if site is None:
        raise NotFound("site_not_found", "没有这个场所。", "No such site.")
    history = hall.demand_history(site, day_from=day_from, day_to=day_to)
    queues, skipped = [], []
    for group in history["groups"]:
        if group["mean_service_minutes"] is None or group["mean_service_minutes"] <= 0:
            skipped.append({"group": group["code"], "name": group["name"], "name_en": group["name_en"],
                            "reason": "no_service_time"})
            continue
        name = group["name_en"] if english and group["name_en"] else group["name"]
        queues.append({"name": name, "group": group["code"], "arrivals_per_hour": group["arrivals_per_hour"],
                       "mean_service_minutes": group["mean_service_minutes"]})
    document = {"target": dict(target), "interval_minutes": 60, "queues": queues}
    return {"site": site.code, "from": day_from.isoformat(), "to": day_to.isoformat(),
            "working_days": history["working_days"], "hours": history["hours"], "document": document,
            "skipped": skipped}
