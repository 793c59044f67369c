"""The circuit breaker (pure): closed -> open after N failures -> half-open trial -> closed or open."""

import pytest

from yiwang.registries.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker


class FakeClock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


@pytest.fixture
def clock():
    return FakeClock()


def test_opens_after_threshold_consecutive_failures(clock):
    breaker = CircuitBreaker(threshold=3, open_seconds=30, clock=clock)
    for _ in range(2):
        assert breaker.allow() is True
        breaker.record_failure()
    assert breaker.state == CLOSED
    assert breaker.allow() is True
    breaker.record_failure()
    assert breaker.state == OPEN
    assert breaker.allow() is False


def test_a_success_resets_the_count(clock):
    breaker = CircuitBreaker(threshold=2, open_seconds=30, clock=clock)
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state == CLOSED


def test_half_open_lets_one_trial_through_and_success_closes(clock):
    breaker = CircuitBreaker(threshold=1, open_seconds=30, clock=clock)
    breaker.record_failure()
    clock.t += 29.9
    assert breaker.allow() is False
    clock.t += 0.1
    assert breaker.state == HALF_OPEN
    assert breaker.allow() is True
    assert breaker.allow() is False  # only one trial at a time
    breaker.record_success()
    assert breaker.state == CLOSED
    assert breaker.allow() is True


def test_failed_trial_opens_for_another_period(clock):
    breaker = CircuitBreaker(threshold=3, open_seconds=10, clock=clock)
    for _ in range(3):
        breaker.record_failure()
    clock.t += 10
    assert breaker.allow() is True
    breaker.record_failure()
    assert breaker.state == OPEN
    clock.t += 9.9
    assert breaker.allow() is False
    clock.t += 0.1
    assert breaker.allow() is True


def test_rejects_nonsense_configuration():
    with pytest.raises(ValueError):
        CircuitBreaker(threshold=0, open_seconds=1)
