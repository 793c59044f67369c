"""The consent token of the registry protocol (pure): Ed25519-signed, unforgeable, minutes long."""

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from yiwang.registry_service.consent import (
    ConsentInvalid, check_consent, check_withdrawal, load_public_key, public_key_hex, sign_consent, sign_withdrawal,
)

NOW = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.timezone.utc)
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = KEY.public_key()


def token(key=KEY, **changes):
    body = {
        "platform": "p", "token_id": "p-t1", "consent_ref": "p-1", "subject": {"type": "person", "id": "31012019900307123X"},
        "scope": "household:id_card", "purpose": "办事", "case_ref": "draft-1", "granted_at": NOW.isoformat(),
        "issued_at": NOW.isoformat(), "expires_at": (NOW + dt.timedelta(minutes=5)).isoformat(),
    }
    body.update(changes)
    return sign_consent(body, private_key=key)


def test_a_signed_consent_checks():
    signed = token()
    assert check_consent(signed, public_key=PUBLIC, now=NOW) == signed
    assert signed["version"] == 2
    assert sorted(signed) == sorted(["version", "platform", "token_id", "consent_ref", "subject", "scope", "purpose",
                                     "case_ref", "granted_at", "issued_at", "expires_at", "signature"])


def test_the_public_key_travels_as_hex():
    hex_key = public_key_hex(KEY)
    assert hex_key == "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
    assert check_consent(token(), public_key=load_public_key(hex_key), now=NOW)["token_id"] == "p-t1"
    with pytest.raises(ValueError):
        load_public_key("abcd")


@pytest.mark.parametrize("field,value", [
    ("subject", {"type": "person", "id": "310120198511204321"}),
    ("scope", "property:property_certificate"),
    ("expires_at", "2026-05-01T09:06:00+00:00"),
    ("token_id", "p-t2"),
    ("consent_ref", "p-2"),
])
def test_any_change_breaks_the_signature(field, value):
    forged = {**token(), field: value}
    with pytest.raises(ConsentInvalid) as caught:
        check_consent(forged, public_key=PUBLIC, now=NOW)
    assert caught.value.code == "consent_signature"


def test_signed_with_another_key_or_with_no_key_known_is_refused():
    for public in (Ed25519PrivateKey.generate().public_key(), None):
        with pytest.raises(ConsentInvalid) as caught:
            check_consent(token(), public_key=public, now=NOW)
        assert caught.value.code == "consent_signature"


@pytest.mark.parametrize("changes", [
    {"expires_at": (NOW + dt.timedelta(minutes=10, seconds=1)).isoformat()},
    {"expires_at": "9999-12-31T23:59:59+00:00"},
    {"issued_at": (NOW + dt.timedelta(minutes=2)).isoformat(), "expires_at": (NOW + dt.timedelta(minutes=7)).isoformat()},
])
def test_a_token_longer_than_ten_minutes_or_from_the_future_is_refused(changes):
    with pytest.raises(ConsentInvalid) as caught:
        check_consent(token(**changes), public_key=PUBLIC, now=NOW)
    assert caught.value.code == "consent_validity"


def test_expired_consent_is_refused():
    with pytest.raises(ConsentInvalid) as caught:
        check_consent(token(issued_at=(NOW - dt.timedelta(minutes=5)).isoformat(), expires_at=NOW.isoformat()),
                      public_key=PUBLIC, now=NOW)
    assert caught.value.code == "consent_expired"


@pytest.mark.parametrize("bad", [None, "x", {}, {"signature": "00"}])
def test_incomplete_consent_is_malformed(bad):
    with pytest.raises(ConsentInvalid) as caught:
        check_consent(bad, public_key=PUBLIC, now=NOW)
    assert caught.value.code == "consent_malformed"


def test_a_version_1_token_is_malformed():
    with pytest.raises(ConsentInvalid) as caught:
        check_consent({**token(), "version": 1}, public_key=PUBLIC, now=NOW)
    assert caught.value.code == "consent_malformed"


def test_a_withdrawal_notice_is_signed_too():
    notice = sign_withdrawal({"platform": "p", "consent_ref": "p-1", "withdrawn_at": NOW.isoformat()}, private_key=KEY)
    assert check_withdrawal(notice, public_key=PUBLIC)["consent_ref"] == "p-1"
    with pytest.raises(ConsentInvalid) as caught:
        check_withdrawal({**notice, "consent_ref": "p-2"}, public_key=PUBLIC)
    assert caught.value.code == "consent_signature"
