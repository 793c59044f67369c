"""Pages of 好差评: rating a case or a visit, the window's evaluator, the departments' tasks,
and the reviewers' appeals. Each view checks who may look, then calls a selector or a service;
a refusal is shown on the same page, in the reader's language, with its HTTP status.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.accounts import constants as roles
from yiwang.accounts.permissions import applicant_required, staff_required
from yiwang.accounts.selectors import staff_department_ids
from yiwang.core import clock
from yiwang.applications.selectors import get_case_for
from yiwang.core.errors import DomainError, NotFound, ValidationFailed
from yiwang.core.i18n import error_text, say
from yiwang.core.identifiers import mask_phone
from yiwang.core.views import refusals_as_pages
from yiwang.hall.authentication import session_device
from yiwang.hall import constants as hall_states
from yiwang.ratings import constants as c
from yiwang.ratings import rules, selectors, services
from yiwang.ratings.models import Appeal

STAFF_ROLES = [*services.ACTING_ROLES, roles.ROLE_AUDITOR]


def _error_page(request, error: DomainError):
    return render(request, "ratings/error.html", {"message": error_text(error)}, status=error.status)


_refusals_as_pages = refusals_as_pages(_error_page)


def percent(rate: float | None) -> str:
    """A rate as a percentage with one decimal ("—" when there is nothing to count)."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _levels() -> list[tuple[int, str]]:
    return [(level, say(*names)) for level, names in rules.LEVELS.items()]


def _dimensions(kind: str) -> list[tuple[str, str]]:
    return [(name, say(*labels)) for name, labels in rules.DIMENSIONS[kind].items()]


def _posted_rating(request, kind: str) -> dict:
    return {
        "level": request.POST.get("level", ""),
        "scores": {name: request.POST.get(f"score_{name}", "") for name in rules.DIMENSIONS[kind]},
        "comment": request.POST.get("comment", ""),
    }


def _form_context(kind: str, posted: dict | None = None) -> dict:
    return {"levels": _levels(), "dimensions": _dimensions(kind), "posted": posted or {},
            "verdicts": [(key, say(*names)) for key, names in rules.VERDICTS.items()],
            "bad_levels": sorted(rules.BAD_LEVELS)}


def _scores_shown(rating) -> list[tuple[str, int]]:
    """A rating's indicator scores with their names (online or in person, as the rating was)."""
    kind = rules.ONLINE if rating.subject == c.SUBJECT_CASE else rules.IN_PERSON
    return [(say(*rules.DIMENSIONS[kind][name]), value) for name, value in rating.scores.items()]


def _panel_context(panel: selectors.RatingPanel) -> dict:
    rating, task = panel.rating, panel.rectification
    return {
        "panel": panel,
        "level_label": say(*rules.LEVELS[rating.level]) if rating else "",
        "scores_shown": _scores_shown(rating) if rating else [],
        "task_state": say(*rules.STATES[task.state]) if task else "",
        "task_outcome": say(*rules.OUTCOMES[task.outcome]) if task and task.outcome else "",
        "task_verdict": say(*rules.VERDICTS[task.verdict]) if task and task.verdict else "",
    }


def _channel(request) -> str:
    asked = request.POST.get("channel") or request.GET.get("channel") or c.CHANNEL_WEB
    return asked if asked in c.PERSON_CHANNELS else c.CHANNEL_WEB


# ---------------------------------------------------------------------------------------------
# A case (一事一评)
# ---------------------------------------------------------------------------------------------


def _render_case(request, case, *, error: str = "", posted: dict | None = None, status: int = 200):
    template = "ratings/_panel.html" if request.htmx and not request.htmx.boosted else "ratings/case.html"
    context = {"case": case, "subject": "case", "error": error, "channel": _channel(request),
               "action_url": f"/ratings/case/{case.pk}/", "verdict_url": f"/ratings/case/{case.pk}/verdict/",
               **_form_context(rules.ONLINE, posted), **_panel_context(selectors.case_panel(case))}
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@applicant_required
@_refusals_as_pages
def case_rating(request, case_id: int):
    """The applicant rates their ended case (reached from the case page, the notice's QR code or an SMS)."""
    case = get_case_for(request.user, case_id)
    if case.applicant_id != request.user.pk:
        raise Http404
    if request.method == "GET":
        return _render_case(request, case)
    posted = _posted_rating(request, rules.ONLINE)
    try:
        services.rate_case(person=request.user, case_id=case.pk, channel=_channel(request), **posted)
    except DomainError as refused:
        return _render_case(request, case, error=error_text(refused), posted=posted, status=refused.status)
    if request.htmx:
        return _render_case(request, case)
    return redirect("ratings:case", case_id=case.pk)


@require_POST
@applicant_required
@_refusals_as_pages
def case_verdict(request, case_id: int):
    """The applicant's verdict on how their bad rating was dealt with."""
    case = get_case_for(request.user, case_id)
    panel = selectors.case_panel(case)
    try:
        if panel.rectification is None or case.applicant_id != request.user.pk:
            raise NotFound("rectification_not_found", "整改任务不存在。", "Rectification not found.")
        services.give_verdict(person=request.user, task_id=panel.rectification.pk, verdict=request.POST.get("verdict", ""))
    except DomainError as refused:
        return _render_case(request, case, error=error_text(refused), status=refused.status)
    if request.htmx:
        return _render_case(request, case)
    return redirect("ratings:case", case_id=case.pk)


# ---------------------------------------------------------------------------------------------
# A hall visit (一次一评): the QR code on the printed ticket
# ---------------------------------------------------------------------------------------------


def _render_visit(request, ticket, token: str, *, error: str = "", posted: dict | None = None, status: int = 200):
    context = {"ticket": ticket, "subject": "visit", "error": error, "channel": c.CHANNEL_QR, "token": token,
               "action_url": f"/ratings/ticket/{ticket.pk}/?t={token}", "verdict_url": f"/ratings/ticket/{ticket.pk}/verdict/?t={token}",
               **_form_context(rules.IN_PERSON, posted), **_panel_context(selectors.visit_panel(ticket))}
    return render(request, "ratings/visit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@applicant_required
@_refusals_as_pages
def visit_rating(request, ticket_id: int):
    token = request.GET.get("t", "")
    ticket = selectors.visit_for(request.user, ticket_id, token)
    if request.method == "GET":
        return _render_visit(request, ticket, token)
    posted = _posted_rating(request, rules.IN_PERSON)
    try:
        services.rate_visit(ticket_id=ticket.pk, person=request.user, token=token, channel=c.CHANNEL_QR, **posted)
    except DomainError as refused:
        return _render_visit(request, ticket, token, error=error_text(refused), posted=posted, status=refused.status)
    return redirect(f"/ratings/ticket/{ticket.pk}/?t={token}")


@require_POST
@applicant_required
@_refusals_as_pages
def visit_verdict(request, ticket_id: int):
    token = request.GET.get("t", "")
    ticket = selectors.visit_for(request.user, ticket_id, token)
    panel = selectors.visit_panel(ticket)
    try:
        if panel.rectification is None:
            raise NotFound("rectification_not_found", "整改任务不存在。", "Rectification not found.")
        services.give_verdict(person=request.user, task_id=panel.rectification.pk, verdict=request.POST.get("verdict", ""))
    except DomainError as refused:
        return _render_visit(request, ticket, token, error=error_text(refused), status=refused.status)
    return redirect(f"/ratings/ticket/{ticket.pk}/?t={token}")


# ---------------------------------------------------------------------------------------------
# The window's evaluator (评价器): a tablet facing the resident, signed in as a hall device
# ---------------------------------------------------------------------------------------------


def _evaluator_device(request):
    device = session_device(request)
    if device is None or device.kind != hall_states.DEVICE_EVALUATOR:
        return None
    return device


def _render_evaluator(request, device, *, partial: bool, error: str = "", status: int = 200):
    state = selectors.evaluator_state(device)
    context = {"device": device, "state": state, "post": gettext(state.post) if state.post else "", "error": error,
               **_form_context(rules.IN_PERSON)}
    return render(request, "ratings/_evaluator.html" if partial else "ratings/evaluator.html", context, status=status)


@require_GET
def evaluator(request):
    device = _evaluator_device(request)
    if device is None:
        return render(request, "ratings/needs_evaluator.html", status=403)
    return _render_evaluator(request, device, partial=bool(request.htmx))


@require_POST
def evaluator_rate(request):
    device = _evaluator_device(request)
    if device is None:
        return render(request, "ratings/needs_evaluator.html", status=403)
    posted = _posted_rating(request, rules.IN_PERSON)
    try:
        ticket_id = int(request.POST.get("ticket", ""))
    except ValueError:
        return _render_evaluator(request, device, partial=bool(request.htmx), status=400,
                                 error=say("请先完成本次服务再评价。", "Finish this visit before rating it."))
    try:
        services.rate_visit(ticket_id=ticket_id, device=device, **posted)
    except DomainError as refused:
        return _render_evaluator(request, device, partial=bool(request.htmx), error=error_text(refused), status=refused.status)
    if request.htmx:
        return _render_evaluator(request, device, partial=True)
    return redirect("ratings:evaluator")


# ---------------------------------------------------------------------------------------------
# Staff: the departments' tasks and the reviewers' appeals
# ---------------------------------------------------------------------------------------------


def _task_row(task, today: dt.date) -> dict:
    subject, subject_en = selectors.subject_label(task.rating)
    return {"task": task, "subject": say(subject, subject_en), "level": say(*rules.LEVELS[task.rating.level]),
            "state": say(*rules.STATES[task.state]), "overdue": selectors.is_overdue(task, today)}


@require_GET
@staff_required(roles=STAFF_ROLES)
@_refusals_as_pages
def tasks(request):
    """The rectification tasks of the viewer's departments, overdue first, with the period's rates."""
    today = clock.today()
    show = request.GET.get("show", "open")
    found = selectors.tasks_visible_to(request.user)
    if show == "open":
        found = found.filter(state__in=list(rules.OPEN_STATES) + [rules.REPLIED])
    rows = sorted((_task_row(task, today) for task in found[:500]), key=lambda r: (not r["overdue"], r["task"].due_on))
    figures = selectors.summary(department_ids=staff_department_ids(request.user))
    rates = {"good": percent(figures.good_rate), "callback": percent(figures.callback_rate),
             "rectification": percent(figures.rectification_rate)}
    return render(request, "ratings/tasks.html", {"rows": rows, "show": show, "figures": figures, "rates": rates,
                                                  "may_review": selectors.may_review(request.user),
                                                  "appeals_waiting": selectors.pending_appeals().count()
                                                  if selectors.may_review(request.user) else 0})


def _render_task(request, task, *, error: str = "", status: int = 200, phone: str = ""):
    rating = task.rating
    subject, subject_en = selectors.subject_label(rating)
    rater = rating.rater
    return render(request, "ratings/task.html", {
        "task": task, "rating": rating, "subject": say(subject, subject_en), "error": error,
        "level": say(*rules.LEVELS[rating.level]), "state": say(*rules.STATES[task.state]),
        "overdue": selectors.is_overdue(task), "today": clock.today(),
        "rater_name": rater.masked_name if rater else say("（未实名）", "(not named)"),
        "rater_phone": phone or (mask_phone(rater.phone) if rater and rater.phone else ""),
        "phone_shown": bool(phone),
        "actions": rules.actions_from(task.state) if selectors.may_act(request.user, task) else [],
        "outcomes": [(key, say(*names)) for key, names in rules.OUTCOMES.items()],
        "outcome": say(*rules.OUTCOMES[task.outcome]) if task.outcome else "",
        "verdict": say(*rules.VERDICTS[task.verdict]) if task.verdict else "",
        "appeal": Appeal.objects.filter(rating=rating).first(),
        "events": [{"event": e, "action": say(*rules.ACTION_LABELS.get(e.action, (e.action, e.action))),
                    "from": say(*rules.STATES.get(e.from_state, ("", ""))),
                    "to": say(*rules.STATES.get(e.to_state, ("", "")))} for e in task.events.select_related("actor")],
        "scores_shown": _scores_shown(rating),
    }, status=status)


@require_GET
@staff_required(roles=STAFF_ROLES)
@_refusals_as_pages
def task_detail(request, task_id: int):
    return _render_task(request, selectors.task_for(request.user, task_id))


def _posted_version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _posted_date(text: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed("invalid_date", "日期格式应为 YYYY-MM-DD。", "Write the date as YYYY-MM-DD.") from None


@require_POST
@staff_required(roles=services.ACTING_ROLES)
@_refusals_as_pages
def task_action(request, task_id: int, action: str):
    """One step of a rectification at the version the page showed."""
    task = selectors.task_for(request.user, task_id)
    version = _posted_version(request)
    try:
        if action == "call-back":
            services.record_callback(officer=request.user, task_id=task.pk, reached=request.POST.get("reached") == "yes",
                                     notes=request.POST.get("notes", ""), version=version)
        elif action == "resolve":
            services.resolve(officer=request.user, task_id=task.pk, outcome=request.POST.get("outcome", ""),
                             reply=request.POST.get("reply", ""), fix_due_on=_posted_date(request.POST.get("fix_due_on", "")),
                             version=version)
        elif action == "finish-fix":
            services.finish_fix(officer=request.user, task_id=task.pk, reply=request.POST.get("reply", ""), version=version)
        elif action == "phone":
            return _render_task(request, task, phone=services.reveal_rater_phone(officer=request.user, task_id=task.pk))
        elif action == "appeal":
            services.file_appeal(officer=request.user, task_id=task.pk, reason=request.POST.get("reason", ""))
        else:
            raise Http404
    except DomainError as refused:
        task.refresh_from_db()
        return _render_task(request, task, error=error_text(refused), status=refused.status)
    return redirect("ratings:task", task_id=task.pk)


def _render_appeals(request, *, error: str = "", status: int = 200):
    rows = []
    for appeal in selectors.pending_appeals():
        subject, subject_en = selectors.subject_label(appeal.rating)
        rows.append({"appeal": appeal, "subject": say(subject, subject_en), "level": say(*rules.LEVELS[appeal.rating.level]),
                     "task_id": appeal.rating.rectification.pk})
    return render(request, "ratings/appeals.html", {"rows": rows, "error": error}, status=status)


@require_GET
@staff_required(roles=services.REVIEWER_ROLES)
@_refusals_as_pages
def appeals(request):
    return _render_appeals(request)


@require_POST
@staff_required(roles=services.REVIEWER_ROLES)
@_refusals_as_pages
def decide_appeal(request, appeal_id: int):
    decision = request.POST.get("decision", "")
    try:
        if decision not in ("uphold", "reject"):
            raise ValidationFailed("invalid_decision", "请选择申诉成立或不成立。", "Choose to uphold or reject the appeal.")
        services.decide_appeal(reviewer=request.user, appeal_id=appeal_id, upheld=decision == "uphold",
                               note=request.POST.get("note", ""))
    except DomainError as refused:
        return _render_appeals(request, error=error_text(refused), status=refused.status)
    return redirect("ratings:appeals")
