"""Reads on cases, always through who is asking: residents see their own, staff their departments."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, QuerySet

from yiwang.accounts.selectors import (
    ALL_DEPARTMENT_ROLES, can_see_department, is_resident_like, is_staff_member, staff_department_ids,
)
from yiwang.applications import constants as c
from yiwang.applications import lifecycle
from yiwang.applications.forms_schema import FormField, default_form_fields
from yiwang.applications.models import Case, CaseMaterial
from yiwang.core.errors import NotFound
from yiwang.core.logging import mask_text
from yiwang.workcalendar.selectors import current_calendar, deadline_warning

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
    return cases_visible_to(user).filter(applicant=user).order_by("-created_at", "-id")


@dataclass(frozen=True)
class QueueRow:
    case: Case
    due: object
    warning: str


def work_queue(user, *, department_code: str | None = None, include_closed: bool = False) -> list[QueueRow]:
    """Open cases of the staff member's departments, nearest deadline first, with warning colours."""
    cases = cases_visible_to(user)
    if not include_closed:
        cases = cases.exclude(state__in=c.FINAL_STATES)  # issued results still await delivery
    if department_code:
        cases = cases.filter(department__code=department_code)
    cases = cases.order_by(F("promised_due").asc(nulls_last=True), F("statutory_due").asc(nulls_last=True), "submitted_at", "id")
    rows = []
    calendar = current_calendar()  # one calendar for the whole list, not a query per row
    for case in cases[:500]:
        due = case.promised_due or case.statutory_due
        warning = deadline_warning(due=due, calendar=calendar) if due and case.state not in c.PAUSED_STATES else "green"
        rows.append(QueueRow(case=case, due=due, warning=warning))
    return rows


def case_warning(case: Case) -> str:
    due = case.promised_due or case.statutory_due
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


def form_fields_for(user) -> list[FormField]:
    return default_form_fields(applicant_kind="enterprise" if user.kind == "enterprise" else "resident")


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
