"""Two transactions creating a department's first seal key, or issuing one case's licence, at once."""

import threading

import pytest
from django.db import connection, connections, transaction

from tests.licences.conftest import make_case
from yiwang.licences import services
from yiwang.licences.models import Licence, SealKey

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def _race(work, count=2):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                results.append(work())
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_seal_key_yields_one_key(catalog):
    from yiwang.catalog.models import Department

    department = Department.objects.get(code="WJW")
    results, errors = _race(lambda: services.ensure_seal_key(department=department).pk)
    assert errors == []
    assert len(set(results)) == 1
    assert SealKey.objects.filter(department=department).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_issue_yields_one_licence(catalog, resident):
    case = make_case(resident)
    results, errors = _race(lambda: services.issue_licence(case=case, issued_by=None).pk)
    assert errors == []
    assert len(set(results)) == 1
    assert Licence.objects.filter(case=case).count() == 1
