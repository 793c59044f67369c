"""The consent token of the registry protocol (pure): signed, unforgeable, expiring."""

import datetime as dt

import pytest

from yiwang.registry_service.consent import ConsentInvalid, check_consent, sign_consent

NOW = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.timezone.utc)


def token(**changes):
    body = {
        "platform": "p", "consent_id": "p-1", "subject": {"type": "person", "id": "31012019900307123X"},
        "scope": "household:id_card", "purpose": "办事", "case_ref": "draft-1",
        "granted_at": NOW.isoformat(), "expires_at": (NOW + dt.timedelta(days=1)).isoformat(),
    }
    body.update(changes)
    return sign_consent(body, secret="s3cret")


def test_a_signed_consent_checks():
    signed = token()
    assert check_consent(signed, secret="s3cret", now=NOW) == signed


@pytest.mark.parametrize("field,value", [
    ("subject", {"type": "person", "id": "310120198511204321"}),
    ("scope", "property:property_certificate"),
    ("expires_at", "2099-01-01T00:00:00+00:00"),
])
def test_any_change_breaks_the_signature(field, value):
    forged = {**token(), field: value}
    with pytest.raises(ConsentInvalid) as caught:
        check_consent(forged, secret="s3cret", now=NOW)
    assert caught.value.code == "consent_signature"


def test_signed_with_another_secret_is_refused():
    with pytest.raises(ConsentInvalid) as caught:
        check_consent(token(), secret="other", now=NOW)
    assert caught.value.code == "consent_signature"


def test_expired_consent_is_refused():
    with pytest.raises(ConsentInvalid) as caught:
        check_consent(token(expires_at=NOW.isoformat()), secret="s3cret", now=NOW)
    assert caught.value.code == "consent_expired"


@pytest.mark.parametrize("bad", [None, "x", {}, {**{"signature": "00"}}])
def test_incomplete_consent_is_malformed(bad):
    with pytest.raises(ConsentInvalid) as caught:
        check_consent(bad, secret="s3cret", now=NOW)
    assert caught.value.code == "consent_malformed"
