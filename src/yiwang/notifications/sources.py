"""From what happened to what a person is told: case events, data-sharing accesses, deadlines.

Each function builds the `Outgoing` messages of one event from the other apps' records; the jobs
hand a batch of them to `services.create_messages` (which keeps each message to once per event
and person).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from yiwang.applications import constants as case_states
from yiwang.applications.models import Case, CaseEvent, Notice
from yiwang.applications.selectors import case_warning
from yiwang.bundles.selectors import is_bundle_member
from yiwang.notifications import constants as c
from yiwang.notifications.services import Outgoing, create_messages

LEVELS = {"yellow": ("即将到期", "due soon"), "red": ("已超期", "overdue")}


def _case_variables(case: Case) -> dict[str, str]:
    rules = case.rules or {}
    result = rules.get("result") or {}
    due = case.promised_due or case.statutory_due
    licence = getattr(case, "licence", None) if case.state in {case_states.RESULT_ISSUED, case_states.DELIVERED} else None
    return {
        "item_name": rules.get("item_name") or case.item.name,
        "item_name_en": case.item.name_en or case.item.name,
        "case_number": case.number or "",
        "due": due.isoformat() if due else "—",
        "result_name": result.get("name", ""),
        "result_name_en": result.get("name_en") or result.get("name", ""),
        "licence_number": licence.number if licence else "",
        "place": rules.get("department_name") or case.department.name,
    }


def outgoing_for_case_event(case_event_id: int) -> list[Outgoing]:
    """The applicant's message about a transition of their case (none for internal steps)."""
    event = CaseEvent.objects.select_related("case__applicant", "case__item", "case__department").get(pk=case_event_id)
    kind = c.CASE_ACTION_KINDS.get(event.action)
    if kind is None:
        return []
    case = event.case
    notice = Notice.objects.filter(event=event).first()  # a 补正 notice names every missing material
    missing = notice.missing_materials if notice else []
    english = {m["name"]: m.get("name_en") or m["name"] for m in (case.rules or {}).get("materials", [])}
    variables = {**_case_variables(case), "opinion": event.opinion or "—", "materials": "、".join(missing) or "—",
                 "materials_en": ", ".join(english.get(name, name) for name in missing) or "—"}
    # A 一件事 has several members: their routine news stays in the message centre, and only what
    # the applicant must act on or receive (补正, 不予受理, results) also goes out by SMS.
    sms_allowed = kind in c.ESSENTIAL_KINDS or not is_bundle_member(case.pk)
    return [Outgoing(
        recipient=case.applicant, kind=kind, event_key=f"case-event-{event.pk}", variables=variables,
        link=reverse("applications:detail", args=[case.pk]), case_id=case.pk, sms_allowed=sms_allowed,
        phone_fallback=str((case.form_data or {}).get("phone", "")), event_at=event.at,
    )]


def outgoing_for_pickup_ready(*, case: Case, handover_id: int, place: str, place_en: str) -> list[Outgoing]:
    """The applicant's message that their result waits at a unified output counter (`place`)."""
    return [Outgoing(
        recipient=case.applicant, kind=c.PICKUP_READY, event_key=f"pickup-ready-{handover_id}",
        variables={**_case_variables(case), "place": place, "place_en": place_en},
        link=reverse("applications:detail", args=[case.pk]), case_id=case.pk,
        phone_fallback=str((case.form_data or {}).get("phone", "")),
    )]


def outgoing_for_data_access(data_access_id: int) -> list[Outgoing]:
    """The person whose records were fetched is told who fetched what, when, for which case."""
    from yiwang.registries.models import DataAccess
    from yiwang.registries.selectors import access_entry

    access = DataAccess.objects.select_related("subject", "accessor").get(pk=data_access_id)
    if access.subject is None:
        return []
    entry = access_entry(access)
    return [Outgoing(
        recipient=access.subject, kind=c.DATA_ACCESSED, event_key=f"data-access-{access.pk}",
        variables={"record_name": entry.record_name, "at": timezone.localtime(access.at).strftime("%Y-%m-%d %H:%M"),
                   "accessor": entry.accessor, "case_label": entry.case_label,
                   # A self query (kiosk, portal) has no case: the person looked up their own record.
                   "purpose": f"用于办件{entry.case_label}" if access.case_id else "用于本人查询",
                   "purpose_en": f"for case {entry.case_label}" if access.case_id else "in a self query"},
        link=reverse("registries:my-data"), case_id=access.case_id, event_at=access.at,
    )]


def deadline_warnings() -> list:
    """Tell the officers of each running case that turned yellow or red (once per case and level)."""
    from yiwang.accounts.selectors import staff_of_department

    outgoing = []
    running = (Case.objects.filter(accepted_on__isnull=False)
               .exclude(state__in=case_states.FINAL_STATES | case_states.PAUSED_STATES
                        | {case_states.APPROVED, case_states.APPROVED_MATERIALS_OWED, case_states.RESULT_ISSUED})
               .select_related("item", "department"))
    officers_by_department: dict[int, list] = {}
    for case in running.iterator():
        level = case_warning(case)
        if level not in LEVELS:
            continue
        officers = officers_by_department.setdefault(case.department_id, list(staff_of_department(case.department_id)))
        due = case.promised_due or case.statutory_due
        variables = {**_case_variables(case), "level": LEVELS[level][0], "level_en": LEVELS[level][1]}
        outgoing += [Outgoing(
            recipient=officer, kind=c.DEADLINE_APPROACHING, event_key=f"deadline-{case.pk}-{level}-{due}",
            variables=variables, link=reverse("applications:detail", args=[case.pk]), case_id=case.pk,
        ) for officer in officers]
    return [message for message in create_messages(outgoing) if message]
