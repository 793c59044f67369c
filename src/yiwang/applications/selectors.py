"""Reads on cases, always through who is asking: residents see their own, staff their departments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from yiwang.accounts.selectors import (
    ALL_DEPARTMENT_ROLES, can_see_department, is_resident_like, is_staff_member, staff_department_ids,
)
from yiwang.applications import constants as c
from yiwang.applications import lifecycle
from yiwang.catalog.application_forms import (
    ID_NUMBER,
    MOBILE,
    TABLE,
    FormField,
    display_value,
    form_fields,
    parse_form_definition,
    prefill_values,
    visible_fields,
)
from yiwang.applications.models import Case, CaseMaterial
from yiwang.core import clock
from yiwang.core.errors import NotFound, ValidationFailed
from yiwang.core.logging import mask_text
from yiwang.workcalendar.selectors import compute_deadline, current_calendar, deadline_warning

def cases_visible_to(user) -> QuerySet[Case]:
    """Cases `user` may read: own cases for applicants; for staff, their departments' submitted cases
    (all departments for the roles `accounts` gives that scope) and the cases they took in at a counter."""
    base = Case.objects.select_related("item", "department", "applicant")
    if is_resident_like(user):
        return base.filter(applicant=user)
    if is_staff_member(user):
        departments = staff_department_ids(user)
        submitted = base.exclude(state=c.DRAFT)
        if departments is not None:
            submitted = submitted.filter(department_id__in=departments)
        return submitted | base.filter(received_by=user)
    return base.none()


def received_at_counter_by(case: Case, user) -> bool:
    """Whether `user` is the officer who took the application in at a counter (and so prepares it)."""
    return case.channel == c.CHANNEL_WINDOW and case.received_by_id is not None and case.received_by_id == user.pk


def get_case_for(user, case_id) -> Case:
    """The case if `user` may read it; otherwise NotFound (existence is not disclosed)."""
    try:
        return cases_visible_to(user).get(pk=int(case_id))
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound("case_not_found", "办件不存在。", "Case not found.") from None


def applicant_cases(user) -> QuerySet[Case]:
    """The applicant's own cases, newest first; a 一件事 member's draft is its bundle's, not listed here."""
    return (cases_visible_to(user).filter(applicant=user).exclude(in_bundle=True, state=c.DRAFT)
            .select_related("bundle_member").order_by("-created_at", "-id"))


@dataclass(frozen=True)
class QueueRow:
    case: Case
    due: object
    warning: str


QUEUE_LIMIT = 500
QUEUE_QUERY_MAX_LENGTH = 100
# The queue's deadline filter -> the warning colour of the rows it keeps.
DUE_OVERDUE = "overdue"
DUE_SOON = "due_soon"
DUE_FILTERS = {DUE_OVERDUE: "red", DUE_SOON: "yellow"}
# Longest stretch of calendar days a "due soon" window may span (holidays included).
_DUE_SOON_SCAN_DAYS = 60


@dataclass(frozen=True)
class QueueFilter:
    """What the officer narrowed the queue to; empty fields filter nothing."""

    query: str = ""  # part of a case number, or an applicant's full name
    state: str = ""
    item_code: str = ""
    due: str = ""  # "", DUE_OVERDUE or DUE_SOON


def queue_filter(*, query: str | None = None, state: str | None = None, item_code: str | None = None,
                 due: str | None = None) -> QueueFilter:
    """Check the queue's filters as typed or chosen; ValidationFailed for a state or deadline filter
    that does not exist (an item that is in nobody's queue just matches nothing)."""
    query, state, item_code, due = ((value or "").strip() for value in (query, state, item_code, due))
    if len(query) > QUEUE_QUERY_MAX_LENGTH:
        raise ValidationFailed("query_too_long", f"搜索内容不能超过{QUEUE_QUERY_MAX_LENGTH}个字。",
                               f"Search for at most {QUEUE_QUERY_MAX_LENGTH} characters.")
    if state and state not in dict(c.STATES):
        raise ValidationFailed("unknown_state", "办件状态无效。", "Unknown case state.")
    if due and due not in DUE_FILTERS:
        raise ValidationFailed("unknown_due_filter", "期限筛选无效。", "Unknown deadline filter.")
    return QueueFilter(query=query, state=state, item_code=item_code[:40], due=due)


def _last_day_due_soon(calendar) -> dt.date:
    """The latest due date that still counts as due soon (yellow) today."""
    day = last = clock.today()
    for _ in range(_DUE_SOON_SCAN_DAYS):
        if deadline_warning(due=day, calendar=calendar) != "yellow":
            break
        last = day
        day += dt.timedelta(days=1)
    return last


def _filtered(cases: QuerySet[Case], found: QueueFilter, calendar) -> QuerySet[Case]:
    if found.query:
        # A case number by any part of it; a person only by their full name (the queue shows names
        # masked, and a partial name would let anyone spell out the hidden characters).
        cases = cases.filter(Q(number__icontains=found.query) | Q(applicant__real_name=found.query))
    if found.state:
        cases = cases.filter(state=found.state)
    if found.item_code:
        cases = cases.filter(item__code=found.item_code)
    if found.due:
        # As the rows are coloured: by the promised (else statutory) limit, never while paused.
        cases = cases.annotate(due_on=Coalesce("promised_due", "statutory_due")).exclude(state__in=c.PAUSED_STATES)
        today = clock.today()
        if found.due == DUE_OVERDUE:
            cases = cases.filter(due_on__lt=today)
        else:
            cases = cases.filter(due_on__gte=today, due_on__lte=_last_day_due_soon(calendar))
    return cases


def work_queue(user, *, department_code: str | None = None, include_closed: bool = False,
               filters: QueueFilter | None = None) -> list[QueueRow]:
    """Open cases of the staff member's departments, nearest deadline first, with warning colours,
    narrowed by `filters` (search, state, item, deadline); at most QUEUE_LIMIT rows."""
    cases = cases_visible_to(user).select_related("bundle_member")
    if not include_closed:
        cases = cases.exclude(state__in=c.FINAL_STATES)  # issued results still await delivery
    if department_code:
        cases = cases.filter(department__code=department_code)
    calendar = current_calendar()  # one calendar for the whole list, not a query per row
    if filters is not None:
        cases = _filtered(cases, filters, calendar)
    cases = cases.order_by(F("promised_due").asc(nulls_last=True), F("statutory_due").asc(nulls_last=True), "submitted_at", "id")
    rows = []
    for case in cases[:QUEUE_LIMIT]:
        due = case.promised_due or case.statutory_due
        if due is None and (waiting := awaiting_acceptance(case)) is not None:
            due = waiting.decide_by  # not yet accepted: the acceptance decision is what is due
        warning = deadline_warning(due=due, calendar=calendar) if due and case.state not in c.PAUSED_STATES else "green"
        rows.append(QueueRow(case=case, due=due, warning=warning))
    return rows


def queue_items(user) -> list[tuple[str, str, str]]:
    """(code, name, name_en) of the items that have open cases the staff member may see, by code:
    the choices of the queue's item filter."""
    return list(
        cases_visible_to(user).exclude(state__in=c.FINAL_STATES)
        .values_list("item__code", "item__name", "item__name_en").distinct().order_by("item__code")
    )


def bundle_case_id_of(case: Case) -> int | None:
    """The 一件事 case `case` is a member of, or None for a standalone case."""
    if not case.in_bundle:
        return None
    member = getattr(case, "bundle_member", None)
    return member.bundle_case_id if member is not None else None


# 行政许可法 §32: an application that is incomplete must be answered within five days with all
# that is missing, or it counts as accepted on receipt; §82: those are working days.
ACCEPTANCE_DECISION_WORKING_DAYS = 5


@dataclass(frozen=True)
class AwaitingAcceptance:
    """The dates a submitted case not yet accepted can already show its applicant."""

    decide_by: dt.date  # the department says accepted, not accepted or what is missing by then
    result_by: dt.date | None  # the promised (else statutory) limit counted from decide_by: the latest, if accepted
    provisional: bool  # a date falls in a year whose holidays are not yet published


def awaiting_acceptance(case: Case) -> AwaitingAcceptance | None:
    """For a case received and not yet accepted: when acceptance must be decided, and the latest
    expected result if it is accepted on that day; None for any other case."""
    if case.state != c.RECEIVED or case.submitted_at is None:
        return None
    received_on = case.submitted_at.astimezone(clock.LEGAL_TIME_ZONE).date()
    decide = compute_deadline(start=received_on, value=ACCEPTANCE_DECISION_WORKING_DAYS, unit="working_day")
    limit = (case.rules or {}).get("promised_limit") or (case.rules or {}).get("statutory_limit")
    result = compute_deadline(start=decide.due, value=limit["value"], unit=limit["unit"]) if limit else None
    return AwaitingAcceptance(decide_by=decide.due, result_by=result.due if result else None,
                              provisional=decide.provisional or bool(result and result.provisional))


def case_warning(case: Case) -> str:
    """The case's deadline colour: by its limits once accepted, by the acceptance decision before."""
    due = case.promised_due or case.statutory_due
    if due is None and (waiting := awaiting_acceptance(case)) is not None:
        due = waiting.decide_by
    if not due or case.state in c.PAUSED_STATES or case.state in c.FINAL_STATES:
        return "green"
    return deadline_warning(due=due)


def actions_for(user, case: Case) -> list[lifecycle.Action]:
    """Buttons to show: the actions `user` may take on `case` now."""
    if is_resident_like(user):
        role = lifecycle.APPLICANT if case.applicant_id == user.pk else None
    elif is_staff_member(user) and user.role not in ALL_DEPARTMENT_ROLES and can_see_department(user, case.department_id):
        role = user.role
    else:
        role = None
    if role is None:
        return []
    return lifecycle.available_actions(state=case.state, flow=case.rules.get("flow", []), step=case.step, actor_role=role)


def applicant_kind(user) -> str:
    """Which common fields a form asks `user`: a company's (with its contact person) or a person's."""
    return "enterprise" if getattr(user, "kind", "") == "enterprise" else "resident"


def form_fields_for(user, item=None) -> list[FormField]:
    """The form `user` fills for `item`: the item's own fields, then the common ones (only the
    common ones without an item)."""
    definition = parse_form_definition(item.form) if item is not None and item.form else ()
    return form_fields(applicant_kind=applicant_kind(user), definition=definition)


def initial_form_values(user, item) -> dict[str, str]:
    """What a new application of `user` for `item` starts with: the fields the form prefills from
    the account (name, ID number, mobile, credit code)."""
    identity = {key: getattr(user, key, "") or "" for key in ("real_name", "id_number", "phone", "credit_code")}
    return prefill_values(form_fields_for(user, item), identity)


def case_form_fields(case: Case) -> list[FormField]:
    """The case's form: the item's current one while a draft, the one frozen with it once submitted."""
    form = case.item.form if case.state == c.DRAFT else (case.rules or {}).get("form")
    return form_fields(applicant_kind=applicant_kind(case.applicant), definition=parse_form_definition(form or {}))


# Left out of the particulars a notice states: personal identifiers and rows of people.
_NOT_IN_NOTICES = (ID_NUMBER, MOBILE, TABLE)


def notice_particulars(case: Case, *, english: bool = False) -> list[tuple[str, str]]:
    """(label, value) of what was applied for, as the decisions and notices state it: the item's own
    fields answered on the frozen form (in Chinese, or in English for `english`; identifiers and
    tables of people left out)."""
    definition = parse_form_definition((case.rules or {}).get("form") or case.item.form or {})
    values = case.form_data or {}
    return [((f.label_en or f.label) if english else f.label, display_value(f, values.get(f.name), english=english))
            for f in visible_fields(definition, values)
            if f.kind not in _NOT_IN_NOTICES and values.get(f.name) not in (None, "", [])]


def case_materials(case: Case) -> list[dict]:
    """The item's materials (frozen rules after submission) with the current upload of each."""
    from yiwang.catalog.selectors import item_rules_snapshot

    rules = case.rules or item_rules_snapshot(case.item)
    uploads = {m.material_position: m for m in case.materials.filter(superseded=False)}
    return [{**m, "upload": uploads.get(m["position"])} for m in rules["materials"]]


def requested_supplement_positions(case: Case) -> list[int]:
    """Positions of the materials the open supplement request asked for (empty when none is open)."""
    if case.state != c.SUPPLEMENT_REQUESTED:
        return []
    request = case.events.filter(action="request_supplement").order_by("-sequence").first()
    return list(request.data.get("missing_positions", [])) if request else []


def material_is_open(case: Case, *, position: int, name: str) -> bool:
    """Whether the applicant may supply material `position` (named `name`) now: anything while a
    draft, the requested ones during a supplement, owed (容缺) ones until the case is closed."""
    if case.state == c.DRAFT:
        return True
    if case.state == c.SUPPLEMENT_REQUESTED:
        return position in requested_supplement_positions(case)
    return name in case.owed_materials and case.state not in c.FINAL_STATES


def shared_materials_of_submitted_cases():
    """(case id, position, item code, item name, item name_en) of every current registry-sourced
    material of a submitted case: what data sharing saved applicants from bringing."""
    return (
        CaseMaterial.objects.filter(source=c.SOURCE_REGISTRY, superseded=False, case__submitted_at__isnull=False)
        .values_list("case_id", "material_position", "case__item__code", "case__item__name", "case__item__name_en")
        .distinct()
    )


def form_data_as_seen_by(viewer, case: Case) -> dict:
    """The case's form as `viewer` may see it: in full for the applicant, with mobile and ID
    numbers masked for staff (as everywhere else they see an applicant)."""
    if viewer is not None and getattr(viewer, "pk", None) == case.applicant_id:
        return dict(case.form_data)
    return {key: mask_text(value) if isinstance(value, str) else value for key, value in case.form_data.items()}
