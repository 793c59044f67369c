"""Concurrent consents on one draft leave one active consent (PostgreSQL row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.registries.helpers import draft
from yiwang.registries.models import Consent
from yiwang.registries.services import grant_consent


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_consents_to_one_record_for_one_draft_leave_one(catalog, zhangsan):
    """The probe left two active consents on one draft in 4 of 20 trials of concurrent consent-and-fetch."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serializes writers")
    case = draft(zhangsan)
    for _trial in range(5):
        Consent.objects.filter(user=zhangsan).delete()
        barrier = threading.Barrier(6)
        granted: list[int] = []
        lock = threading.Lock()

        def grant():
            try:
                barrier.wait()
                consent = grant_consent(user=zhangsan, exemptible_via="household:id_card", case_id=case.pk, purpose="测试")
                with lock:
                    granted.append(consent.pk)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=grant) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert len(granted) == 6
        assert len(set(granted)) == 1
        assert Consent.objects.filter(user=zhangsan, withdrawn_at__isnull=True).count() == 1
