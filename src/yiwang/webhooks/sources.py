"""What a department's system is told about a case: a thin payload (ids and states, no personal data);
the system reads the rest through the API with its own credentials."""

from __future__ import annotations

from yiwang.applications.models import CaseEvent
from yiwang.webhooks.services import record_event


def deliveries_for_case_event(event_type: str, event_id: str, case_event_id: int) -> list:
    event = CaseEvent.objects.select_related("case__item", "case__department").get(pk=case_event_id)
    case = event.case
    data = {
        "case_id": case.pk, "case_number": case.number or "", "item_code": case.item.code,
        "department": case.department.code, "action": event.action, "from_state": event.from_state,
        "to_state": event.to_state, "at": event.at.isoformat(), "version": event.sequence,
    }
    return record_event(source_event=event_id, event_type=event_type, subject=case.number or f"case-{case.pk}",
                        data=data, department_id=case.department_id)
