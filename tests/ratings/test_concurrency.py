"""At once: two ratings of one case, two officers resolving one rectification, two reviewers on
one appeal. Row locks let exactly one through; the other gets a clear refusal (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.applications.test_concurrency import _race, _submitted_case
from tests.factories import make_resident, make_staff
from yiwang.applications import services as applications
from yiwang.core.errors import Conflict
from yiwang.ratings import services
from yiwang.ratings.models import Appeal, Rating, Rectification

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serializes writers"),
    pytest.mark.django_db(transaction=True),
]


def _ended_case():
    applicant = make_resident()
    officer = make_staff(role="window_officer", departments=["SCJG"])
    case = _submitted_case(applicant)
    for action in ("accept", "approve", "issue_result"):
        case = applications.perform_action(case_id=case.pk, actor=officer, action=action, expected_version=case.version)
    return applicant, officer, case


def test_two_ratings_of_one_case_at_once_store_one(catalog, settings_media):
    applicant, _, case = _ended_case()
    outcomes = _race([lambda: services.rate_case(person=applicant, case_id=case.pk, level=1, comment="第一"),
                      lambda: services.rate_case(person=applicant, case_id=case.pk, level=5, comment="第二")])
    made = [o for o in outcomes if isinstance(o, Rating)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(made) == 1 and [r.code for r in refused] == ["already_rated"], outcomes
    assert Rating.objects.count() == 1
    stored = Rating.objects.get()
    assert Rectification.objects.filter(rating=stored).count() == (1 if stored.level == 1 else 0)


def test_two_officers_resolving_one_rectification_at_once_one_wins(catalog, settings_media):
    applicant, officer, case = _ended_case()
    colleague = make_staff(role="window_officer", departments=["SCJG"])
    task = services.rate_case(person=applicant, case_id=case.pk, level=2).rectification
    services.record_callback(officer=officer, task_id=task.pk, reached=True, notes="已联系")
    outcomes = _race([
        lambda: services.resolve(officer=officer, task_id=task.pk, outcome="fixed_now", reply="已改", version=1),
        lambda: services.resolve(officer=colleague, task_id=task.pk, outcome="explained", reply="依法要求", version=1),
    ])
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "Rectification"], outcomes
    task.refresh_from_db()
    assert task.state == "replied" and task.events.filter(action__in=("resolve_now", "explain")).count() == 1


def test_two_reviewers_deciding_one_appeal_at_once_one_decides(catalog, settings_media):
    applicant, officer, case = _ended_case()
    task = services.rate_case(person=applicant, case_id=case.pk, level=1).rectification
    appeal = services.file_appeal(officer=officer, task_id=task.pk, reason="误评")
    reviewers = [make_staff(role="hall_manager"), make_staff(role="administrator")]
    outcomes = _race([
        lambda: services.decide_appeal(reviewer=reviewers[0], appeal_id=appeal.pk, upheld=True, note="成立"),
        lambda: services.decide_appeal(reviewer=reviewers[1], appeal_id=appeal.pk, upheld=False, note="不成立"),
    ])
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(refused) == 1 and refused[0].code == "appeal_already_decided", outcomes
    decided = Appeal.objects.get()
    task.refresh_from_db()
    assert task.state == ("voided" if decided.state == "upheld" else "awaiting_callback")
