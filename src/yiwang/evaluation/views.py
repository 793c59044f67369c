"""The evaluation dashboard: a page for leaders and a public page (公开) of the same figures, each
chart drawn as SVG on the server with its data table, and the figures as JSON and CSV."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from yiwang.accounts import constants as roles
from yiwang.accounts.permissions import staff_required
from yiwang.catalog.models import Department, ServiceItem
from yiwang.core.errors import DomainError, NotFound
from yiwang.core.i18n import english, error_text, say
from yiwang.core.views import refusals_as_pages
from yiwang.evaluation import charts, indicators, selectors

LEADER_ROLES = [roles.ROLE_LEADER, roles.ROLE_HALL_MANAGER, roles.ROLE_ADMINISTRATOR, roles.ROLE_AUDITOR]
HEADLINE = ["online_rate", "fully_online_rate", "on_time_rate", "time_reduction", "material_reduction", "good_rate",
            "rectification_rate", "mean_wait_minutes"]
TREND = ["online_rate", "on_time_rate", "good_rate"]
CHANNEL_SHARES = ["online_rate", "mobile_share", "window_share", "kiosk_share"]


def _error_page(request, error: DomainError):
    if request.path.endswith((".json", ".csv")):
        return JsonResponse(error.as_dict(), status=error.status)
    return render(request, "evaluation/error.html", {"message": error_text(error)}, status=error.status)


_refusals = refusals_as_pages(_error_page)


def shown(code: str, value: float | None) -> str:
    """An indicator's value as people read it: a percentage, days, minutes or a count; "—" for none."""
    if value is None:
        return "—"
    unit = indicators.BY_CODE[code].unit
    if unit == indicators.RATE:
        return f"{value * 100:.1f}%"
    if unit == indicators.DAYS:
        return say(f"{value:.1f} 个工作日", f"{value:.1f} working days")
    if unit == indicators.MINUTES:
        return say(f"{value:.1f} 分钟", f"{value:.1f} min")
    if indicators.BY_CODE[code].denominator is None:
        return f"{int(value)}"
    return f"{value:.2f}"


def _name(indicator) -> str:
    return say(indicator.name, indicator.name_en)


def _context(request, *, public: bool) -> dict:
    period = selectors.period_from(request.GET.get("from"), request.GET.get("to"))
    department = item = None
    if not public and request.GET.get("department"):
        department = Department.objects.filter(code=request.GET["department"]).first()
        if department is None:
            raise NotFound("department_not_found", "部门不存在。", "No such department.")
    if not public and request.GET.get("item"):
        item = ServiceItem.objects.filter(code=request.GET["item"].strip()).select_related("department").first()
        if item is None:
            raise NotFound("item_not_found", "事项不存在。", "No such item.")
    found = selectors.figures(period, department_id=department.pk if department else None, item_id=item.pk if item else None)
    rows = [{"indicator": i, "name": _name(i), "value": shown(i.code, found.values[i.code]), "formula": say(i.formula, i.formula_en),
             "raw": found.values[i.code]} for i in indicators.INDICATORS]
    headline = [row for row in rows if row["indicator"].code in HEADLINE]
    ranking = selectors.department_ranking(period)
    rank_rows = [{"row": r, "label": say(r.label, r.label_en), "score": "—" if r.score is None else f"{r.score:.1f}",
                  "values": {code: shown(code, r.values[code]) for code in settings.EVALUATION["weights"]}} for r in ranking]
    bars, bars_height = charts.bars([(row["label"], row["row"].score, row["score"]) for row in rank_rows[:15]], most=100)
    sites = selectors.site_ranking(period)
    site_rows = [{"row": r, "label": say(r.label, r.label_en), "score": "—" if r.score is None else f"{r.score:.1f}",
                  "wait": shown("mean_wait_minutes", r.values["mean_wait_minutes"]),
                  "within": shown("called_within_target", r.values["called_within_target"]),
                  "good": shown("good_rate", r.values["good_rate"])} for r in sites]
    channel_rows = [{"name": _name(indicators.BY_CODE[code]), "value": shown(code, found.values[code]), "raw": found.values[code]}
                    for code in CHANNEL_SHARES]
    channel_bars, channel_height = charts.bars([(row["name"], row["raw"], row["value"]) for row in channel_rows], most=1)
    days = selectors.trend(period, TREND)
    lines = [{"code": code, "name": _name(indicators.BY_CODE[code]),
              "line": charts.line([v[code] for _, v in days], [d.strftime("%m-%d") for d, _ in days])} for code in TREND]
    return {
        "public": public, "period": period, "figures": found, "rows": rows, "headline": headline,
        "score": "—" if found.score is None else f"{found.score:.1f}",
        "median_days": "—" if found.median_handling_days is None else say(f"{found.median_handling_days:.1f} 个工作日",
                                                                             f"{found.median_handling_days:.1f} working days"),
        "region_rows": [{"row": r, "label": say(r.name, r.name_en), "score": "—" if r.score is None else f"{r.score:.1f}"}
                        for r in selectors.region_ranking(period, found.score)] if department is None and item is None else [],
        "channel_rows": channel_rows, "channel_bars": channel_bars, "channel_height": channel_height,
        "rank_rows": rank_rows, "bars": bars, "bars_height": bars_height, "site_rows": site_rows,
        "days": [(d, {code: shown(code, v[code]) for code in TREND}) for d, v in days], "lines": lines,
        "trend_names": [_name(indicators.BY_CODE[code]) for code in TREND],
        "weights": [(_name(indicators.BY_CODE[code]), weight) for code, weight in settings.EVALUATION["weights"].items()],
        "department": department, "item": item, "departments": Department.objects.order_by("code") if not public else [],
        "latest": selectors.latest_day(), "chart_width": charts.WIDTH, "label_width": charts.LABEL_WIDTH,
    }


@require_GET
@_refusals
def public_dashboard(request):
    """公开: the district's figures for everyone, no sign-in."""
    return render(request, "evaluation/dashboard.html", _context(request, public=True))


@require_GET
@staff_required(roles=LEADER_ROLES)
@_refusals
def leader_dashboard(request):
    """Leaders' page: the same figures, per department on request, with every indicator's formula."""
    return render(request, "evaluation/dashboard.html", _context(request, public=False))


@require_GET
@_refusals
def public_json(request):
    period = selectors.period_from(request.GET.get("from"), request.GET.get("to"))
    return JsonResponse(selectors.published(period), json_dumps_params={"ensure_ascii": False})


@require_GET
@_refusals
def public_csv(request):
    period = selectors.period_from(request.GET.get("from"), request.GET.get("to"))
    data = selectors.published(period)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["scope", "code", "name", "value", "numerator", "denominator", "since", "until"])
    for row in data["indicators"]:
        writer.writerow(["district", row["code"], row["name_en" if english() else "name"], _csv(row["value"]),
                         row["numerator"], "" if row["denominator"] is None else row["denominator"], data["since"], data["until"]])
    for department in data["departments"]:
        for code in settings.EVALUATION["weights"]:
            writer.writerow([f"department:{department['code']}", code, indicators.BY_CODE[code].name, _csv(department["values"][code]),
                             "", "", data["since"], data["until"]])
        writer.writerow([f"department:{department['code']}", "composite", "综合得分", _csv(department["score"]), "", "",
                         data["since"], data["until"]])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="evaluation-{data["since"]}-{data["until"]}.csv"'
    return response


def _csv(value) -> str:
    return "" if value is None else (f"{value:.6f}" if isinstance(value, float) else str(value))
