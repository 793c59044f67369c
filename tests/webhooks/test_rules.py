"""Webhook signatures, the retry schedule and the address check (pure)."""

import datetime as dt
import random

import pytest
from standardwebhooks import Webhook

from yiwang.webhooks import schedule, signing
from yiwang.webhooks.addresses import is_public

VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_the_specifications_test_vector():
    assert signing.signature(VECTOR_SECRET, msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp=1614265330,
                             body=b'{"test": 2432232314}') == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_our_signature_is_the_official_librarys():
    secret = signing.new_secret()
    at = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.timezone.utc)
    body = '{"type":"cn.gov.yiwang.case.accept","data":{"case_number":"310120"}}'
    assert signing.signature(secret, msg_id="msg_1", timestamp=int(at.timestamp()), body=body.encode()) == \
        Webhook(secret).sign("msg_1", at, body)


def test_a_rotation_signs_with_both_secrets():
    old, new = signing.new_secret(), signing.new_secret()
    header = signing.signature_header([new, old], msg_id="m", timestamp=1, body=b"{}")
    assert header.split(" ") == [signing.signature(new, msg_id="m", timestamp=1, body=b"{}"),
                                 signing.signature(old, msg_id="m", timestamp=1, body=b"{}")]


def test_secrets_are_24_to_64_bytes_with_the_prefix():
    assert signing.new_secret().startswith("whsec_")
    with pytest.raises(ValueError):
        signing.signature("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", msg_id="m", timestamp=1, body=b"")
    with pytest.raises(ValueError):
        signing.signature("whsec_c2hvcnQ=", msg_id="m", timestamp=1, body=b"")  # "short": 5 bytes


def test_the_schedule_spans_75_hours_35_minutes_5_seconds_with_jitter():
    assert sum(schedule.WAITS, dt.timedelta()) == dt.timedelta(hours=75, minutes=35, seconds=5)
    assert schedule.MAX_ATTEMPTS == 10
    rng = random.Random(5)
    for attempt, base in enumerate(schedule.WAITS, start=1):
        wait = schedule.next_wait(attempt, rng=rng)
        assert base * 0.9 <= wait <= base * 1.1
    assert schedule.next_wait(10) is None


def test_retry_after_is_honoured_when_longer_and_capped_at_a_day():
    rng = random.Random(1)
    assert schedule.next_wait(1, retry_after=dt.timedelta(hours=2), rng=rng) == dt.timedelta(hours=2)
    assert schedule.next_wait(3, retry_after=dt.timedelta(seconds=2), rng=rng) >= dt.timedelta(minutes=27)
    assert schedule.next_wait(1, retry_after=dt.timedelta(days=9), rng=rng) == dt.timedelta(hours=24)
    now = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.timezone.utc)
    assert schedule.parse_retry_after("120", now=now) == dt.timedelta(seconds=120)
    assert schedule.parse_retry_after("Tue, 10 Mar 2026 02:05:00 GMT", now=now) == dt.timedelta(minutes=5)
    assert schedule.parse_retry_after("soon", now=now) is None


@pytest.mark.parametrize("address,public", [
    ("8.8.8.8", True), ("127.0.0.1", False), ("10.1.2.3", False), ("192.168.0.1", False), ("172.16.5.4", False),
    ("169.254.169.254", False), ("::1", False), ("fd00::1", False), ("0.0.0.0", False), ("2001:4860:4860::8888", True),
])
def test_only_public_addresses_are_public(address, public):
    assert is_public(address) is public
