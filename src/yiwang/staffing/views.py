"""The planner page in the back office (/staffing/): for hall managers and administrators.

GET shows the form, filled from a demo scenario (``?scenario=fengxian``) or from a site's history
(``?site=FX-CENTRE&from=…&to=…``), and plans it at once; POST plans what the form (or the JSON
pasted under it) says, adds a row, or also simulates the plan. Everything is a read: nothing is
stored. Refusals are the planner's own, shown above the form with the field marked.
"""

from __future__ import annotations

import json
import re

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from yiwang.accounts import constants as roles
from yiwang.accounts.permissions import staff_required
from yiwang.core.errors import DomainError, ValidationFailed
from yiwang.core.i18n import english, error_text, say
from yiwang.staffing import charts, planner, scenarios, selectors, webform
from yiwang.staffing.simulation import check_plan

SIMULATED_DAYS = 10
MAX_SIMULATED_PEOPLE = 300_000  # over the simulated days and both layouts: a few seconds at most


def _first_minute(text: str) -> int | None:
    """The day's first interval start in minutes after midnight, from the hidden HH:MM field."""
    try:
        hours, minutes = (int(part) for part in text.split(":"))
    except ValueError:
        return None
    return hours * 60 + minutes if 0 <= hours < 24 and 0 <= minutes < 60 else None


_QUEUE_PATH = re.compile(r"^queues\[(\d+)\](?:\.(name|arrivals_per_hour|mean_service_minutes))?")
_ROW_FIELDS = {"name": "name", "arrivals_per_hour": "arrivals", "mean_service_minutes": "service", None: "name"}


def _field_of(path: str, form: webform.PlannerForm) -> str:
    """The id of the input a refusal's JSON path points at (queues count the rows that are not blank)."""
    if path.startswith("target."):
        return path.removeprefix("target.")
    if path == "interval_minutes":
        return path
    match = _QUEUE_PATH.match(path)
    if not match:
        return ""
    filled = [n for n, row in enumerate(form.rows) if not row.blank]
    position = int(match.group(1))
    if position >= len(filled):
        return ""
    return f"row-{filled[position]}-{_ROW_FIELDS[match.group(2)]}"


def _simulate(request, result):
    people = sum(sum(q.arrivals_per_hour) * (request.interval_minutes or 480) / 60 for q in request.queues)
    if people * SIMULATED_DAYS * 2 > MAX_SIMULATED_PEOPLE:
        raise ValidationFailed("simulation_too_large", "需求过大，无法在页面上仿真；请用命令 yiwang staffing --simulate。",
                               "Too much demand to simulate on the page; use yiwang staffing --simulate.")
    return check_plan(request, result, replications=SIMULATED_DAYS, seed=0)


def _results(request, result, *, first_minute: int | None, comparison: dict | None, check) -> dict:
    body = result.as_dict()
    interval_mode = request.interval_minutes is not None
    series = [("dedicated", say("分设窗口", "Dedicated"), result.dedicated_total),
              ("pooled", say("综合窗口", "Pooled"), result.pooled_total)]
    if comparison:
        reported = comparison["reported"]
        series += [("reported_dedicated", say("报告：改革前", "Reported before"), reported["dedicated"]),
                   ("reported_pooled", say("报告：改革后", "Reported after"), reported["pooled"])]
    bars, bars_height = charts.total_bars(series)
    queues = []
    for queue in result.dedicated:
        peak = max(range(request.periods), key=lambda n: queue.periods[n].windows)
        measures = queue.periods[peak]
        queues.append({"name": queue.name, "arrivals": max(queue.arrivals_per_hour),
                       "service": queue.mean_service_minutes[peak], "load": measures.offered_load,
                       "windows": queue.windows, "service_level": queue.service_level(),
                       "mean_wait": measures.mean_wait_seconds})
    pooled_peak = max(range(request.periods), key=lambda n: result.pooled.periods[n].windows)
    pooled = {"arrivals": max(result.pooled.arrivals_per_hour), "service": result.pooled.mean_service_minutes[pooled_peak],
              "load": result.pooled.periods[pooled_peak].offered_load, "windows": result.pooled_total,
              "service_level": result.pooled.service_level(),
              "mean_wait": result.pooled.periods[pooled_peak].mean_wait_seconds}
    context = {
        "body": body, "output_json": json.dumps(body, ensure_ascii=False, indent=2),
        "dedicated_total": result.dedicated_total, "pooled_total": result.pooled_total, "saving": result.saving,
        "saving_percent": round(100 * result.saving / result.dedicated_total) if result.dedicated_total else None,
        "model": "erlang_a" if request.target.patience_minutes is not None else "erlang_c",
        "target": request.target, "target_minutes": request.target.wait_seconds / 60,
        "bars": bars, "bars_height": bars_height, "chart_width": charts.CHART_WIDTH,
        "queues": queues, "pooled": pooled, "interval_mode": interval_mode,
        "comparison": comparison, "check": check,
    }
    if comparison:
        context["assumptions"] = comparison["assumptions_en"] if english() else comparison["assumptions"]
    if interval_mode:
        labels = charts.interval_labels(request.periods, request.interval_minutes, first_minute)
        dedicated = body["intervals"]["dedicated"]["total"]
        pooled_counts = body["intervals"]["pooled"]["per_interval"]
        context.update(
            interval_minutes=request.interval_minutes, intervals=list(zip(labels, dedicated, pooled_counts)),
            columns=charts.interval_columns(labels, dedicated, pooled_counts),
            window_hours=(body["intervals"]["dedicated"]["window_hours"], body["intervals"]["pooled"]["window_hours"]),
        )
    return context


def _render(request, form: webform.PlannerForm, *, document: dict | None = None, first_minute: int | None = None,
            comparison: dict | None = None, simulate: bool = False, history: dict | None = None,
            json_text: str = "", refill: bool = False, refusal: DomainError | None = None):
    """Plan `document` (when given) and render the page; a refusal is shown at the top, status 400.

    With `refill` the form is rewritten from the document once it has passed (pasted JSON).
    """
    context = {"form": form, "json_text": json_text, "sites": selectors.planning_sites(), "history": history,
               "first_hour": "" if first_minute is None else f"{first_minute // 60:02d}:{first_minute % 60:02d}",
               "simulate": simulate, "scenario": "fengxian" if comparison else "",
               "history_days": selectors.HISTORY_DAYS}
    if refusal is None and document is not None:
        try:
            parsed = planner.parse_request(document)
            result = planner.plan(parsed)
            check = _simulate(parsed, result) if simulate else None
        except DomainError as exc:
            refusal = exc
        else:
            if refill:
                context["form"] = webform.form_from_document(document)
            context.update(_results(parsed, result, first_minute=first_minute, comparison=comparison, check=check))
    if refusal is not None:
        path = refusal.details.get("path", "") if isinstance(refusal.details, dict) else ""
        field = "" if json_text else _field_of(path, context["form"])
        row = re.match(r"^row-(\d+)-(\w+)$", field)
        context.update(error=error_text(refusal), error_code=refusal.code, error_field=field,
                       error_row=int(row.group(1)) if row else None, error_column=row.group(2) if row else "")
        return render(request, "staffing/planner.html", context, status=400)
    return render(request, "staffing/planner.html", context)


@require_http_methods(["GET", "POST"])
@staff_required(roles=[roles.ROLE_HALL_MANAGER, roles.ROLE_ADMINISTRATOR])
def planner_page(request):
    if request.method == "GET":
        if request.GET.get("scenario"):
            try:
                document = scenarios.scenario(request.GET["scenario"], english=english())
            except DomainError as exc:
                return _render(request, webform.PlannerForm(), refusal=exc)
            first = _first_minute(scenarios.HOURS[0])
            return _render(request, webform.form_from_document(document), document=document, first_minute=first,
                           comparison=scenarios.fengxian_comparison())
        if request.GET.get("site") is not None:
            try:
                site, day_from, day_to = selectors.history_period(request.GET)
                history = selectors.history_request(site, day_from=day_from, day_to=day_to,
                                                    target={"wait_seconds": 900, "service_level": 0.8}, english=english())
            except DomainError as exc:
                return _render(request, webform.PlannerForm(), refusal=exc)
            document = history["document"]
            first = history["hours"][0] * 60 if history["hours"] else None
            return _render(request, webform.form_from_document(document), history=history, first_minute=first,
                           document=document if document["queues"] else None)
        return _render(request, webform.PlannerForm())

    form = webform.PlannerForm.from_post(request.POST)
    first = _first_minute(request.POST.get("first_hour", ""))
    json_text = request.POST.get("json", "").strip()
    comparison = scenarios.fengxian_comparison() if request.POST.get("scenario") == "fengxian" else None
    if request.POST.get("action") == "add_row":
        return _render(request, form.with_extra_row(), first_minute=first, json_text=json_text)
    try:
        document = planner.load_request_json(json_text) if json_text else webform.document_from_form(form)
    except DomainError as exc:
        return _render(request, form, first_minute=first, json_text=json_text, refusal=exc)
    if comparison and document not in (scenarios.fengxian_request(), scenarios.fengxian_request(english=True)):
        comparison = None  # edited: the district's figures no longer describe it
    return _render(request, form, document=document, first_minute=first, comparison=comparison,
                   simulate=request.POST.get("simulate") == "on", json_text=json_text, refill=bool(json_text))
