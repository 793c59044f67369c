"""Every lifecycle action, taken four times at once on one case: exactly one wins (PostgreSQL).

The racers send no version, so only the case's row lock and the state check under it stand between
them and a double transition; a second "approve" or "issue_result" would otherwise write a second
decision or licence.
"""

from __future__ import annotations

import io

import pytest
from django.db import connection

from tests.applications.test_concurrency import _race
from tests.factories import make_resident, make_staff
from tests.helpers import ITEM_ONE_LEVEL, ITEM_TWO_LEVELS, PDF_BYTES, form_for
from yiwang.applications import lifecycle, services
from yiwang.applications.models import Case, CaseEvent, Notice
from yiwang.core.errors import Conflict
from yiwang.licences.models import Licence


RACERS = 4
# action -> (item, the actions that bring a fresh case to a state the action starts from)
SETUPS = {
    "withdraw": (ITEM_ONE_LEVEL, []),
    "accept": (ITEM_ONE_LEVEL, []),
    "reject": (ITEM_ONE_LEVEL, []),
    "request_supplement": (ITEM_ONE_LEVEL, ["accept"]),
    "supply": (ITEM_ONE_LEVEL, ["accept", "request_supplement"]),
    "start_special": (ITEM_ONE_LEVEL, ["accept"]),
    "end_special": (ITEM_ONE_LEVEL, ["accept", "start_special"]),
    "review": (ITEM_TWO_LEVELS, ["accept"]),
    "approve": (ITEM_ONE_LEVEL, ["accept"]),
    "deny": (ITEM_ONE_LEVEL, ["accept"]),
    "issue_result": (ITEM_ONE_LEVEL, ["accept", "approve"]),
    "deliver": (ITEM_ONE_LEVEL, ["accept", "approve", "issue_result"]),
}
REQUIRED_MATERIALS = {ITEM_ONE_LEVEL: (1, 2), ITEM_TWO_LEVELS: (1, 2, 3)}
EXTRA = {"reject": {"opinion": "材料不齐"}, "deny": {"opinion": "不符合条件"}, "start_special": {"opinion": "需现场核查"},
         "request_supplement": {"missing_materials": [2]}}


def test_every_action_but_submission_is_raced_here():
    assert sorted(SETUPS) == sorted(name for name, a in lifecycle.ACTIONS.items() if not a.own_service)


def _take(case_id: int, actor, action: str):
    return services.perform_action(case_id=case_id, actor=actor, action=action, expected_version=None,
                                   **EXTRA.get(action, {}))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serializes writers")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", sorted(SETUPS))
def test_four_at_once_one_wins(catalog, settings_media, action):
    item, path = SETUPS[action]
    applicant = make_resident()
    officers = [make_staff(role="window_officer", departments=["SCJG"]) for _ in range(RACERS)]
    draft = services.create_draft(applicant=applicant, item_code=item, form_data=form_for(item))
    for position in REQUIRED_MATERIALS[item]:
        services.attach_material(case_id=draft.pk, user=applicant, position=position, stream=io.BytesIO(PDF_BYTES),
                                 original_name="a.pdf")
    case = services.submit_application(case_id=draft.pk, applicant=applicant, idempotency_key="race")
    for step in path:
        case = _take(case.pk, officers[0], step)
    if action == "supply":
        services.attach_material(case_id=case.pk, user=applicant, position=2, stream=io.BytesIO(PDF_BYTES),
                                 original_name="b.pdf")
    racers = [applicant] * RACERS if lifecycle.ACTIONS[action].actor == lifecycle.APPLICANT else officers
    events_before = CaseEvent.objects.filter(case_id=case.pk).count()
    notices_before = Notice.objects.filter(case_id=case.pk).count()

    outcomes = _race([lambda actor=actor: _take(case.pk, actor, action) for actor in racers])

    winners = [o for o in outcomes if isinstance(o, Case)]
    losers = [o for o in outcomes if isinstance(o, Conflict)]
    assert (len(winners), len(losers)) == (1, RACERS - 1), outcomes
    stored = Case.objects.get(pk=case.pk)
    assert stored.version == case.version + 1
    assert (stored.state, stored.step) == (winners[0].state, winners[0].step)
    assert CaseEvent.objects.filter(case=stored).count() == events_before + 1
    expected_notice = 1 if lifecycle.ACTIONS[action].notice else 0
    assert Notice.objects.filter(case=stored).count() == notices_before + expected_notice
    assert Licence.objects.filter(case=stored).count() == (1 if action in ("issue_result", "deliver") else 0)
