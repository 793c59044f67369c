"""Two officers acting on one case at once: row locks let exactly one through (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.factories import make_resident, make_staff
from tests.helpers import ITEM_ONE_LEVEL, PDF_BYTES, form_for
from yiwang.applications import services
from yiwang.applications.models import Case, CaseEvent, CaseSerial
from yiwang.core.errors import Conflict


def _submitted_case(applicant):
    import io

    draft = services.create_draft(applicant=applicant, item_code=ITEM_ONE_LEVEL, form_data=form_for(ITEM_ONE_LEVEL))
    for position in (1, 2):
        services.attach_material(case_id=draft.pk, user=applicant, position=position, stream=io.BytesIO(PDF_BYTES), original_name="a.pdf")
    return services.submit_application(case_id=draft.pk, applicant=applicant, idempotency_key="k")


def _race(targets):
    barrier = threading.Barrier(len(targets))
    outcomes = [None] * len(targets)

    def run(index, target):
        try:
            barrier.wait()
            outcomes[index] = target()
        except Exception as exc:  # collected and asserted by the test
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serializes writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_only_one_wins(catalog, settings_media):
    applicant = make_resident()
    officers = [make_staff(role="window_officer", departments=["SCJG"]) for _ in range(2)]
    case = _submitted_case(applicant)
    case = services.perform_action(case_id=case.pk, actor=officers[0], action="accept", expected_version=case.version)
    version = case.version

    outcomes = _race([
        lambda: services.perform_action(case_id=case.pk, actor=officers[0], action="approve", expected_version=version),
        lambda: services.perform_action(case_id=case.pk, actor=officers[1], action="deny", expected_version=version, opinion="不符合"),
    ])

    winners = [o for o in outcomes if isinstance(o, Case)]
    losers = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert losers[0].code == "stale_case"
    stored = Case.objects.get(pk=case.pk)
    assert stored.state == winners[0].state
    assert stored.version == version + 1
    assert CaseEvent.objects.filter(case=stored).count() == 3  # submit, accept, one decision


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serializes writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_serial_numbers(catalog, settings_media):
    applicants = [make_resident() for _ in range(4)]
    drafts = []
    import io

    for applicant in applicants:
        draft = services.create_draft(applicant=applicant, item_code=ITEM_ONE_LEVEL, form_data=form_for(ITEM_ONE_LEVEL))
        for position in (1, 2):
            services.attach_material(case_id=draft.pk, user=applicant, position=position, stream=io.BytesIO(PDF_BYTES), original_name="a.pdf")
        drafts.append((draft, applicant))

    outcomes = _race([
        (lambda d=d, a=a: services.submit_application(case_id=d.pk, applicant=a, idempotency_key="same-key"))
        for d, a in drafts
    ])
    assert all(isinstance(o, Case) for o in outcomes), outcomes
    serials = sorted(o.number[-6:] for o in outcomes)
    assert serials == ["000001", "000002", "000003", "000004"]
    assert CaseSerial.objects.get().last == 4


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_a_one_call_submission_all_get_the_first_answer(catalog):
    """The probe: of four concurrent retries with one key, some answered 409 or all 201."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serializes writers")
    from rest_framework.test import APIClient

    applicant = make_resident()

    def post():
        client = APIClient()
        client.force_authenticate(applicant)
        response = client.post("/api/v1/applications/", {"item_code": "310120-SCJG-21-0001", "form_data": form_for("310120-SCJG-21-0001"),
                                                         "submit": True}, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
        return response.status_code, response.json()["id"]

    for _trial in range(5):
        Case.objects.filter(applicant=applicant).delete()
        outcomes = _race([post] * 4)
        assert sorted(status for status, _ in outcomes) == [200, 200, 200, 201]
        assert len({case_id for _, case_id in outcomes}) == 1
        assert Case.objects.filter(applicant=applicant).count() == 1
