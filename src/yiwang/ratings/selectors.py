"""Reads of 好差评: what a person may rate, the panels of the pages, the task lists, the rates.

The figures leave out ratings set aside by an upheld appeal (they stay in the record), and a
rate with nothing to count is None (shown as "—"), never 0 % or 100 %.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from yiwang.accounts import constants as roles
from yiwang.accounts.selectors import can_see_department, has_role, staff_department_ids
from yiwang.core import clock
from yiwang.core.errors import NotFound
from yiwang.hall import constants as hall_states
from yiwang.hall.models import Device, Ticket
from yiwang.hall.selectors import ticket_code
from yiwang.ratings import constants as c
from yiwang.ratings import rules
from yiwang.ratings.models import Appeal, Rating, Rectification
from yiwang.ratings.constants import ACTING_ROLES, RATEABLE_CASE_STATES, REVIEWER_ROLES

EVALUATOR_RECENT = dt.timedelta(minutes=10)  # a visit finished this recently is offered on the evaluator


def ticket_person(ticket: Ticket):
    """The person a ticket names: who took it on a phone, else the applicant of a case taken in under it."""
    if ticket.taken_by_id is not None and ticket.taken_by.kind != roles.KIND_STAFF:
        return ticket.taken_by
    case = ticket.cases.select_related("applicant").order_by("pk").first()
    return case.applicant if case else None


def holds_ticket(person, ticket: Ticket, token: str = "") -> bool:
    """Whether `person` may rate the visit: they hold the code printed with the ticket, or it names them."""
    if token and hmac.compare_digest(token.strip(), ticket_code(ticket.pk)):
        return True
    named = ticket_person(ticket)
    return named is not None and named.pk == person.pk


def may_act_on(officer, task: Rectification) -> bool:
    """Staff of the responsible department, or the hall's managers and administrators."""
    if has_role(officer, *REVIEWER_ROLES):
        return True
    return (has_role(officer, *ACTING_ROLES) and task.department_id is not None
            and can_see_department(officer, task.department_id))


def level_label(level: int, english: bool = False) -> str:
    return rules.LEVELS[level][1 if english else 0]


@dataclass(frozen=True)
class RatingPanel:
    """What the rating part of a case or visit page shows to its person."""

    can_rate: bool
    waiting_reason: str  # why not yet (zh), empty when rated or rateable
    waiting_reason_en: str
    rating: Rating | None
    rectification: Rectification | None
    can_give_verdict: bool


def _panel(rating: Rating | None, *, rateable: bool, waiting: tuple[str, str]) -> RatingPanel:
    task = Rectification.objects.filter(rating=rating).first() if rating is not None else None
    return RatingPanel(
        can_rate=rating is None and rateable,
        waiting_reason="" if rating is not None or rateable else waiting[0],
        waiting_reason_en="" if rating is not None or rateable else waiting[1],
        rating=rating, rectification=task,
        can_give_verdict=task is not None and task.state == rules.REPLIED,
    )


def case_panel(case) -> RatingPanel:
    """The case page's rating block (the caller has checked that the viewer is the applicant)."""
    rating = Rating.objects.filter(case=case).first()
    return _panel(rating, rateable=case.state in RATEABLE_CASE_STATES,
                  waiting=("办件办结后可在此评价。", "You can rate this case here once it has ended."))


def visit_for(person, ticket_id, token: str = "") -> Ticket:
    """A hall visit its person may see and rate: they hold the printed code, the ticket names them, or they rated it."""
    try:
        ticket = Ticket.objects.select_related("site", "group", "window", "officer", "taken_by").get(pk=int(ticket_id))
    except (Ticket.DoesNotExist, TypeError, ValueError):
        raise NotFound("ticket_not_found", "排队号不存在。", "Ticket not found.") from None
    rated = person.is_authenticated and Rating.objects.filter(ticket=ticket, rater=person).exists()
    if not (rated or holds_ticket(person, ticket, token)):
        raise NotFound("ticket_not_found", "排队号不存在。", "Ticket not found.")
    return ticket


def visit_panel(ticket: Ticket) -> RatingPanel:
    rating = Rating.objects.filter(ticket=ticket).first()
    return _panel(rating, rateable=ticket.state == hall_states.DONE,
                  waiting=("本次服务结束后可在此评价。", "You can rate this visit here once it has finished."))


# ---------------------------------------------------------------------------------------------
# The window's evaluator (评价器)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluatorState:
    window: object
    officer: object | None
    post: str  # the officer's post (a role's Chinese name; the page translates it)
    serving: Ticket | None  # called and being served now
    to_rate: Ticket | None  # just finished and not yet rated
    just_rated: Rating | None


def evaluator_state(device: Device) -> EvaluatorState:
    """The window the evaluator faces, its officer, and the visit to rate, if any."""
    window = device.window
    officer = window.officer if window is not None else None
    post = dict(roles.ROLES).get(officer.role, "") if officer is not None else ""
    serving = to_rate = just_rated = None
    if window is not None:
        tickets = Ticket.objects.filter(window=window).select_related("group")
        serving = tickets.filter(state__in=(hall_states.CALLED,)).order_by("-called_at").first()
        recent = tickets.filter(state=hall_states.DONE, finished_at__gte=clock.now() - EVALUATOR_RECENT).order_by("-finished_at")
        latest = recent.first()
        if latest is not None:
            rating = Rating.objects.filter(ticket=latest).first()
            if rating is None:
                to_rate = latest
            elif rating.created_at >= clock.now() - dt.timedelta(seconds=30):
                just_rated = rating
    return EvaluatorState(window=window, officer=officer, post=post, serving=serving, to_rate=to_rate,
                          just_rated=just_rated)


# ---------------------------------------------------------------------------------------------
# Staff: tasks and appeals
# ---------------------------------------------------------------------------------------------


def tasks_visible_to(user) -> QuerySet[Rectification]:
    """Rectifications of the user's departments (all for hall managers, administrators and auditors)."""
    base = Rectification.objects.select_related("rating", "rating__item", "rating__case", "rating__ticket", "department",
                                                "assignee")
    if not has_role(user, *ACTING_ROLES, roles.ROLE_AUDITOR):
        return base.none()
    scope = staff_department_ids(user)
    if scope is None:
        return base
    return base.filter(department_id__in=scope)


def task_for(user, task_id) -> Rectification:
    try:
        return tasks_visible_to(user).get(pk=int(task_id))
    except (Rectification.DoesNotExist, TypeError, ValueError):
        raise NotFound("rectification_not_found", "整改任务不存在。", "Rectification not found.") from None


def is_overdue(task: Rectification, today: dt.date | None = None) -> bool:
    return task.state in rules.OPEN_STATES and (today or clock.today()) > task.due_on


def may_act(user, task: Rectification) -> bool:
    return has_role(user, *ACTING_ROLES) and may_act_on(user, task)


def pending_appeals() -> QuerySet[Appeal]:
    return Appeal.objects.filter(state=c.APPEAL_PENDING).select_related("rating", "rating__item", "filed_by").order_by("filed_at")


def may_review(user) -> bool:
    return has_role(user, *REVIEWER_ROLES)


def subject_label(rating: Rating) -> tuple[str, str]:
    """What was rated, in Chinese and English: the item of a case, or the visit's number and group."""
    if rating.case_id is not None:
        case = rating.case
        item = case.item
        return (f"{item.name}（{case.number}）", f"{item.name_en or item.name} ({case.number})")
    ticket = rating.ticket
    return (f"现场服务 {ticket.number}（{ticket.group.name}）", f"hall visit {ticket.number} ({ticket.group.name_en or ticket.group.name})")


def message_variables(task: Rectification) -> dict[str, str]:
    rating = task.rating
    subject, subject_en = subject_label(rating)
    department = task.department
    outcome = rules.OUTCOMES.get(task.outcome, ("", ""))
    return {
        "subject": subject, "subject_en": subject_en,
        "level": level_label(rating.level), "level_en": level_label(rating.level, english=True),
        "due": task.due_on.isoformat(),
        "department": department.name if department else "服务大厅",
        "department_en": (department.name_en or department.name) if department else "the service hall",
        "reply": task.reply or "—", "outcome": outcome[0], "outcome_en": outcome[1],
    }


# ---------------------------------------------------------------------------------------------
# Rates
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingSummary:
    total: int
    good: int  # 非常满意 and 满意
    fair: int
    bad: int
    defaulted: int
    set_aside: int  # upheld appeals, not in the other figures
    bad_real_name: int
    called_back: int  # of the real-name bad ones
    rectified: int  # of the bad ones: answered (fixed or explained)
    good_rate: float | None  # 好评率: good / total
    callback_rate: float | None  # 实名差评回访率: called_back / bad_real_name
    rectification_rate: float | None  # 差评整改率: rectified / bad
    overdue: int


def summary(*, since: dt.date | None = None, until: dt.date | None = None,
            department_ids: set[int] | None = None) -> RatingSummary:
    """The 好差评 figures of a period (rated_on), for some departments or all."""
    ratings = Rating.objects.all()
    if since is not None:
        ratings = ratings.filter(rated_on__gte=since)
    if until is not None:
        ratings = ratings.filter(rated_on__lte=until)
    if department_ids is not None:
        ratings = ratings.filter(department_id__in=department_ids)
    set_aside = ratings.filter(appeal__state=c.APPEAL_UPHELD).count()
    counted = ratings.exclude(appeal__state=c.APPEAL_UPHELD)
    bad_levels = list(rules.BAD_LEVELS)
    row = counted.aggregate(
        total=Count("id"),
        good=Count("id", filter=Q(level__gte=rules.SATISFIED)),
        fair=Count("id", filter=Q(level=rules.FAIRLY_SATISFIED)),
        bad=Count("id", filter=Q(level__in=bad_levels)),
        defaulted=Count("id", filter=Q(defaulted=True)),
        bad_real_name=Count("id", filter=Q(level__in=bad_levels, rater__isnull=False)),
        called_back=Count("id", filter=Q(level__in=bad_levels, rater__isnull=False,
                                         rectification__called_back_at__isnull=False)),
        rectified=Count("id", filter=Q(level__in=bad_levels, rectification__state__in=list(rules.RECTIFIED_STATES))),
        overdue=Count("id", filter=Q(rectification__state__in=list(rules.OPEN_STATES),
                                     rectification__due_on__lt=clock.today())),
    )
    return RatingSummary(
        total=row["total"], good=row["good"], fair=row["fair"], bad=row["bad"], defaulted=row["defaulted"],
        set_aside=set_aside, bad_real_name=row["bad_real_name"], called_back=row["called_back"], rectified=row["rectified"],
        good_rate=rules.rate(row["good"], row["total"]), callback_rate=rules.rate(row["called_back"], row["bad_real_name"]),
        rectification_rate=rules.rate(row["rectified"], row["bad"]), overdue=row["overdue"],
    )
