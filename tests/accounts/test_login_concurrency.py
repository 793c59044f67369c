"""The login limit (one username from one address) holds when attempts arrive at the same moment on separate connections."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.factories import make_resident
from yiwang.accounts import services
from yiwang.accounts.models import LoginAttempt
from yiwang.accounts.services import InvalidCredentials
from yiwang.core.errors import RateLimited


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_failures_never_exceed_the_limit():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections to a server database")
    user = make_resident()
    workers = 12
    barrier = threading.Barrier(workers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        try:
            barrier.wait()
            try:
                services.authenticate_with_rate_limit(
                    request_ip="198.51.100.7", username=user.username, password="wrong-password"
                )
                result = "signed in"
            except InvalidCredentials:
                result = "invalid"
            except RateLimited:
                result = "refused"
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == workers
    invalid = outcomes.count("invalid")
    # Each attempt is committed before it counts the others, so at most `attempts` of them get
    # their password checked; in a tight burst all may see each other and all be refused.
    assert invalid <= 5
    assert outcomes.count("refused") == workers - invalid
    assert LoginAttempt.objects.filter(identity=user.username, succeeded=False).count() == invalid
    assert LoginAttempt.objects.filter(succeeded=True).count() == 0
