"""A kiosk's one-time QR code under concurrency (PostgreSQL row locks): of several phones confirming
the same code at once exactly one wins, and of several polls of the kiosk exactly one takes the
person; a retried kiosk application with one reference submits one case."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.factories import make_resident
from yiwang.core.errors import DomainError
from yiwang.kiosks import services

pytestmark = [pytest.mark.postgres_only, pytest.mark.timed_waits, pytest.mark.django_db(transaction=True)]
NO_MATERIALS = "310120-SCJG-21-0001"


def _at_once(count: int, action) -> list:
    """Run `action()` in `count` threads released together; each result or DomainError code."""
    barrier = threading.Barrier(count)
    results, lock = [], threading.Lock()

    def run():
        try:
            barrier.wait(timeout=30)
            try:
                outcome = action()
            except DomainError as error:
                outcome = error.code
            with lock:
                results.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def kiosk(catalog):
    from yiwang.hall.models import Site

    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serializes writers")
    site = Site.objects.create(code="FX-NANQIAO", name="南桥镇社区事务受理服务中心", kind="street")
    return services.register_kiosk(code="K-001", name="南桥1号机", site=site, item_codes=[NO_MATERIALS])[0]


def test_one_phone_confirms_a_code_and_one_poll_takes_the_person(kiosk):
    phones = [make_resident(real_name=f"居民{n}") for n in range(4)]
    sign_in, code = services.start_qr_sign_in(kiosk=kiosk)
    turns = iter(phones)
    lock = threading.Lock()

    def confirm():
        with lock:
            person = next(turns)
        return services.confirm_qr_sign_in(code=code, person=person).confirmed_by_id

    confirmed = _at_once(4, confirm)
    winners = [r for r in confirmed if isinstance(r, int)]
    assert len(winners) == 1 and sorted(r for r in confirmed if isinstance(r, str)) == ["sign_in_used"] * 3
    taken = _at_once(4, lambda: services.claim_qr_sign_in(kiosk=kiosk, sign_in_id=sign_in.pk).pk)
    assert taken.count(winners[0]) == 1 and sorted(r for r in taken if isinstance(r, str)) == ["sign_in_used"] * 3


def test_one_reference_submits_one_case_however_many_retries_arrive_together(kiosk):
    from yiwang.applications.models import Case

    person = make_resident(real_name="王芳")
    draft = services.start_application_at_kiosk(kiosk=kiosk, person=person, item_code=NO_MATERIALS)
    form = {"phone": "13800138000", "address": "上海市奉贤区南桥镇解放东路1号"}
    results = _at_once(4, lambda: services.submit_application_at_kiosk(
        kiosk=kiosk, person=person, case_id=draft.pk, form_data=form, consented=False, reference="ref-1").pk)
    assert results == [draft.pk] * 4
    assert list(Case.objects.filter(applicant=person).values_list("state", flat=True)) == ["received"]
